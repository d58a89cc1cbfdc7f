// POST /reenroll: drop backoff and revoked/failed state and enroll again now; answers the
// status right after the request was queued. The body must be empty or "{}".
#include "daemon/server/endpoints.h"
#include "daemon/server/no_body.h"

namespace edgetrust::daemon::server {

Reply HandleReenroll(service::Control& control, const Call& call) {
  if (auto empty = CheckNoBody(call.body); !empty) return ErrorReply(empty.error());
  auto status = control.Reenroll();
  if (!status) return ControlErrorReply(api::Endpoint::kReenroll, status.error());
  return JsonReply(api::ToJson(*status));
}

}  // namespace edgetrust::daemon::server
