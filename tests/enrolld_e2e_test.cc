// End-to-end tests of edgetrust-enrolld's transport, run against the real executable (started
// by EnrolldProcess with a private SoftHSM token), with curl and openssl as independent
// clients: TLS versions, the device listener's generic endpoints, body limits and errors,
// mutual TLS on the operator listener (THREATS E17), operator writes surviving a restart,
// and the Prometheus exposition.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "enrollment/server/testing/enrolld_process.h"

namespace edgetrust {
namespace {

using enrollment::server::testing::EnrolldProcess;
using nlohmann::json;

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct HttpResult {
  int curl_exit = -1;
  int status = 0;
  std::string body;
  std::string headers;
  std::string error;  // curl's stderr
};

class EnrolldE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = EnrolldProcess::Start();
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    enrolld_ = std::move(*started).release();
  }
  static void TearDownTestSuite() {
    if (enrolld_ != nullptr) {
      auto stopped = enrolld_->Stop();
      EXPECT_TRUE(stopped.has_value()) << stopped.error().ToString();
    }
    delete enrolld_;
    enrolld_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(enrolld_, nullptr); }

  // Curl runs curl with `args` (already quoted) and returns status, body and headers.
  HttpResult Curl(const std::string& args) {
    std::string body_file = enrolld_->dir() + "/curl.body";
    std::string header_file = enrolld_->dir() + "/curl.headers";
    std::remove(body_file.c_str());
    std::remove(header_file.c_str());
    CommandResult r =
        RunCommand("curl -sS --max-time 10 --cacert " + Quote(enrolld_->ca_bundle_path()) + " -o " +
                   Quote(body_file) + " -D " + Quote(header_file) + " -w '%{http_code}' " + args);
    HttpResult out;
    out.curl_exit = r.exit_code;
    out.body = ReadText(body_file);
    out.headers = ReadText(header_file);
    std::smatch m;
    static const std::regex code_at_end(R"((\d{3})$)");
    if (std::regex_search(r.output, m, code_at_end)) out.status = std::stoi(m[1]);
    out.error = r.output;
    return out;
  }
  std::string OperatorCert() {
    return " --cert " + Quote(enrolld_->operator_client_cert_path()) + " --key " +
           Quote(enrolld_->operator_client_key_path()) + " ";
  }
  HttpResult Operator(const std::string& method, const std::string& path,
                      const std::string& body = "") {
    std::string args = OperatorCert() + "-X " + method + " ";
    if (!body.empty()) {
      std::string file = enrolld_->dir() + "/request.json";
      std::ofstream(file) << body;
      args += "-H 'Content-Type: application/json' --data-binary @" + Quote(file) + " ";
    }
    return Curl(args + Quote(enrolld_->operator_url() + path));
  }

  static EnrolldProcess* enrolld_;
};

EnrolldProcess* EnrolldE2eTest::enrolld_ = nullptr;

TEST_F(EnrolldE2eTest, HealthzAndCaChainOverTlsVerifyWithOpenssl) {
  HttpResult health = Curl(Quote(enrolld_->device_url() + "/healthz"));
  ASSERT_EQ(health.curl_exit, 0) << health.error;
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(json::parse(health.body), json({{"status", "ok"}}));

  HttpResult ca = Curl(Quote(enrolld_->device_url() + "/v1/ca"));
  ASSERT_EQ(ca.curl_exit, 0) << ca.error;
  EXPECT_EQ(ca.status, 200);
  EXPECT_NE(ca.headers.find("application/pem-certificate-chain"), std::string::npos);
  EXPECT_NE(ca.headers.find("Replay-Nonce: "), std::string::npos) << ca.headers;
  std::string chain = enrolld_->dir() + "/served-chain.pem";
  std::ofstream(chain) << ca.body;
  CommandResult verify = RunCommand("openssl verify -CAfile " + Quote(enrolld_->ca_bundle_path()) +
                                    " " + Quote(chain));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find(": OK"), std::string::npos) << verify.output;
}

