// Wire types of the module gate's endpoints in the daemon's local API
// (docs/daemon-local-api.md "Deployments"), shared by the daemon, the reference agent
// (edgetrust-agent) and tests:
//
//   POST /deployments                  body: the signed manifest (JWS, JSON serialization), at
//                                      most kMaxDeploymentBodySize -> GateStatus (the new one
//                                      is `pending`)
//   GET  /deployments/current          -> DeploymentPlan: what the agent must run now
//                                      (the pending deployment if there is one, else the last
//                                      healthy one); 404 "gate.no_deployment" when none
//   POST /deployments/{id}/healthy     body: HealthReport -> GateStatus (raises the floor)
//   POST /deployments/{id}/failed      body: HealthReport -> GateStatus (back to the last
//                                      healthy deployment)
//
// Parse* functions are strict like wire.h's (one JSON object of exactly this shape, no
// duplicate members, valid UTF-8); errors are kInvalidArgument "request.*". ToJson produces
// what Parse accepts. Pure functions, thread-safe.
#ifndef EDGETRUST_DAEMON_API_DEPLOYMENT_WIRE_H_
#define EDGETRUST_DAEMON_API_DEPLOYMENT_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace edgetrust::daemon::api {

// The largest JWS the gate reads (manifest::jws::kMaxJwsSize; the daemon asserts they agree).
inline constexpr size_t kMaxDeploymentBodySize = 1024 * 1024;

// pending: accepted and in force, waiting for the agent's verdict; the floor is not raised.
// healthy: the agent reported its smoke test passed; the floor is at this version.
enum class DeploymentState { kPending, kHealthy };
std::string_view DeploymentStateName(DeploymentState state);  // "pending", "healthy"

// PlannedModule is one module of the verified plan. `path` is the verified, read-only copy in
// the content store (<state_dir>/images/sha256/<sha256>): the only file an agent may run.
struct PlannedModule {
  std::string name;
  std::string image;   // "registry/name@sha256:<hex>" as signed
  std::string sha256;  // lower-case hex
  uint64_t size = 0;
  std::string path;
  std::string create_options = "{}";  // compact JSON object text, as signed
  std::map<std::string, std::string> env;
  std::string restart_policy;  // always | on-failure | on-unhealthy | never
  uint32_t startup_order = 0;
  std::string status;  // running | stopped
};

struct DeploymentPlan {
  std::string deployment_id;
  uint64_t version = 0;
  DeploymentState state = DeploymentState::kPending;
  std::string manifest_sha256;         // hex of the signed bytes: the digest extended into the PCR
  std::string expires_at;              // RFC 3339
  std::vector<PlannedModule> modules;  // in startup order, then by name
};
std::string ToJson(const DeploymentPlan& plan);
Result<DeploymentPlan> ParseDeploymentPlan(std::string_view body);

// GateStatus answers every POST: the deployment now in force (absent when none is) and the
// rollback floor read from the TPM's NV counter.
struct GateStatus {
  std::optional<DeploymentPlan> current;
  uint64_t rollback_floor = 0;
};
std::string ToJson(const GateStatus& status);
Result<GateStatus> ParseGateStatus(std::string_view body);

// HealthReport: the agent's verdict on the deployment with the id in the path. `version` must
// be the pending one's (a late report about an older deployment is refused, 409
// "gate.not_pending"). `detail` (failed only, optional) is at most 256 printable ASCII
// characters and goes to the daemon's log.
struct HealthReport {
  uint64_t version = 0;
  std::optional<std::string> detail;
};
std::string ToJson(const HealthReport& report);
Result<HealthReport> ParseHealthReport(std::string_view body);

}  // namespace edgetrust::daemon::api

#endif  // EDGETRUST_DAEMON_API_DEPLOYMENT_WIRE_H_
