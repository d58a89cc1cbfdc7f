#include "tests/gate_e2e.h"

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/file.h"
#include "daemon/gate/event_log.h"
#include "manifest/core/rfc3339.h"
#include "manifest/jws/sign.h"

namespace edgetrust::e2e {
namespace {

using json = nlohmann::json;
using swtpm::RunCommand;
using swtpm::ShellQuote;

// Tar builds <dir>.tar from `dir` with the system tar (ustar, as the agent reads it).
ModuleImage StageTar(const std::string& name, const std::string& dir, const std::string& staging) {
  auto r = RunCommand("tar --format=ustar -C " + ShellQuote(dir) + " -cf " +
                      ShellQuote(dir + ".tar") + " .");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto bytes = ReadFile(dir + ".tar", 64 * 1024 * 1024);
  EXPECT_TRUE(bytes.has_value());
  ModuleImage image{name, HexEncode(*Digest(HashAlgorithm::kSha256, *bytes)), bytes->size()};
  EXPECT_TRUE(WriteFileAtomic(staging + "/" + image.sha256, *bytes, 0644).has_value());
  return image;
}

}  // namespace

void GateE2eTest::SetUp() {
  DaemonE2eTest::SetUp();
  ASSERT_TRUE(RegisterGroup(enrolld()));
  now_ = std::time(nullptr);
  auto pki = manifest::jws::testing::TestPki::Create(now_);
  ASSERT_TRUE(pki.has_value()) << pki.error().ToString();
  pki_ = std::move(*pki);
  auto signer = pki_->NewSigner(KeyType::kEcP256);
  ASSERT_TRUE(signer.has_value());
  signer_ = std::move(*signer);
  auto temp = swtpm::TempDir::Create("gate-e2e-");
  ASSERT_TRUE(temp.has_value());
  temp_ = std::move(*temp);
  dir_ = temp_->path();
  for (const char* d : {"staging", "store", "agent", "images"}) {
    ASSERT_TRUE(EnsureDirectory(Path(d), 0755).has_value());
  }
  auto root_pem = pki_->root.ToPem();
  ASSERT_TRUE(root_pem.has_value());
  ASSERT_TRUE(WriteFileAtomic(Path("roots.pem"), AsBytes(*root_pem), 0644).has_value());
}

DaemonOptions GateE2eTest::GateOptions() const {
  DaemonOptions options = OptionsFor(*tpm_);
  options.registration_id = kRegistrationId;
  options.principals_toml =
      "[[local_api.principals]]\nname = \"operator\"\nuid = 0\n"
      "endpoints = [\"status\", \"certificate\", \"sign\", \"reenroll\", \"factory-reset\", "
      "\"deploy\", \"plan\", \"report-health\"]\n";
  options.extra_toml = "[gate]\ntrust_roots = \"" + Path("roots.pem") + "\"\nstaging_dir = \"" +
                       Path("staging") + "\"\nstore_dir = \"" + Path("store") +
                       "\"\npcr = 15\nnv_index = \"0x0100ED6E\"\nmax_version_jump = 20\n"
                       "tags = [\"line7\"]\n";
  return options;
}

ModuleImage GateE2eTest::SleeperImage() {
  const std::string dir = Path("images/sleeper");
  auto r = RunCommand("mkdir -p " + ShellQuote(dir + "/bin") + " && cp /bin/sleep " +
                      ShellQuote(dir + "/bin/sleep") + " && printf '%s' " +
                      ShellQuote(R"({"entrypoint":["bin/sleep","300"]})") + " > " +
                      ShellQuote(dir + "/edgetrust-image.json"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return StageTar("sleeper", dir, Path("staging"));
}

ModuleImage GateE2eTest::WriterImage(const std::string& tag) {
  const std::string dir = Path("images/writer-" + tag);
  const std::string script = "#!/bin/sh\n# " + tag +
                             "\nenv | sort > \"$MARKER.tmp\" && mv \"$MARKER.tmp\" \"$MARKER\"\n"
                             "exec sleep 300\n";
  auto r =
      RunCommand("mkdir -p " + ShellQuote(dir) + " && printf '%s' " + ShellQuote(script) + " > " +
                 ShellQuote(dir + "/run.sh") + " && chmod 0755 " + ShellQuote(dir + "/run.sh") +
                 " && printf '%s' " + ShellQuote(R"({"entrypoint":["run.sh"]})") + " > " +
                 ShellQuote(dir + "/edgetrust-image.json"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return StageTar("writer", dir, Path("staging"));
}

std::string GateE2eTest::SignedDeployment(uint64_t version, const std::vector<ModuleImage>& modules,
                                          const std::vector<std::string>& device_ids,
                                          const std::string& deployment_id) {
  json mods = json::object();
  uint32_t order = 0;
  for (const auto& m : modules) {
    mods[m.name] = {{"image", "registry.example.com/" + m.name + "@sha256:" + m.sha256},
                    {"imageSize", m.size},
                    {"startupOrder", order++},
                    {"restartPolicy", "on-failure"},
                    {"env", {{"MARKER", Path("agent/" + m.name + ".env")}, {"ROLE", m.name}}}};
  }
  json manifest = {
      {"schemaVersion", "1.0"},
      {"deploymentId", deployment_id},
      {"version", version},
      {"issuedAt", manifest::internal::FormatUtcTimestamp(now_ - 60)},
      {"expiresAt", manifest::internal::FormatUtcTimestamp(now_ + 86400)},
      {"target", device_ids.empty() ? json{{"tags", {"line7"}}} : json{{"deviceIds", device_ids}}},
      {"modules", mods}};
  std::string payload = manifest.dump();
  auto jws = manifest::jws::SignManifest(AsBytes(payload), *signer_->key.signer, signer_->chain);
  EXPECT_TRUE(jws.has_value()) << jws.error().ToString();
  return jws.value_or("");
}

std::pair<int, std::string> GateE2eTest::Submit(const DaemonProcess& daemon,
                                                const std::string& jws) {
  const std::string file = Path("deployment.jws");
  EXPECT_TRUE(WriteFileAtomic(file, AsBytes(jws), 0600).has_value());
  auto r =
      RunCommand("curl -sS -o " + ShellQuote(Path("answer.json")) +
                 " -w '%{http_code}' --unix-socket " + ShellQuote(daemon.socket_path()) +
                 " -X POST --data-binary @" + ShellQuote(file) + " http://localhost/deployments");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return {std::atoi(r.output.c_str()), ReadText(Path("answer.json"))};
}

std::pair<int, std::string> GateE2eTest::RunAgentOnce(const DaemonProcess& daemon,
                                                      const std::string& smoke) {
  auto r =
      RunCommand(std::string(EDGETRUST_AGENT) + " --once --poll 200ms --socket " +
                 ShellQuote(daemon.socket_path()) + " --work-dir " + ShellQuote(Path("agent/wd")) +
                 " --smoke-test " + ShellQuote(smoke) + " --smoke-timeout 20s 2>&1");
  return {r.exit_code, r.output};
}

std::string GateE2eTest::ReplayEventLog(const DaemonProcess& daemon) const {
  auto log = daemon::gate::EventLog::Open(daemon.state_dir() + "/gate/events.log", 15);
  EXPECT_TRUE(log.has_value());
  return log ? HexEncode(daemon::gate::EventLog::Replay(log->initial(), log->events())) : "";
}

}  // namespace edgetrust::e2e
