#include "tools/factory/bundle.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/api/wire.h"
#include "daemon/config/config.h"

namespace edgetrust::factory {
namespace {

// ParamName names a parameterized case by its `name` field.
template <typename T>
std::string ParamName(const ::testing::TestParamInfo<T>& info) {
  return info.param.name;
}

namespace fs = std::filesystem;
using daemon::config::DaemonConfig;
using daemon::config::ParseDaemonConfig;

constexpr const char* kDeviceUrl = "https://enroll.example.com:8443";
constexpr const char* kBundleDir = "/srv/bundles/line7-0042";
constexpr const char* kCaPem = "-----BEGIN CERTIFICATE-----\nservice\n-----END CERTIFICATE-----\n";
constexpr const char* kRootsPem = "-----BEGIN CERTIFICATE-----\nroots\n-----END CERTIFICATE-----\n";

BundleInput Input() {
  BundleInput in;
  in.registration_id = "line7-0042";
  in.station_tcti = "swtpm:host=127.0.0.1,port=2321";
  in.tags = {"line7", "eu"};
  in.bundle_dir = kBundleDir;
  in.ca_bundle_pem = kCaPem;
  in.manifest_roots_pem = kRootsPem;
  return in;
}

// Render renders the bundle and parses its config.toml with the daemon's own parser.
struct Rendered {
  std::vector<BundleFile> files;
  DaemonConfig config;
};

Result<Rendered> Render(const BundleProfile& profile, const BundleInput& input,
                        const std::string& ek_algorithm = "rsa2048") {
  auto files = RenderBundle(profile, kDeviceUrl, ek_algorithm, input);
  if (!files) return Fail(files.error());
  if (files->empty() || files->front().name != "config.toml") {
    return Fail(ErrorCode::kInternal, "test.no_config", "config.toml is not the first file");
  }
  auto config = ParseDaemonConfig(files->front().content, "config.toml");
  if (!config) return Fail(config.error());
  return Rendered{std::move(*files), std::move(*config)};
}

std::vector<std::string> Names(const std::vector<BundleFile>& files) {
  std::vector<std::string> names;
  for (const BundleFile& f : files) names.push_back(f.name);
  return names;
}

struct Case {
  const char* name;
  std::function<void(BundleProfile&, BundleInput&)> edit;
  std::string ek_algorithm = "rsa2048";
  std::function<void(const Rendered&)> check;
};

class RenderBundleTest : public ::testing::TestWithParam<Case> {};

TEST_P(RenderBundleTest, TheDaemonReadsWhatTheProfileSays) {
  BundleProfile profile;
  BundleInput input = Input();
  GetParam().edit(profile, input);
  auto r = Render(profile, input, GetParam().ek_algorithm);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  // What every bundle says.
  EXPECT_EQ(r->config.service_url, kDeviceUrl);
  EXPECT_EQ(r->config.registration_id, input.registration_id);
  EXPECT_EQ(r->files[1].name, "ca-bundle.pem");
  EXPECT_EQ(r->files[1].content, kCaPem);
  GetParam().check(*r);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RenderBundleTest,
    ::testing::Values(
        Case{
            "Defaults", [](BundleProfile&, BundleInput&) {}, "rsa2048",
            [](const Rendered& r) {
              EXPECT_EQ(Names(r.files), (std::vector<std::string>{"config.toml", "ca-bundle.pem"}));
              EXPECT_EQ(r.config.tcti, "device:/dev/tpmrm0");
              EXPECT_EQ(r.config.state_dir, "/var/lib/edgetrust");
              EXPECT_EQ(r.config.socket_path, "/run/edgetrust/edgetrustd.sock");
              // install_dir "" = the bundle directory.
              EXPECT_EQ(r.config.ca_bundle, std::string(kBundleDir) + "/ca-bundle.pem");
              EXPECT_EQ(r.config.ek_type, attestation::EkType::kRsa2048);
              EXPECT_TRUE(r.config.principals.empty());
              EXPECT_FALSE(r.config.gate.enabled);  // tags alone do not make a gate
            }},
        Case{"StationTcti", [](BundleProfile& p, BundleInput&) { p.device_tcti = "station"; },
             "rsa2048",
             [](const Rendered& r) { EXPECT_EQ(r.config.tcti, "swtpm:host=127.0.0.1,port=2321"); }},
        Case{"OwnTcti",
             [](BundleProfile& p, BundleInput&) { p.device_tcti = "swtpm:path=/run/swtpm/sock"; },
             "rsa2048",
             [](const Rendered& r) { EXPECT_EQ(r.config.tcti, "swtpm:path=/run/swtpm/sock"); }},
        Case{"InstallDirExpanded",
             [](BundleProfile& p, BundleInput&) {
               p.install_dir = "/etc/edgetrust";
               p.state_dir = "{install_dir}/state";
               p.socket = "{install_dir}/run/{install_dir}.sock";
             },
             "ecc256",
             [](const Rendered& r) {
               EXPECT_EQ(r.config.state_dir, "/etc/edgetrust/state");
               EXPECT_EQ(r.config.socket_path, "/etc/edgetrust/run//etc/edgetrust.sock");
               EXPECT_EQ(r.config.ca_bundle, "/etc/edgetrust/ca-bundle.pem");
               EXPECT_EQ(r.config.ek_type, attestation::EkType::kEccP256);
             }},
        Case{"BundleDirExpandedWithoutInstallDir",
             [](BundleProfile& p, BundleInput&) { p.state_dir = "{install_dir}/state"; }, "ecc384",
             [](const Rendered& r) {
               EXPECT_EQ(r.config.state_dir, std::string(kBundleDir) + "/state");
               EXPECT_EQ(r.config.ek_type, attestation::EkType::kEccP384);
             }},
        Case{"Gate",
             [](BundleProfile& p, BundleInput&) {
               p.install_dir = "/opt/et";
               p.manifest_roots = "/station/manifest-roots.pem";
               p.staging_dir = "{install_dir}/staging";
               p.store_dir = "/data/store";
             },
             "rsa2048",
             [](const Rendered& r) {
               EXPECT_EQ(Names(r.files), (std::vector<std::string>{"config.toml", "ca-bundle.pem",
                                                                   "manifest-roots.pem"}));
               EXPECT_EQ(r.files[2].content, kRootsPem);
               ASSERT_TRUE(r.config.gate.enabled);
               EXPECT_EQ(r.config.gate.trust_roots, "/opt/et/manifest-roots.pem");
               EXPECT_EQ(r.config.gate.staging_dir, "/opt/et/staging");
               EXPECT_EQ(r.config.gate.store_dir, "/data/store");
               EXPECT_EQ(r.config.gate.tags, (std::vector<std::string>{"line7", "eu"}));
             }},
        Case{"GateWithoutTags",
             [](BundleProfile& p, BundleInput& in) {
               p.manifest_roots = "/station/roots.pem";
               in.tags.clear();
             },
             "rsa2048",
             [](const Rendered& r) {
               ASSERT_TRUE(r.config.gate.enabled);
               EXPECT_EQ(r.config.gate.trust_roots,
                         std::string(kBundleDir) + "/manifest-roots.pem");
               EXPECT_EQ(r.config.gate.staging_dir, "/var/lib/edgetrust-gate/staging");
               EXPECT_EQ(r.config.gate.store_dir, "/var/lib/edgetrust-gate/store");
               EXPECT_TRUE(r.config.gate.tags.empty());
             }},
        Case{"Principals",
             [](BundleProfile& p, BundleInput&) {
               p.principals = {{"edge-agent", 1000, {"status", "sign", "deploy"}},
                               {"monitor", 0, {"status"}}};
             },
             "rsa2048",
             [](const Rendered& r) {
               using daemon::api::Endpoint;
               ASSERT_EQ(r.config.principals.size(), 2u);
               EXPECT_EQ(r.config.principals[0].name, "edge-agent");
               EXPECT_EQ(r.config.principals[0].uid, 1000u);
               EXPECT_EQ(
                   r.config.principals[0].endpoints,
                   (std::set<Endpoint>{Endpoint::kStatus, Endpoint::kSign, Endpoint::kDeploy}));
               EXPECT_EQ(r.config.principals[1].name, "monitor");
               EXPECT_EQ(r.config.principals[1].uid, 0u);
               EXPECT_EQ(r.config.principals[1].endpoints, std::set<Endpoint>{Endpoint::kStatus});
             }},
        // TOML-hostile characters the daemon allows come back as the same string.
        Case{"QuoteAndBackslashRoundTrip",
             [](BundleProfile& p, BundleInput&) {
               p.device_tcti = R"(cmd:tpm2-sim --name "a b" C:\tpm)";
               p.state_dir = R"(/var/lib/"edge"\trust)";
               p.socket = R"(/run/a\"b.sock)";
             },
             "rsa2048",
             [](const Rendered& r) {
               EXPECT_EQ(r.config.tcti, R"(cmd:tpm2-sim --name "a b" C:\tpm)");
               EXPECT_EQ(r.config.state_dir, R"(/var/lib/"edge"\trust)");
               EXPECT_EQ(r.config.socket_path, R"(/run/a\"b.sock)");
             }},
        Case{"TomlLookalikesRoundTrip",
             [](BundleProfile& p, BundleInput& in) {
               in.station_tcti = R"(swtpm:x=\u0041,y=\n'''""")";
               p.device_tcti = "station";
               p.install_dir = "/opt/#not a comment/[table]";
             },
             "rsa2048",
             [](const Rendered& r) {
               EXPECT_EQ(r.config.tcti, R"(swtpm:x=\u0041,y=\n'''""")");
               EXPECT_EQ(r.config.ca_bundle, "/opt/#not a comment/[table]/ca-bundle.pem");
             }},
        Case{"Utf8RoundTrips",
             [](BundleProfile& p, BundleInput&) { p.state_dir = "/var/lib/\xc3\xa9\xe2\x9c\x93"; },
             "rsa2048",
             [](const Rendered& r) {
               EXPECT_EQ(r.config.state_dir, "/var/lib/\xc3\xa9\xe2\x9c\x93");
             }},
        // The daemon's own bound (sun_path less room for its temporary name) is the limit.
        Case{"SocketOfTheLongestLength",
             [](BundleProfile& p, BundleInput&) {
               p.socket = "/" + std::string(daemon::api::kMaxSocketPathLength - 1, 's');
             },
             "rsa2048",
             [](const Rendered& r) {
               EXPECT_EQ(r.config.socket_path.size(), daemon::api::kMaxSocketPathLength);
             }}),
    ParamName<Case>);

struct BadCase {
  const char* name;
  std::function<void(BundleProfile&, BundleInput&)> edit;
};

class RenderBundleBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RenderBundleBadTest, RefusesWhatTheDaemonRefuses) {
  BundleProfile profile;
  BundleInput input = Input();
  GetParam().edit(profile, input);
  auto files = RenderBundle(profile, kDeviceUrl, "rsa2048", input);
  ASSERT_FALSE(files.has_value());
  EXPECT_EQ(files.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(files.error().reason, "factory.bad_bundle");
  // The daemon's message is passed on; it names the offending line of config.toml.
  EXPECT_NE(files.error().message.find("config.toml:"), std::string::npos) << files.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RenderBundleBadTest,
    ::testing::Values(
        BadCase{"NewlineInDeviceTcti",
                [](BundleProfile& p, BundleInput&) { p.device_tcti = "device:/dev/tpmrm0\nx=1"; }},
        BadCase{"TabInStationTcti",
                [](BundleProfile& p, BundleInput& in) {
                  p.device_tcti = "station";
                  in.station_tcti = "swtpm:\thost";
                }},
        BadCase{
            "NulInStateDir",
            [](BundleProfile& p, BundleInput&) { p.state_dir = std::string("/var/lib/a\0b", 12); }},
        BadCase{"DelInSocket",
                [](BundleProfile& p, BundleInput&) { p.socket = "/run/a\x7f.sock"; }},
        BadCase{"EscapeInInstallDir",
                [](BundleProfile& p, BundleInput&) { p.install_dir = "/opt/\x1b[2J"; }},
        BadCase{"InvalidUtf8",
                [](BundleProfile& p, BundleInput&) { p.state_dir = "/var/lib/\xff"; }},
        BadCase{"SocketOver108Bytes",
                [](BundleProfile& p, BundleInput&) { p.socket = "/" + std::string(108, 's'); }},
        BadCase{"SocketOneOverTheDaemonsBound",
                [](BundleProfile& p, BundleInput&) {
                  p.socket = "/" + std::string(daemon::api::kMaxSocketPathLength, 's');
                }},
        BadCase{"SocketOver108BytesAfterExpansion",
                [](BundleProfile& p, BundleInput&) {
                  p.install_dir = "/" + std::string(100, 'i');
                  p.socket = "{install_dir}/run/edgetrustd.sock";
                }},
        BadCase{"RelativeStateDir", [](BundleProfile& p, BundleInput&) { p.state_dir = "state"; }},
        BadCase{"EmptyStationTcti",
                [](BundleProfile& p, BundleInput& in) {
                  p.device_tcti = "station";
                  in.station_tcti.clear();
                }},
        BadCase{"BadRegistrationId",
                [](BundleProfile&, BundleInput& in) { in.registration_id = "-bad id"; }},
        BadCase{"BadTagInGate",
                [](BundleProfile& p, BundleInput& in) {
                  p.manifest_roots = "/r.pem";
                  in.tags = {"ok", "not ok"};
                }},
        BadCase{"UnknownEndpoint",
                [](BundleProfile& p, BundleInput&) {
                  p.principals = {{"a", 1, {"root"}}};
                }},
        BadCase{"BadPrincipalName",
                [](BundleProfile& p, BundleInput&) {
                  p.principals = {{"a b", 1, {"status"}}};
                }},
        BadCase{"DuplicatePrincipalUid",
                [](BundleProfile& p, BundleInput&) {
                  p.principals = {{"a", 1, {"status"}}, {"b", 1, {"sign"}}};
                }}),
    ParamName<BadCase>);

TEST(RenderBundleTest, BadEkAlgorithmIsRefused) {
  auto files = RenderBundle(BundleProfile{}, kDeviceUrl, "rsa4096", Input());
  ASSERT_FALSE(files.has_value());
  EXPECT_EQ(files.error().reason, "factory.bad_bundle");
}

TEST(BundleWriteNameTest, Names) {
  EXPECT_STREQ(BundleWriteName(BundleWrite::kWritten), "written");
  EXPECT_STREQ(BundleWriteName(BundleWrite::kUnchanged), "unchanged");
  EXPECT_STREQ(BundleWriteName(BundleWrite::kUpdated), "updated");
}

class WriteBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edgetrust-bundle-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/bundles/line7-0042";
    files_ = {{"config.toml", "tcti = \"device:/dev/tpmrm0\"\n"},
              {"ca-bundle.pem", kCaPem},
              {"manifest-roots.pem", kRootsPem}};
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  static mode_t Mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  static timespec Mtime(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mtim;
  }
  // Backdate sets a file's mtime far in the past so that a rewrite would show.
  static void Backdate(const std::string& path) {
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(24));
  }

  std::string root_;
  std::string dir_;
  std::vector<BundleFile> files_;
};

