#include "daemon/config/config.h"

#include "daemon/config/config_test_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace edgetrust::daemon::config {
namespace {

using std::chrono::milliseconds;

using testing::kBase;
using testing::MarkedLine;

std::string Base(const std::string& extra) { return kBase + extra; }

TEST(DaemonConfigTest, MinimalFileGetsTheDocumentedDefaults) {
  auto config = ParseDaemonConfig(kBase, "test.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->tcti, "device:/dev/tpmrm0");
  EXPECT_EQ(config->state_dir, "/var/lib/edgetrust");
  EXPECT_EQ(config->log_level, LogLevel::kInfo);
  EXPECT_EQ(config->service_url, "https://enroll.example.com:8443");
  EXPECT_EQ(config->ca_bundle, "/etc/edgetrust/service-ca.pem");
  EXPECT_EQ(config->registration_id, "");
  EXPECT_EQ(config->ek_type, attestation::EkType::kRsa2048);
  EXPECT_EQ(config->ak_algorithm, attestation::KeyAlgorithm::kEccP256);
  EXPECT_EQ(config->identity_algorithm, attestation::KeyAlgorithm::kEccP256);
  EXPECT_DOUBLE_EQ(config->renew_threshold, 0.8);
  EXPECT_EQ(config->retry_initial, milliseconds(1000));
  EXPECT_EQ(config->retry_max, milliseconds(300000));
  EXPECT_EQ(config->socket_path, "/run/edgetrust/edgetrustd.sock");
  EXPECT_TRUE(config->principals.empty());
}

TEST(DaemonConfigTest, ParsesEveryKey) {
  const std::string text = R"(tcti = "swtpm:host=127.0.0.1,port=2321"
state_dir = "/srv/edgetrust/state"
log_level = "debug"
[enrollment]
service_url = "https://enroll.example.com/edgetrust"
ca_bundle = "/etc/edgetrust/ca.pem"
registration_id = "line7-0042"
ek_algorithm = "ecc384"
[keys]
attestation = "rsa2048"
identity = "ecc256"
[renewal]
threshold = 0.5
retry_initial = "250ms"
retry_max = "24h"
[local_api]
socket = "/run/et/api.sock"
[[local_api.principals]]
name = "edge-agent"
uid = 1000
endpoints = ["status", "certificate", "sign"]
[[local_api.principals]]
name = "root.maint_1"
uid = 0
endpoints = ["reenroll", "factory-reset"]
)";
  auto config = ParseDaemonConfig(text, "test.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->tcti, "swtpm:host=127.0.0.1,port=2321");
  EXPECT_EQ(config->state_dir, "/srv/edgetrust/state");
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
  EXPECT_EQ(config->service_url, "https://enroll.example.com/edgetrust");
  EXPECT_EQ(config->ca_bundle, "/etc/edgetrust/ca.pem");
  EXPECT_EQ(config->registration_id, "line7-0042");
  EXPECT_EQ(config->ek_type, attestation::EkType::kEccP384);
  EXPECT_EQ(config->ak_algorithm, attestation::KeyAlgorithm::kRsa2048);
  EXPECT_EQ(config->identity_algorithm, attestation::KeyAlgorithm::kEccP256);
  EXPECT_DOUBLE_EQ(config->renew_threshold, 0.5);
  EXPECT_EQ(config->retry_initial, milliseconds(250));
  EXPECT_EQ(config->retry_max, std::chrono::hours(24));
  EXPECT_EQ(config->socket_path, "/run/et/api.sock");
  ASSERT_EQ(config->principals.size(), 2u);
  EXPECT_EQ(config->principals[0].name, "edge-agent");
  EXPECT_EQ(config->principals[0].uid, 1000u);
  EXPECT_EQ(config->principals[0].endpoints,
            (std::set<api::Endpoint>{api::Endpoint::kStatus, api::Endpoint::kCertificate,
                                     api::Endpoint::kSign}));
  EXPECT_EQ(config->principals[1].name, "root.maint_1");
  EXPECT_EQ(config->principals[1].uid, 0u);
  EXPECT_EQ(config->principals[1].endpoints,
            (std::set<api::Endpoint>{api::Endpoint::kReenroll, api::Endpoint::kFactoryReset}));
}

TEST(DaemonConfigTest, AcceptsEveryDurationUnitAndTheLargestUid) {
  for (const auto& [text, ms] : std::vector<std::pair<std::string, int64_t>>{
           {"1ms", 1}, {"250ms", 250}, {"90s", 90'000}, {"5m", 300'000}, {"24h", 86'400'000}}) {
    auto config = ParseDaemonConfig(
        Base("[renewal]\nretry_initial = \"1ms\"\nretry_max = \"" + text + "\"\n"), "t.toml");
    ASSERT_TRUE(config.has_value()) << text << ": " << config.error().ToString();
    EXPECT_EQ(config->retry_max, milliseconds(ms)) << text;
  }
  auto config = ParseDaemonConfig(
      Base("[[local_api.principals]]\nname = \"n\"\nuid = 4294967294\nendpoints = [\"status\"]\n"),
      "t.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->principals[0].uid, 4294967294u);
}

// The longest socket path the config accepts is one the server can bind (with its temporary
// "<path>.tmp<pid>" name); one byte more is refused in the config, not at bind time.
TEST(DaemonConfigTest, AcceptsTheLongestBindableSocketPath) {
  const std::string longest = "/" + std::string(95, 's');
  auto config = ParseDaemonConfig(Base("[local_api]\nsocket = \"" + longest + "\"\n"), "t.toml");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->socket_path.size(), 96u);
  EXPECT_FALSE(ParseDaemonConfig(Base("[local_api]\nsocket = \"" + longest + "s\"\n"), "t.toml"));
}

TEST(DaemonConfigTest, ExampleConfigParses) {
  const char* dir = std::getenv("EDGETRUST_SOURCE_DIR");
  ASSERT_NE(dir, nullptr);
  const std::string path = std::string(dir) + "/daemon/config/example-config.toml";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  auto config = ParseDaemonConfig(text.str(), path);
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->tcti, "device:/dev/tpmrm0");
  EXPECT_EQ(config->registration_id, "line7-0042");
  EXPECT_EQ(config->retry_max, std::chrono::minutes(5));
  ASSERT_EQ(config->principals.size(), 3u);
  EXPECT_TRUE(config->principals[0].endpoints.contains(api::Endpoint::kSign));
  EXPECT_TRUE(config->principals[0].endpoints.contains(api::Endpoint::kPlan));
  EXPECT_FALSE(config->principals[0].endpoints.contains(api::Endpoint::kFactoryReset));
  EXPECT_FALSE(config->principals[0].endpoints.contains(api::Endpoint::kDeploy));
  EXPECT_TRUE(config->gate.enabled);
  EXPECT_EQ(config->gate.tags, std::vector<std::string>{"line7"});
}

struct BadCase {
  std::string name;
  std::string text;  // the offending line (or the table blamed for a missing key) has "# <-"
  std::string key;   // dotted key the message must name
  std::string reason = "config.invalid";
};

const std::string kPrincipal = "[[local_api.principals]]\n";
// A missing key is blamed on its table's header.
const std::string kPrincipalMarked = "[[local_api.principals]] # <-\n";

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::vector<BadCase> BadCases() {
  return {
      // --- top level ---
      {"missing tcti",
       "# <-\n[enrollment]\nservice_url = \"https://e.example\"\nca_bundle = \"/ca.pem\"\n",
       "tcti"},
      {"empty tcti", "tcti = \"\" # <-\n[enrollment]\n", "tcti"},
      {"tcti not a string", "tcti = 5 # <-\n[enrollment]\n", "tcti"},
      {"tcti with NUL", "tcti = \"device:/dev/tpmrm0\\u0000x\" # <-\n", "tcti"},
      {"unknown top-level key", "tctii = \"x\" # <-\n" + Base(""), "tctii"},
      {"relative state_dir", "state_dir = \"var/lib/edgetrust\" # <-\n" + Base(""), "state_dir"},
      {"log_level name", "log_level = \"verbose\" # <-\n" + Base(""), "log_level"},
      {"log_level type", "log_level = 2 # <-\n" + Base(""), "log_level"},
      // --- [enrollment] ---
      {"missing enrollment table", "# <-\ntcti = \"device:/dev/tpmrm0\"\n", "enrollment"},
      {"enrollment not a table", "tcti = \"x\"\nenrollment = \"y\" # <-\n", "enrollment"},
      {"misspelt table", Base("[enrolment] # <-\n"), "enrolment"},
      {"http service_url",
       "tcti = \"x\"\n[enrollment]\nservice_url = \"http://enroll.example.com\" # <-\n",
       "enrollment.service_url"},
      {"service_url without host",
       "tcti = \"x\"\n[enrollment]\nservice_url = \"https:///x\" # <-\n", "enrollment.service_url"},
      {"service_url with credentials",
       "tcti = \"x\"\n[enrollment]\nservice_url = \"https://u:p@e.example\" # <-\n",
       "enrollment.service_url"},
      {"missing service_url", "tcti = \"x\"\n[enrollment] # <-\nca_bundle = \"/ca.pem\"\n",
       "enrollment.service_url"},
      {"missing ca_bundle",
       "tcti = \"x\"\n[enrollment] # <-\nservice_url = \"https://e.example\"\n",
       "enrollment.ca_bundle"},
      {"relative ca_bundle",
       "tcti = \"x\"\n[enrollment]\nservice_url = \"https://e.example\"\n"
       "ca_bundle = \"ca.pem\" # <-\n",
       "enrollment.ca_bundle"},
      {"bad registration_id", Base("registration_id = \"-rm\" # <-\n"),
       "enrollment.registration_id"},
      {"unknown ek_algorithm", Base("ek_algorithm = \"rsa4096\" # <-\n"),
       "enrollment.ek_algorithm"},
      {"unknown enrollment key", Base("url = \"https://e.example\" # <-\n"), "enrollment.url"},
      // --- [keys] ---
      {"ecc384 is no key algorithm", Base("[keys]\nattestation = \"ecc384\" # <-\n"),
       "keys.attestation"},
      {"identity type", Base("[keys]\nidentity = true # <-\n"), "keys.identity"},
      {"unknown keys key", Base("[keys]\nek = \"ecc256\" # <-\n"), "keys.ek"},
      // --- [renewal] ---
      {"threshold 1", Base("[renewal]\nthreshold = 1.0 # <-\n"), "renewal.threshold"},
      {"threshold 0", Base("[renewal]\nthreshold = 0 # <-\n"), "renewal.threshold"},
      {"threshold negative", Base("[renewal]\nthreshold = -0.5 # <-\n"), "renewal.threshold"},
      {"threshold nan", Base("[renewal]\nthreshold = nan # <-\n"), "renewal.threshold"},
      {"threshold string", Base("[renewal]\nthreshold = \"0.8\" # <-\n"), "renewal.threshold"},
      {"zero retry_initial", Base("[renewal]\nretry_initial = \"0s\" # <-\n"),
       "renewal.retry_initial"},
      {"bare number duration", Base("[renewal]\nretry_initial = 5 # <-\n"),
       "renewal.retry_initial"},
      {"fractional duration", Base("[renewal]\nretry_initial = \"1.5s\" # <-\n"),
       "renewal.retry_initial"},
      {"negative duration", Base("[renewal]\nretry_initial = \"-1s\" # <-\n"),
       "renewal.retry_initial"},
      {"unknown unit", Base("[renewal]\nretry_max = \"2d\" # <-\n"), "renewal.retry_max"},
      {"duration above 24h", Base("[renewal]\nretry_max = \"25h\" # <-\n"), "renewal.retry_max"},
      {"retry_initial above retry_max",
       Base("[renewal]\nretry_initial = \"10m\" # <-\nretry_max = \"5m\"\n"),
       "renewal.retry_initial"},
      {"retry_max below default initial", Base("[renewal]\nretry_max = \"500ms\" # <-\n"),
       "renewal.retry_max"},
      {"unknown renewal key", Base("[renewal]\nthreshhold = 0.5 # <-\n"), "renewal.threshhold"},
      // --- [local_api] ---
      {"relative socket", Base("[local_api]\nsocket = \"edgetrustd.sock\" # <-\n"),
       "local_api.socket"},
      {"socket too long", Base("[local_api]\nsocket = \"/" + std::string(96, 's') + "\" # <-\n"),
       "local_api.socket"},
      {"unknown local_api key", Base("[local_api]\nmode = \"0660\" # <-\n"), "local_api.mode"},
      {"principals not an array", Base("[local_api]\nprincipals = 5 # <-\n"),
       "local_api.principals"},
      {"principal not a table", Base("[local_api]\nprincipals = [\"x\"] # <-\n"),
       "local_api.principals[0]"},
      {"missing principal name", Base(kPrincipalMarked + "uid = 1\nendpoints = [\"status\"]\n"),
       "local_api.principals[0].name"},
      {"empty principal name", Base(kPrincipal + "name = \"\" # <-\n"),
       "local_api.principals[0].name"},
      {"principal name with a space", Base(kPrincipal + "name = \"edge agent\" # <-\n"),
       "local_api.principals[0].name"},
      {"missing uid", Base(kPrincipalMarked + "name = \"a\"\nendpoints = [\"status\"]\n"),
       "local_api.principals[0].uid"},
      {"negative uid", Base(kPrincipal + "name = \"a\"\nuid = -1 # <-\n"),
       "local_api.principals[0].uid"},
      {"uid (uid_t)-1", Base(kPrincipal + "name = \"a\"\nuid = 4294967295 # <-\n"),
       "local_api.principals[0].uid"},
      {"uid string", Base(kPrincipal + "name = \"a\"\nuid = \"1000\" # <-\n"),
       "local_api.principals[0].uid"},
      {"uid float", Base(kPrincipal + "name = \"a\"\nuid = 1000.0 # <-\n"),
       "local_api.principals[0].uid"},
      {"missing endpoints", Base(kPrincipalMarked + "name = \"a\"\nuid = 1\n"),
       "local_api.principals[0].endpoints"},
      {"endpoints not an array",
       Base(kPrincipal + "name = \"a\"\nuid = 1\nendpoints = \"status\" # <-\n"),
       "local_api.principals[0].endpoints"},
      {"empty endpoints", Base(kPrincipal + "name = \"a\"\nuid = 1\nendpoints = [] # <-\n"),
       "local_api.principals[0].endpoints"},
      {"unknown endpoint",
       Base(kPrincipal + "name = \"a\"\nuid = 1\nendpoints = [\"status\",\n  \"admin\", # <-\n]\n"),
       "local_api.principals[0].endpoints[1]"},
      {"endpoint not a string",
       Base(kPrincipal + "name = \"a\"\nuid = 1\nendpoints = [\n  1, # <-\n]\n"),
       "local_api.principals[0].endpoints[0]"},
      {"duplicate endpoint",
       Base(kPrincipal + "name = \"a\"\nuid = 1\nendpoints = [\"sign\",\n  \"sign\", # <-\n]\n"),
       "local_api.principals[0].endpoints[1]"},
      {"unknown principal key",
       Base(kPrincipal + "name = \"a\"\nuid = 1\nendpoints = [\"sign\"]\nuids = [2] # <-\n"),
       "local_api.principals[0].uids"},
      {"duplicate principal name",
       Base(kPrincipal + "name = \"a\"\nuid = 1\nendpoints = [\"sign\"]\n" + kPrincipal +
            "name = \"a\" # <-\nuid = 2\nendpoints = [\"sign\"]\n"),
       "local_api.principals[1].name"},
      {"duplicate principal uid",
       Base(kPrincipal + "name = \"a\"\nuid = 7\nendpoints = [\"sign\"]\n" + kPrincipal +
            "name = \"b\"\nuid = 7 # <-\nendpoints = [\"status\"]\n"),
       "local_api.principals[1].uid"},
      // --- TOML syntax ---
      {"syntax error", Base("[renewal]\nthreshold = # <-\n"), "", "config.syntax"},
      {"duplicate key", Base("ca_bundle = \"/other.pem\" # <-\n"), "", "config.syntax"},
      {"invalid UTF-8", Base("registration_id = \"\xff\" # <-\n"), "", "config.syntax"},
  };
}

class BadConfigTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfigTest, NamesSourceLineAndKey) {
  const BadCase& c = GetParam();
  const int line = MarkedLine(c.text);
  ASSERT_GT(line, 0) << "case without a # <- marker";
  auto config = ParseDaemonConfig(c.text, "/etc/edgetrust/config.toml");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(config.error().reason, c.reason);
  const std::string where = "/etc/edgetrust/config.toml:" + std::to_string(line) + ":";
  if (c.reason == "config.invalid") {
    EXPECT_NE(config.error().message.find(where + " " + c.key + ": "), std::string::npos)
        << config.error().message;
  } else {
    EXPECT_TRUE(config.error().message.starts_with(where)) << config.error().message;
  }
}

