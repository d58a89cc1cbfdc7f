// POST /factory-reset: evict the daemon's TPM keys, delete its state and start over as on a
// first boot. Blocks until the wipe is done (the transport runs it off the I/O thread) and
// answers the status after it. The body must be empty or "{}".
#include "daemon/server/endpoints.h"
#include "daemon/server/no_body.h"

namespace edgetrust::daemon::server {

Reply HandleFactoryReset(service::Control& control, const Call& call) {
  if (auto empty = CheckNoBody(call.body); !empty) return ErrorReply(empty.error());
  auto status = control.FactoryReset();
  if (!status) return ControlErrorReply(api::Endpoint::kFactoryReset, status.error());
  return JsonReply(api::ToJson(*status));
}

}  // namespace edgetrust::daemon::server
