// Error → HTTP status and generic client text (the table in docs/enrollment-protocol.md).
#include <array>
#include <string_view>
#include <utility>

#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::api {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

// StatusByReason: the protocol table, by exact reason, then by shape of the reason.
int StatusByReason(std::string_view reason) {
  static constexpr std::array<std::pair<std::string_view, int>, 8> kExact = {{
      {"request.too_large", 413},
      {"challenge.unknown", 404},
      {"device.unknown", 404},
      {"enrollment.registration_id_taken", 409},
      {"challenge.expired", 410},
      {"challenge.used", 410},
      {"challenge.capacity", 503},
      {"store.unavailable", 503},
  }};
  for (const auto& [r, status] : kExact) {
    if (reason == r) return status;
  }
  if (reason.ends_with(".malformed") || StartsWith(reason, "request.")) return 400;
  static constexpr std::array<std::string_view, 12> kTrust = {
      "enrollment.", "ek.",  "ak.",     "quote.",    "certify.",   "csr.",
      "credential.", "jws.", "device.", "identity.", "pcr.policy", "chain."};
  for (std::string_view prefix : kTrust) {
    if (StartsWith(reason, prefix)) return 403;
  }
  return 0;
}

int StatusByCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kResourceExhausted:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace

int HttpStatusFor(const Error& error) {
  // Internal and availability failures keep their class whatever the reason says, so a store
  // outage is never reported to a device as "your evidence is bad".
  if (error.code == ErrorCode::kInternal) return 500;
  if (error.code == ErrorCode::kUnavailable) return 503;
  // The service's own CA or signer failing is never the device's fault.
  if (error.reason.starts_with("ca.") || error.reason.starts_with("signer.")) return 500;
  if (int status = StatusByReason(error.reason); status != 0) return status;
  return StatusByCode(error.code);
}

std::string ClientMessage(const Error& error) {
  switch (HttpStatusFor(error)) {
    case 400:
      return "the request is malformed";
    case 403:
      return "the evidence or the caller is not trusted";
    case 404:
      return "unknown challenge or device";
    case 409:
      return error.reason == "enrollment.registration_id_taken"
                 ? "the registration id is bound to another TPM"
                 : "the request conflicts with the registry";
    case 410:
      return "the challenge has expired or was already used";
    case 413:
      return "the request body is too large";
    case 503:
      return "the service is busy or unavailable, retry later";
    default:
      return "internal error";
  }
}

}  // namespace edgetrust::enrollment::api