TEST_F(EnrolldE2eTest, Tls13And12AcceptedTls11Refused) {
  std::string host = "127.0.0.1:" + std::to_string(enrolld_->device_port());
  for (const char* version : {"-tls1_3", "-tls1_2"}) {
    CommandResult r = RunCommand("echo | openssl s_client -connect " + host + " " + version +
                                 " -CAfile " + Quote(enrolld_->ca_bundle_path()));
    EXPECT_NE(r.output.find("Verify return code: 0 (ok)"), std::string::npos)
        << version << r.output;
    EXPECT_EQ(r.output.find("Cipher is (NONE)"), std::string::npos) << version << r.output;
  }
  HttpResult tls11 = Curl("--tls-max 1.1 " + Quote(enrolld_->device_url() + "/healthz"));
  EXPECT_EQ(tls11.curl_exit, 35) << tls11.error;  // CURLE_SSL_CONNECT_ERROR
  EXPECT_EQ(tls11.status, 0);
  HttpResult tls12 = Curl("--tls-max 1.2 " + Quote(enrolld_->device_url() + "/healthz"));
  EXPECT_EQ(tls12.status, 200) << tls12.error;
}

TEST_F(EnrolldE2eTest, E17OperatorApiWithoutOrWithForeignCertificateIsRefused) {
  std::string url = Quote(enrolld_->operator_url() + "/v1/operator/devices");
  HttpResult none = Curl(url);
  EXPECT_NE(none.curl_exit, 0);
  EXPECT_EQ(none.status, 0) << "an HTTP answer without a client certificate";
  EXPECT_NE(none.error.find("certificate required"), std::string::npos) << none.error;

  HttpResult foreign = Curl("--cert " + Quote(enrolld_->untrusted_client_cert_path()) + " --key " +
                            Quote(enrolld_->untrusted_client_key_path()) + " " + url);
  EXPECT_NE(foreign.curl_exit, 0);
  EXPECT_EQ(foreign.status, 0);
  EXPECT_NE(foreign.error.find("unknown ca"), std::string::npos) << foreign.error;

  HttpResult tls12 = Curl("--tls-max 1.2 " + url);  // no certificate, TLS 1.2: handshake fails
  EXPECT_EQ(tls12.curl_exit, 35) << tls12.error;

  HttpResult ok = Curl(OperatorCert() + url);
  EXPECT_EQ(ok.curl_exit, 0) << ok.error;
  EXPECT_EQ(ok.status, 200);
  // The operator API is not reachable on the device listener.
  HttpResult wrong_listener = Curl(Quote(enrolld_->device_url() + "/v1/operator/devices"));
  EXPECT_EQ(wrong_listener.status, 404);
}

TEST_F(EnrolldE2eTest, OperatorWritesAreAuditedAndSurviveRestart) {
  std::string golden(64, 'a');
  HttpResult policy =
      Operator("POST", "/v1/operator/pcr-policies",
               json{{"id", "e2e-boot"},
                    {"selection", "sha256:0,7"},
                    {"golden", {{{"bank", "sha256"}, {"index", 0}, {"digest", golden}}}}}
                   .dump());
  ASSERT_EQ(policy.status, 201) << policy.body << policy.error;
  HttpResult individual = Operator("POST", "/v1/operator/enrollments/individual",
                                   json{{"registration_id", "e2e-device-1"},
                                        {"ek_digest", std::string(64, 'b')},
                                        {"pcr_policy_id", "e2e-boot"}}
                                       .dump());
  ASSERT_EQ(individual.status, 201) << individual.body;
  HttpResult group = Operator("POST", "/v1/operator/enrollments/groups",
                              json{{"group_id", "e2e-factory"},
                                   {"manufacturer_ca_pem", ReadText(enrolld_->operator_ca_path())}}
                                  .dump());
  ASSERT_EQ(group.status, 201) << group.body;
  HttpResult duplicate =
      Operator("POST", "/v1/operator/pcr-policies", json{{"id", "e2e-boot"}}.dump());
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(json::parse(duplicate.body)["error"], "operator.exists");

  auto check_state = [&] {
    HttpResult list = Operator("GET", "/v1/operator/enrollments/individual");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(json::parse(list.body)["enrollments"][0]["registration_id"], "e2e-device-1");
    HttpResult groups = Operator("GET", "/v1/operator/enrollments/groups/e2e-factory");
    EXPECT_EQ(groups.status, 200) << groups.body;
    HttpResult policies = Operator("GET", "/v1/operator/pcr-policies");
    ASSERT_EQ(policies.status, 200);
    EXPECT_EQ(json::parse(policies.body)["pcr_policies"][0]["id"], "e2e-boot");
    HttpResult audit = Operator("GET", "/v1/operator/audit?limit=100");
    ASSERT_EQ(audit.status, 200) << audit.body;
    SCOPED_TRACE(audit.body);
    std::set<std::string> actions;
    json page = json::parse(audit.body);
    for (const auto& record : page["records"]) {
      EXPECT_EQ(record["actor"], "operator:127.0.0.1");
      actions.insert(record["action"].get<std::string>() + " " +
                     record["subject"].get<std::string>());
    }
    EXPECT_TRUE(actions.contains("pcr_policy.create e2e-boot"));
    EXPECT_TRUE(actions.contains("enrollment.individual.create e2e-device-1"));
    EXPECT_TRUE(actions.contains("enrollment.group.create e2e-factory"));
    HttpResult by_subject = Operator("GET", "/v1/operator/audit?subject=e2e-device-1");
    ASSERT_EQ(by_subject.status, 200);
    EXPECT_EQ(json::parse(by_subject.body)["records"].size(), 1u);
  };
  check_state();
  std::string audit_log = ReadText(enrolld_->audit_log_path());
  EXPECT_NE(audit_log.find("\"enrollment.group.create\""), std::string::npos) << audit_log;

  auto restarted = enrolld_->Restart();
  ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString();
  check_state();
}