std::string CaseName(const ::testing::TestParamInfo<BadCase>& param) {
  std::string name;
  for (char c : param.param.name) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, BadConfigTest, ::testing::ValuesIn(BadCases()), CaseName);

TEST(DaemonConfigTest, MessagesExplainTheProblem) {
  auto http = ParseDaemonConfig(
      "tcti = \"x\"\n[enrollment]\nservice_url = \"http://e.example\"\nca_bundle = \"/c\"\n",
      "c.toml");
  ASSERT_FALSE(http.has_value());
  EXPECT_EQ(http.error().message,
            "c.toml:3: enrollment.service_url: must be an https:// URL (the enrollment service is "
            "reached over TLS only)");
  auto endpoint = ParseDaemonConfig(
      Base(kPrincipal + "name = \"a\"\nuid = 1\nendpoints = [\"admin\"]\n"), "c.toml");
  ASSERT_FALSE(endpoint.has_value());
  EXPECT_NE(endpoint.error().message.find("status, certificate, sign, reenroll, factory-reset"),
            std::string::npos)
      << endpoint.error().message;
  auto uid = ParseDaemonConfig(Base(kPrincipal + "name = \"a\"\nuid = 7\nendpoints = [\"sign\"]\n" +
                                    kPrincipal + "name = \"b\"\nuid = 7\nendpoints = [\"sign\"]\n"),
                               "c.toml");
  ASSERT_FALSE(uid.has_value());
  EXPECT_NE(uid.error().message.find("already used by principals[0] (\"a\")"), std::string::npos)
      << uid.error().message;
}

