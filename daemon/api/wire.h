// Wire types of the daemon's local API (docs/daemon-local-api.md): HTTP/1.1 over the daemon's
// Unix socket, JSON bodies. Shared by the daemon (daemon/server) and its clients (the
// `edgetrust device` commands, tests).
//
// Parse* functions are strict (enrollment/api's reader: one JSON object of exactly the
// documented shape, no duplicate members, valid UTF-8, at most kMaxLocalBodySize bytes);
// errors are kInvalidArgument with the "request.*" reasons of enrollment/api/wire.h, plus
// "request.bad_value" for an unknown state or algorithm name. ToJson produces what Parse
// accepts. Pure functions, thread-safe.
#ifndef EDGETRUST_DAEMON_API_WIRE_H_
#define EDGETRUST_DAEMON_API_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::daemon::api {

inline constexpr size_t kMaxLocalBodySize = 16 * 1024;
// kMaxSocketPathLength: the longest local API socket path. sun_path holds 107 bytes, and the
// daemon first binds "<path>.tmp<pid>" (up to 11 more bytes, pid_max 4194304) beside it.
inline constexpr size_t kMaxSocketPathLength = 107 - 11;

// DeviceState is what GET /status reports:
//   enrolling: no valid certificate yet, an enrollment attempt is running or due;
//   offline:   the service could not be reached; retrying with backoff (with or without a
//              still-valid certificate: `certificate` tells which);
//   enrolled:  a valid certificate is stored;
//   revoked:   the service refused the device (revoked, disabled, retired); no automatic retry
//              until POST /reenroll;
//   failed:    a local fault (TPM, state directory) or a refusal of the evidence; retrying.
enum class DeviceState { kEnrolling, kOffline, kEnrolled, kRevoked, kFailed };
std::string_view DeviceStateName(DeviceState state);  // "enrolling", ...
Result<DeviceState> ParseDeviceState(std::string_view name);

// Endpoint names a local API operation; principals are granted endpoints by these names.
// The gate's endpoints (deployment_wire.h): kDeploy submits a signed deployment, kPlan reads
// the verified plan, kReportHealth posts the agent's healthy/failed verdict.
enum class Endpoint {
  kStatus,
  kCertificate,
  kSign,
  kReenroll,
  kFactoryReset,
  kDeploy,
  kPlan,
  kReportHealth
};
std::string_view EndpointName(Endpoint endpoint);  // "status", "certificate", "sign",
                                                   // "reenroll", "factory-reset", "deploy",
                                                   // "plan", "report-health"
std::optional<Endpoint> ParseEndpoint(std::string_view name);

// CertificateInfo describes the stored device certificate. Times are RFC 3339 UTC
// ("2026-11-26T10:00:00Z"); serial is lower-case hex.
struct CertificateInfo {
  std::string serial;
  std::string subject;
  std::string not_before;
  std::string not_after;
};

struct StatusResponse {
  DeviceState state = DeviceState::kEnrolling;
  std::string registration_id;           // "" until the TPM has been read
  std::optional<std::string> device_id;  // once enrolled
  std::optional<CertificateInfo> certificate;
  std::optional<std::string> renew_after;  // RFC 3339: when renewal becomes due
  std::optional<std::string> last_error;   // stable reason code of the last failure
  int64_t failed_attempts = 0;             // consecutive failures since the last success
  std::optional<int64_t> next_attempt_in_ms;
};
std::string ToJson(const StatusResponse& status);
Result<StatusResponse> ParseStatusResponse(std::string_view body);

// POST /sign: {"digest": base64url} -> {"algorithm": "ES256", "signature": base64url}.
// The digest must have the identity key's hash size (32 bytes for ES256/PS256/RS256, 48 for
// ES384). ECDSA signatures are DER (as certs::Signer returns them), RSA ones raw.
struct SignRequest {
  Bytes digest;
};
std::string ToJson(const SignRequest& request);
Result<SignRequest> ParseSignRequest(std::string_view body);

struct SignResponse {
  std::string algorithm;  // JWS name of the identity key's algorithm: ES256, ES384, PS256, RS256
  Bytes signature;
};
std::string ToJson(const SignResponse& response);
Result<SignResponse> ParseSignResponse(std::string_view body);

// Every non-2xx answer: {"error": "<reason>", "message": "<generic text>"}. The message never
// carries TPM codes, OpenSSL text or paths.
struct ErrorResponse {
  std::string error;
  std::string message;
};
std::string ToJson(const ErrorResponse& error);
Result<ErrorResponse> ParseErrorResponse(std::string_view body);

}  // namespace edgetrust::daemon::api

#endif  // EDGETRUST_DAEMON_API_WIRE_H_
