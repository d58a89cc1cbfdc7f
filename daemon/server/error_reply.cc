// Error → HTTP answer of the local API: stable reason, generic text, nothing from
// Error::message (THREATS D2: TPM codes and OpenSSL text stay in the daemon's log).
#include <array>
#include <utility>

#include "common/log.h"
#include "daemon/server/endpoints.h"
#include "enrollment/api/wire.h"

namespace edgetrust::daemon::server {
namespace {

// Texts for reasons the daemon and the transport produce; anything else gets its status's.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kReasonText = {{
    {"api.not_found", "no such endpoint"},
    {"api.method_not_allowed", "method not allowed on this endpoint"},
    {"api.forbidden", "this caller may not use this endpoint"},
    {"request.too_large", "the request is too large"},
    {"request.headers_too_large", "the request headers are too large"},
    {"daemon.no_certificate", "the device has no certificate yet"},
    {"daemon.certificate_expired", "the device certificate has expired"},
    {"daemon.no_identity", "the device has no identity key yet"},
    {"signer.digest_size", "the digest does not have the identity key's hash size"},
}};

std::string_view StatusText(int status) {
  switch (status) {
    case 400:
      return "the request is malformed";
    case 403:
      return "this caller may not use this endpoint";
    case 404:
      return "not found";
    case 409:
    case 412:
      return "the device is not in a state that allows this request";
    case 413:
      return "the request is too large";
    case 422:
      return "the deployment was refused: see the reason";
    case 503:
      return "the TPM or the daemon is unavailable, retry later";
    default:
      return "internal error";
  }
}

}  // namespace

Reply JsonReply(std::string body) {
  return Reply{200, "application/json", std::move(body), {}, {}};
}

int LocalHttpStatus(const Error& error) {
  if (error.reason == "signer.digest_size" && error.code == ErrorCode::kInvalidArgument) {
    return 400;
  }
  // A deployment the gate refuses (bad signature, wrong target, rollback, image mismatch) is
  // 422 whatever its code: the request was well-formed HTTP, its content is not acceptable.
  // The reason in the body says which check failed.
  std::string_view r = error.reason;
  bool refused = r.starts_with("jws.") || r.starts_with("manifest.") || r.starts_with("image.") ||
                 r.starts_with("policy.") || r.starts_with("gate.refused");
  if (refused && error.code != ErrorCode::kInternal && error.code != ErrorCode::kUnavailable) {
    return 422;
  }
  return enrollment::api::HttpStatusFor(error);
}

Reply ErrorReply(const Error& error) {
  Reply reply;
  reply.status = LocalHttpStatus(error);
  std::string_view text = StatusText(reply.status);
  for (const auto& [reason, t] : kReasonText) {
    if (reason == error.reason) text = t;
  }
  // A reason is a stable code, but keep anything odd (a bug upstream) off the wire.
  std::string reason = error.reason.empty() || error.reason.size() > 64 ? "internal" : error.reason;
  reply.body = api::ToJson(api::ErrorResponse{reason, std::string(text)});
  reply.reason = std::move(reason);
  return reply;
}

Reply ControlErrorReply(api::Endpoint endpoint, const Error& error) {
  LogWarning("local_api: " + std::string(api::EndpointName(endpoint)) +
             " failed: " + error.ToString());
  return ErrorReply(error);
}

}  // namespace edgetrust::daemon::server