TEST(DaemonConfigTest, RefusesMoreThanOneMebibyte) {
  std::string text = Base("#" + std::string(1024 * 1024, 'x') + "\n");
  auto config = ParseDaemonConfig(text, "big.toml");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(config.error().reason, "config.too_large");
}

// --- LoadDaemonConfig ---

class LoadDaemonConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("edgetrust-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directory(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  static void ExpectError(const Result<DaemonConfig>& config, ErrorCode code,
                          const std::string& reason) {
    ASSERT_FALSE(config.has_value());
    EXPECT_EQ(config.error().code, code) << config.error().ToString();
    EXPECT_EQ(config.error().reason, reason) << config.error().ToString();
  }

  std::filesystem::path dir_;
};

TEST_F(LoadDaemonConfigTest, LoadsAPrivateOrReadOnlyFile) {
  for (mode_t mode : {0600, 0644, 0400, 0640}) {
    auto config = LoadDaemonConfig(Write("config.toml", kBase, mode));
    ASSERT_TRUE(config.has_value()) << std::oct << mode << ": " << config.error().ToString();
    EXPECT_EQ(config->tcti, "device:/dev/tpmrm0");
  }
}

TEST_F(LoadDaemonConfigTest, NamesThePathInParseErrors) {
  const std::string path = Write("config.toml", Base("[renewal]\nthreshold = 2.0\n"), 0644);
  auto config = LoadDaemonConfig(path);
  ExpectError(config, ErrorCode::kInvalidArgument, "config.invalid");
  EXPECT_TRUE(config.error().message.starts_with(path + ":6: renewal.threshold: "))
      << config.error().message;
}

