// The gate's endpoints over the real transport with a fake Control: routing of
// /deployments/{id}/..., the per-route body limit decided before the body is read, the 422
// mapping of refusals, grants, and the typed LocalClient calls.
#include <gtest/gtest.h>

#include "daemon/server/local_server_fixture.h"

namespace edgetrust::daemon::server {
namespace {

using testing::LocalServerTest;
using testing::OptionsFor;

api::DeploymentPlan SamplePlan(uint64_t version, api::DeploymentState state) {
  api::DeploymentPlan plan;
  plan.deployment_id = "fleet-a";
  plan.version = version;
  plan.state = state;
  plan.manifest_sha256 = std::string(64, 'c');
  plan.expires_at = "2026-12-26T10:00:00Z";
  api::PlannedModule m;
  m.name = "sensor";
  m.sha256 = std::string(64, 'a');
  m.image = "registry.example.com/sensor@sha256:" + m.sha256;
  m.size = 1024;
  m.path = "/var/lib/edgetrust-images/images/sha256/" + m.sha256;
  m.create_options = R"({"HostConfig":{"Memory":64}})";
  m.env = {{"LOG_LEVEL", "info"}};
  m.restart_policy = "always";
  m.status = "running";
  plan.modules.push_back(m);
  return plan;
}

class DeploymentEndpointsTest : public LocalServerTest {};

TEST_F(DeploymentEndpointsTest, TypedCallsRoundTrip) {
  StartServer(OptionsFor(socket_));
  auto none = Client().GetCurrentDeployment();
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().reason, "gate.no_deployment");
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);

  control_.set_plan(SamplePlan(7, api::DeploymentState::kPending),
                    SamplePlan(6, api::DeploymentState::kHealthy));
  auto submitted = Client().SubmitDeployment(R"({"payload":"x","signatures":[]})");
  ASSERT_TRUE(submitted.has_value()) << submitted.error().ToString();
  EXPECT_EQ(control_.last_jws(), R"({"payload":"x","signatures":[]})");  // handed on unparsed
  auto plan = Client().GetCurrentDeployment();
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(api::ToJson(*plan), api::ToJson(SamplePlan(7, api::DeploymentState::kPending)));
  EXPECT_EQ(plan->modules.at(0).create_options, R"({"HostConfig":{"Memory":64}})");

  auto late = Client().ReportHealthy("fleet-a", {6, std::nullopt});
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().reason, "gate.not_pending");
  auto failed = Client().ReportFailed("fleet-a", {7, "smoke test exit 1"});
  ASSERT_TRUE(failed.has_value()) << failed.error().ToString();
  ASSERT_TRUE(failed->current.has_value());
  EXPECT_EQ(failed->current->version, 6u);
  EXPECT_EQ(control_.reports(), std::vector<std::string>{"failed fleet-a"});
}

TEST_F(DeploymentEndpointsTest, RoutesIdsStrictly) {
  StartServer(OptionsFor(socket_));
  control_.set_plan(SamplePlan(7, api::DeploymentState::kPending));
  const std::string report = api::ToJson(api::HealthReport{7, std::nullopt});
  ExpectError(Call("POST", "/deployments/other/healthy", report), 409, "gate.not_pending");
  ExpectError(Call("POST", "/deployments//healthy", report), 404, "api.not_found");
  ExpectError(Call("POST", "/deployments/a%2Fb/healthy", report), 404, "api.not_found");
  ExpectError(Call("POST", "/deployments/../healthy", report), 404, "api.not_found");
  ExpectError(Call("POST", "/deployments/fleet-a/healthy/x", report), 404, "api.not_found");
  ExpectError(Call("POST", "/deployments/fleet-a/unknown", report), 404, "api.not_found");
  ExpectError(Call("GET", "/deployments/fleet-a/healthy"), 405, "api.method_not_allowed");
  ExpectError(Call("POST", "/deployments/current"), 405, "api.method_not_allowed");
  ExpectError(Call("GET", "/deployments/current", "{\"x\":1}"), 400, "request.unexpected_body");
  ExpectError(Call("POST", "/deployments/fleet-a/healthy", "{}"), 400, "request.missing_field");
  ExpectError(Call("POST", "/deployments/fleet-a/failed", R"({"version":7,"detail":"a\u0001"})"),
              400, "request.bad_value");
  EXPECT_TRUE(control_.reports().empty());
  EXPECT_EQ(Call("POST", "/deployments/fleet-a/healthy", report).status, 200);
  EXPECT_EQ(control_.reports(), std::vector<std::string>{"healthy fleet-a"});
}

TEST_F(DeploymentEndpointsTest, RefusalsAre422WithTheReasonOnly) {
  StartServer(OptionsFor(socket_));
  for (const char* reason : {"jws.untrusted_chain", "manifest.expired", "image.digest_mismatch",
                             "gate.refused_rollback", "gate.refused_version_jump"}) {
    control_.set_deploy_result(
        Fail(ErrorCode::kPermissionDenied, reason, "/var/lib/secret/path: detail"));
    auto r = Call("POST", "/deployments", "{}");
    ExpectError(r, 422, reason);
    EXPECT_EQ(r.body.find("/var/lib"), std::string::npos) << r.body;
    auto typed = Client().SubmitDeployment("{}");
    ASSERT_FALSE(typed.has_value());
    EXPECT_EQ(typed.error().code, ErrorCode::kPermissionDenied);
  }
  control_.set_deploy_result(Fail(ErrorCode::kUnavailable, "gate.not_ready", "tpm"));
  ExpectError(Call("POST", "/deployments", "{}"), 503, "gate.not_ready");
}

TEST_F(DeploymentEndpointsTest, OnlyDeployersMayPostLargeBodies) {
  // 200 KiB: more than any other endpoint reads, well within a JWS's bound.
  const std::string big = "{\"payload\":\"" + std::string(200 * 1024, 'A') + "\"}";
  StartServer(OptionsFor(socket_, {api::Endpoint::kStatus, api::Endpoint::kPlan}));
  ExpectError(Call("POST", "/deployments", big), 413, "request.too_large");
  ExpectError(Call("POST", "/deployments", "{}"), 403, "api.forbidden");
  ExpectError(Call("POST", "/deployments/fleet-a/healthy", "{\"version\":1}"), 403,
              "api.forbidden");
  EXPECT_TRUE(control_.last_jws().empty());
  server_.reset();
  StartServer(OptionsFor(socket_, {api::Endpoint::kDeploy}));
  EXPECT_EQ(Call("POST", "/deployments", big).status, 200);
  EXPECT_EQ(control_.last_jws(), big);
  ExpectError(Call("POST", "/deployments", std::string(api::kMaxDeploymentBodySize + 1, 'x')), 413,
              "request.too_large");
  ExpectError(Call("GET", "/deployments/current"), 403, "api.forbidden");
}

}  // namespace
}  // namespace edgetrust::daemon::server