TEST_F(WriteBundleTest, WritesThenLeavesAloneThenUpdates) {
  auto first = WriteBundle(dir_, files_);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(*first, BundleWrite::kWritten);
  for (const BundleFile& f : files_) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(Read(dir_ + "/" + f.name), f.content);
    EXPECT_EQ(Mode(dir_ + "/" + f.name), 0644u);
  }
  EXPECT_EQ(Mode(dir_), 0755u);

  for (const BundleFile& f : files_) Backdate(dir_ + "/" + f.name);
  std::vector<timespec> before;
  for (const BundleFile& f : files_) before.push_back(Mtime(dir_ + "/" + f.name));

  auto again = WriteBundle(dir_, files_);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(*again, BundleWrite::kUnchanged);
  for (size_t i = 0; i < files_.size(); ++i) {
    const timespec after = Mtime(dir_ + "/" + files_[i].name);
    EXPECT_EQ(after.tv_sec, before[i].tv_sec) << files_[i].name;
    EXPECT_EQ(after.tv_nsec, before[i].tv_nsec) << files_[i].name;
  }

  files_[0].content += "log_level = \"debug\"\n";
  auto changed = WriteBundle(dir_, files_);
  ASSERT_TRUE(changed.has_value()) << changed.error().ToString();
  EXPECT_EQ(*changed, BundleWrite::kUpdated);
  EXPECT_EQ(Read(dir_ + "/config.toml"), files_[0].content);
  EXPECT_EQ(Mode(dir_ + "/config.toml"), 0644u);
  // The files that did not change were not rewritten.
  EXPECT_EQ(Mtime(dir_ + "/ca-bundle.pem").tv_sec, before[1].tv_sec);

  ASSERT_TRUE(fs::remove(dir_ + "/manifest-roots.pem"));
  auto missing = WriteBundle(dir_, files_);
  ASSERT_TRUE(missing.has_value()) << missing.error().ToString();
  EXPECT_EQ(*missing, BundleWrite::kUpdated);
  EXPECT_EQ(Read(dir_ + "/manifest-roots.pem"), kRootsPem);

  auto last = WriteBundle(dir_, files_);
  ASSERT_TRUE(last.has_value()) << last.error().ToString();
  EXPECT_EQ(*last, BundleWrite::kUnchanged);
}