TEST_F(EnrolldE2eTest, MetricsAreValidPrometheusText) {
  Curl(Quote(enrolld_->device_url() + "/healthz"));
  HttpResult metrics = Curl(Quote(enrolld_->device_url() + "/metrics"));
  ASSERT_EQ(metrics.status, 200) << metrics.error;
  EXPECT_NE(metrics.headers.find("text/plain; version=0.0.4"), std::string::npos);
  static const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)$)");
  static const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::istringstream lines(metrics.body);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 0);
  EXPECT_NE(metrics.body.find("edgetrust_http_requests_total{endpoint=\"healthz\",status=\"200\"}"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("edgetrust_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(EnrolldE2eTest, OversizedBodyIs413) {
  std::string file = enrolld_->dir() + "/big.json";
  std::ofstream(file) << std::string(100 * 1024, 'a');
  for (const char* extra : {"", "-H 'Transfer-Encoding: chunked' "}) {
    HttpResult r = Curl(std::string(extra) + "-X POST --data-binary @" + Quote(file) + " " +
                        Quote(enrolld_->device_url() + "/v1/attestation/challenge"));
    EXPECT_EQ(r.status, 413) << extra << r.error;
    EXPECT_EQ(json::parse(r.body)["error"], "request.too_large") << r.body;
    EXPECT_NE(r.headers.find("Replay-Nonce: "), std::string::npos);
  }
}

TEST_F(EnrolldE2eTest, MalformedJsonIs400WithReason) {
  HttpResult r =
      Curl("-X POST -H 'Content-Type: application/json' --data-binary '{\"registration_id\": ' " +
           Quote(enrolld_->device_url() + "/v1/attestation/challenge"));
  EXPECT_EQ(r.status, 400) << r.error;
  json body = json::parse(r.body);
  EXPECT_EQ(body["error"], "request.malformed_json");
  EXPECT_TRUE(body["message"].is_string());
  EXPECT_NE(r.headers.find("Replay-Nonce: "), std::string::npos) << r.headers;

  HttpResult wrong_shape = Curl(
      "-X POST --data-binary "
      "'{\"registration_id\":\"d\",\"ek_public\":\"AAAA\",\"ak_public\":\"AAAA\",\"x\":1}' " +
      Quote(enrolld_->device_url() + "/v1/attestation/challenge"));
  EXPECT_EQ(wrong_shape.status, 400);
  EXPECT_EQ(json::parse(wrong_shape.body)["error"], "request.unknown_field") << wrong_shape.body;

  HttpResult nonce = Curl("-I " + Quote(enrolld_->device_url() + "/v1/nonce"));
  EXPECT_EQ(nonce.status, 204);
  EXPECT_NE(nonce.headers.find("Replay-Nonce: "), std::string::npos);
  HttpResult unknown = Curl(Quote(enrolld_->device_url() + "/v1/nothing-here"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["error"], "request.not_found");
  HttpResult method = Curl("-X DELETE " + Quote(enrolld_->device_url() + "/v1/ca"));
  EXPECT_EQ(method.status, 405);
}

}  // namespace
}  // namespace edgetrust
