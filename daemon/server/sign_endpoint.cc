// POST /sign: {"digest": base64url} -> {"algorithm", "signature"} with the TPM-resident
// identity key. The body is parsed strictly (api::ParseSignRequest: 400 "request.*"); the
// digest's size is the daemon's check (400 "signer.digest_size"). Neither the digest nor the
// signature is logged.
#include "daemon/server/endpoints.h"

namespace edgetrust::daemon::server {

Reply HandleSign(service::Control& control, const Call& call) {
  auto request = api::ParseSignRequest(call.body);
  if (!request) return ErrorReply(request.error());
  auto signature = control.Sign(*request);
  if (!signature) return ControlErrorReply(api::Endpoint::kSign, signature.error());
  return JsonReply(api::ToJson(*signature));
}

}  // namespace edgetrust::daemon::server
