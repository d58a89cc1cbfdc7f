// GET /status: the daemon's state-machine snapshot (api::StatusResponse). Never fails.
#include "daemon/server/endpoints.h"

namespace edgetrust::daemon::server {

Reply HandleStatus(service::Control& control, const Call& /*call*/) {
  return JsonReply(api::ToJson(control.Status()));
}

}  // namespace edgetrust::daemon::server