TEST_F(WriteBundleTest, ShorterOrLongerContentIsAChange) {
  ASSERT_TRUE(WriteBundle(dir_, files_).has_value());
  for (const std::string& content :
       {std::string(kCaPem).substr(0, 10), std::string(kCaPem) + "x", std::string()}) {
    files_[1].content = content;
    auto r = WriteBundle(dir_, files_);
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    EXPECT_EQ(*r, BundleWrite::kUpdated);
    EXPECT_EQ(Read(dir_ + "/ca-bundle.pem"), content);
  }
}

TEST_F(WriteBundleTest, ModesDoNotDependOnTheUmask) {
  const mode_t old = umask(0002);  // a shared-group umask, common on factory hosts
  auto r = WriteBundle(dir_, files_);
  umask(old);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(Mode(dir_), 0755u);
  EXPECT_EQ(Mode(root_ + "/bundles"), 0755u);  // created parents too
  for (const BundleFile& f : files_) EXPECT_EQ(Mode(dir_ + "/" + f.name), 0644u) << f.name;
}

TEST_F(WriteBundleTest, AFileInTheWayOfTheDirectoryIsAnError) {
  fs::create_directories(root_ + "/bundles");
  std::ofstream(root_ + "/bundles/line7-0042") << "not a directory";
  auto r = WriteBundle(dir_, files_);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().reason.starts_with("file.")) << r.error().ToString();
}

TEST_F(WriteBundleTest, RenderedBundleRoundTrips) {
  BundleProfile profile;
  profile.manifest_roots = "/station/roots.pem";
  BundleInput input = Input();
  input.bundle_dir = dir_;
  auto files = RenderBundle(profile, kDeviceUrl, "rsa2048", input);
  ASSERT_TRUE(files.has_value()) << files.error().ToString();
  auto r = WriteBundle(dir_, *files);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(*r, BundleWrite::kWritten);
  // The daemon's loader (with its permission checks) accepts the written file.
  auto config = daemon::config::LoadDaemonConfig(dir_ + "/config.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->ca_bundle, dir_ + "/ca-bundle.pem");
  EXPECT_EQ(Read(config->ca_bundle), kCaPem);
  EXPECT_EQ(Read(config->gate.trust_roots), kRootsPem);
  auto again = RenderBundle(profile, kDeviceUrl, "rsa2048", input);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*WriteBundle(dir_, *again), BundleWrite::kUnchanged);
}

}  // namespace
}  // namespace edgetrust::factory
