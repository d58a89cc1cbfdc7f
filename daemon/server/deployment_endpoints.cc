// The gate's endpoints (daemon/api/deployment_wire.h): submit a signed deployment, read the
// verified plan, report the agent's verdict. The JWS body is handed to the gate unparsed: the
// verifier is the only parser of signed bytes. Neither bodies nor plans are logged.
#include "daemon/api/deployment_wire.h"
#include "daemon/server/endpoints.h"
#include "daemon/server/no_body.h"

namespace edgetrust::daemon::server {
namespace {

Reply Report(service::Control& control, const Call& call, bool healthy) {
  auto report = api::ParseHealthReport(call.body);
  if (!report) return ErrorReply(report.error());
  auto status = control.ReportDeployment(call.path_id, healthy, *report);
  if (!status) return ControlErrorReply(api::Endpoint::kReportHealth, status.error());
  return JsonReply(api::ToJson(*status));
}

}  // namespace

Reply HandleSubmitDeployment(service::Control& control, const Call& call) {
  auto status = control.SubmitDeployment(call.body);
  if (!status) return ControlErrorReply(api::Endpoint::kDeploy, status.error());
  return JsonReply(api::ToJson(*status));
}

Reply HandleCurrentDeployment(service::Control& control, const Call& call) {
  if (auto empty = CheckNoBody(call.body); !empty) return ErrorReply(empty.error());
  auto plan = control.CurrentDeployment();
  if (!plan) return ControlErrorReply(api::Endpoint::kPlan, plan.error());
  return JsonReply(api::ToJson(*plan));
}

Reply HandleDeploymentHealthy(service::Control& control, const Call& call) {
  return Report(control, call, true);
}

Reply HandleDeploymentFailed(service::Control& control, const Call& call) {
  return Report(control, call, false);
}

}  // namespace edgetrust::daemon::server
