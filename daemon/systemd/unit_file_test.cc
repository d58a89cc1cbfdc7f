// Checks daemon/systemd/edgetrustd.service: that it keeps its hardening (a deleted line would not
// break anything visibly) and, where systemd-analyze exists, that systemd accepts every line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/testing/shell.h"

namespace edgetrust::daemon::systemd {
namespace {

std::string UnitPath() {
  const char* dir = std::getenv("EDGETRUST_SOURCE_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/daemon/systemd/edgetrustd.service";
}

std::string ReadUnit() {
  std::ifstream in(UnitPath());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Directives maps "Section.Key" to every value assigned (in order); comments are skipped.
std::multimap<std::string, std::string> Directives(const std::string& text) {
  std::multimap<std::string, std::string> out;
  std::istringstream in(text);
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    out.emplace(section + "." + line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

std::vector<std::string> Values(const std::multimap<std::string, std::string>& d,
                                const std::string& key) {
  std::vector<std::string> values;
  auto [begin, end] = d.equal_range(key);
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  return values;
}

TEST(UnitFileTest, IsANotifyServiceWithTheExpectedHardening) {
  const std::string text = ReadUnit();
  ASSERT_FALSE(text.empty()) << UnitPath();
  const auto d = Directives(text);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Service.Type", "notify"},
      {"Service.NotifyAccess", "main"},
      {"Service.ExecStart", "/usr/bin/edgetrustd --config /etc/edgetrust/config.toml"},
      {"Service.Restart", "on-failure"},
      {"Service.User", "edgetrust"},
      {"Service.SupplementaryGroups", "tss"},
      {"Service.UMask", "0077"},
      {"Service.StateDirectory", "edgetrust"},
      {"Service.StateDirectoryMode", "0700"},
      {"Service.RuntimeDirectory", "edgetrust"},
      {"Service.RuntimeDirectoryMode", "0755"},
      {"Service.ReadWritePaths", "/var/lib/edgetrust /run/edgetrust"},
      {"Service.DevicePolicy", "closed"},
      {"Service.DeviceAllow", "/dev/tpmrm0 rw"},
      {"Service.NoNewPrivileges", "yes"},
      {"Service.CapabilityBoundingSet", ""},
      {"Service.ProtectSystem", "strict"},
      {"Service.ProtectHome", "yes"},
      {"Service.PrivateTmp", "yes"},
      {"Service.ProtectKernelTunables", "yes"},
      {"Service.ProtectKernelModules", "yes"},
      {"Service.ProtectKernelLogs", "yes"},
      {"Service.ProtectControlGroups", "yes"},
      {"Service.MemoryDenyWriteExecute", "yes"},
      {"Service.LockPersonality", "yes"},
      {"Service.RestrictRealtime", "yes"},
      {"Service.RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"},
      {"Install.WantedBy", "multi-user.target"},
  };
  for (const auto& [key, value] : expected) {
    EXPECT_EQ(Values(d, key), std::vector<std::string>{value}) << key;
  }
  EXPECT_EQ(Values(d, "Service.SystemCallFilter"),
            (std::vector<std::string>{"@system-service", "~@privileged @resources"}));
  EXPECT_TRUE(d.contains("Service.RestartSec"));
  // Nothing may widen what the hardening takes away.
  for (const char* key : {"Service.AmbientCapabilities", "Service.CapabilityBoundingSet"}) {
    for (const std::string& value : Values(d, key)) EXPECT_EQ(value, "") << key;
  }
  EXPECT_FALSE(d.contains("Service.PermissionsStartOnly"));
  EXPECT_FALSE(d.contains("Service.ExecStartPre"));
}

TEST(UnitFileTest, SystemdAnalyzeVerifyAcceptsIt) {
  if (test_util::RunCommand("command -v systemd-analyze").exit_code != 0) {
    GTEST_SKIP() << "systemd-analyze is not installed";
  }
  // verify insists that ExecStart's binary exists; everything else is checked as installed.
  std::string text = ReadUnit();
  const std::string exec = "/usr/bin/edgetrustd";
  ASSERT_NE(text.find(exec), std::string::npos);
  text.replace(text.find(exec), exec.size(), "/bin/true");
  std::random_device rd;
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("edgetrust-unit-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directory(dir);
  const std::string unit = (dir / "edgetrustd.service").string();
  std::ofstream(unit) << text;

  auto result =
      test_util::RunCommand("systemd-analyze verify --man=no " + test_util::ShellQuote(unit));
  std::filesystem::remove_all(dir);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  // Unknown keys and unparsable values are only warnings ("..., ignoring."): any line about our
  // unit is a failure. Lines about other units on the host are not ours to judge.
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.find("edgetrustd.service"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace edgetrust::daemon::systemd