TEST_F(LoadDaemonConfigTest, RefusesGroupOrWorldWritableFiles) {
  for (mode_t mode : {0664, 0646, 0666, 0620, 0602}) {
    auto config = LoadDaemonConfig(Write("config.toml", kBase, mode));
    ExpectError(config, ErrorCode::kPermissionDenied, "config.insecure_permissions");
  }
}

TEST_F(LoadDaemonConfigTest, RefusesWhatIsNotARegularFile) {
  ExpectError(LoadDaemonConfig(dir_.string()), ErrorCode::kPermissionDenied,
              "config.insecure_permissions");
  const std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ExpectError(LoadDaemonConfig(fifo), ErrorCode::kPermissionDenied,
              "config.insecure_permissions");  // and does not hang waiting for a writer
  ExpectError(LoadDaemonConfig("/dev/null"), ErrorCode::kPermissionDenied,
              "config.insecure_permissions");
}

TEST_F(LoadDaemonConfigTest, FollowsASymlinkAndJudgesItsTarget) {
  const std::string target = Write("real.toml", kBase, 0644);
  const std::string link = (dir_ / "config.toml").string();
  std::filesystem::create_symlink(target, link);
  EXPECT_TRUE(LoadDaemonConfig(link).has_value());
  ASSERT_EQ(::chmod(target.c_str(), 0666), 0);
  ExpectError(LoadDaemonConfig(link), ErrorCode::kPermissionDenied, "config.insecure_permissions");
}

TEST_F(LoadDaemonConfigTest, RefusesAFileOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
  const std::string path = Write("config.toml", kBase, 0644);
  ASSERT_EQ(::chown(path.c_str(), 4242, 4242), 0);
  ExpectError(LoadDaemonConfig(path), ErrorCode::kPermissionDenied, "config.insecure_permissions");
}

TEST_F(LoadDaemonConfigTest, MissingAndLargeFiles) {
  ExpectError(LoadDaemonConfig((dir_ / "absent.toml").string()), ErrorCode::kNotFound,
              "config.read");
  ExpectError(LoadDaemonConfig(Write("big.toml", Base("#" + std::string(1024 * 1024, 'x')), 0644)),
              ErrorCode::kResourceExhausted, "config.too_large");
}

TEST_F(LoadDaemonConfigTest, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads mode 000 files";
  ExpectError(LoadDaemonConfig(Write("secret.toml", kBase, 0000)), ErrorCode::kPermissionDenied,
              "config.read");
}

}  // namespace
}  // namespace edgetrust::daemon::config
