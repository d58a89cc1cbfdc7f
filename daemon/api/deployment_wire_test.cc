// The gate's wire types: what ToJson writes, Parse reads back; Parse refuses every shape that
// is not exactly the documented one.
#include "daemon/api/deployment_wire.h"

#include <gtest/gtest.h>

#include "daemon/api/wire.h"

namespace edgetrust::daemon::api {
namespace {

DeploymentPlan Plan() {
  DeploymentPlan plan;
  plan.deployment_id = "fleet-a";
  plan.version = 9007199254740991;
  plan.state = DeploymentState::kHealthy;
  plan.manifest_sha256 = std::string(64, 'c');
  plan.expires_at = "2026-12-26T10:00:00Z";
  PlannedModule m;
  m.name = "sensor";
  m.image = "registry.example.com/sensor@sha256:" + std::string(64, 'a');
  m.sha256 = std::string(64, 'a');
  m.size = 1 << 20;
  m.path = "/store/images/sha256/" + m.sha256;
  m.create_options = R"({"Cmd":["--fast"],"HostConfig":{"Privileged":false}})";
  m.env = {{"A", "1"}, {"B", ""}};
  m.restart_policy = "on-failure";
  m.startup_order = 3;
  m.status = "stopped";
  plan.modules = {m, m};
  plan.modules[1].name = "filter";
  return plan;
}

TEST(DeploymentWireTest, RoundTrips) {
  auto plan = ParseDeploymentPlan(ToJson(Plan()));
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(ToJson(*plan), ToJson(Plan()));
  EXPECT_EQ(plan->modules[0].create_options, Plan().modules[0].create_options);

  for (const GateStatus& status : {GateStatus{Plan(), 12}, GateStatus{std::nullopt, 0}}) {
    auto parsed = ParseGateStatus(ToJson(status));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
    EXPECT_EQ(ToJson(*parsed), ToJson(status));
  }
  EXPECT_EQ(ToJson(GateStatus{std::nullopt, 3}), R"({"current":null,"rollback_floor":3})");

  auto report = ParseHealthReport(ToJson(HealthReport{4, "smoke test exit 2"}));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->version, 4u);
  EXPECT_EQ(report->detail, "smoke test exit 2");
}

struct Bad {
  const char* name;
  std::string body;
  const char* reason;
};

TEST(DeploymentWireTest, HealthReportsAreStrict) {
  for (const Bad& c : std::vector<Bad>{
           {"empty", "", "request.malformed_json"},
           {"array", "[]", "request.wrong_type"},
           {"no version", "{}", "request.missing_field"},
           {"negative", R"({"version":-1})", "request.bad_value"},
           {"string version", R"({"version":"1"})", "request.wrong_type"},
           {"duplicate", R"({"version":1,"version":2})", "request.malformed_json"},
           {"unknown", R"({"version":1,"why":"x"})", "request.unknown_field"},
           {"control char", R"({"version":1,"detail":"a\nb"})", "request.bad_value"},
           {"long detail", R"({"version":1,"detail":")" + std::string(257, 'x') + "\"}",
            "request.bad_value"},
           {"too large", std::string(kMaxLocalBodySize + 1, ' '), "request.too_large"},
       }) {
    auto r = ParseHealthReport(c.body);
    ASSERT_FALSE(r.has_value()) << c.name;
    EXPECT_EQ(r.error().reason, c.reason) << c.name;
  }
}

TEST(DeploymentWireTest, PlansAreStrict) {
  std::string good = ToJson(Plan());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string out = good;
    out.replace(out.find(from), from.size(), to);
    return out;
  };
  for (const Bad& c : std::vector<Bad>{
           {"unknown state", replace(R"("state":"healthy")", R"("state":"done")"),
            "request.bad_value"},
           {"unknown field", replace(R"("version":)", R"("x":1,"version":)"),
            "request.unknown_field"},
           {"env not strings", replace(R"("B":"")", R"("B":1)"), "request.wrong_type"},
           {"options not object", replace(R"("create_options":{)", R"("create_options":5,"x":{)"),
            "request.wrong_type"},
           {"modules not array", replace(R"("modules":[)", R"("modules":{"x":[)"),
            "request.malformed_json"},
       }) {
    auto r = ParseDeploymentPlan(c.body);
    ASSERT_FALSE(r.has_value()) << c.name;
    EXPECT_EQ(r.error().reason, c.reason) << c.name << ": " << r.error().ToString();
  }
  auto gate = ParseGateStatus(R"({"rollback_floor":1})");
  ASSERT_FALSE(gate.has_value());
  EXPECT_EQ(gate.error().reason, "request.missing_field");
  gate = ParseGateStatus(R"({"rollback_floor":1,"current":5})");
  ASSERT_FALSE(gate.has_value());
  EXPECT_EQ(gate.error().reason, "request.wrong_type");
}

}  // namespace
}  // namespace edgetrust::daemon::api
