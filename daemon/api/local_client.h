// LocalClient speaks the daemon's local API (docs/daemon-local-api.md): HTTP/1.1 over the
// daemon's Unix socket. Used by the `edgetrust device` commands and by tests.
//
// Each call opens its own connection, sends one request and closes it, so a LocalClient is
// immutable after construction and thread-safe. No exception escapes.
//
// Errors (Error::reason is what callers branch on):
//   - the socket does not exist or nobody listens: kUnavailable "local_api.unreachable";
//   - connect(2) says EACCES (the socket's mode or directory denies this uid):
//     kPermissionDenied "local_api.forbidden";
//   - no complete answer within `timeout`: kUnavailable "local_api.timeout";
//   - other transport failures: kUnavailable "local_api.io";
//   - an answer larger than kMaxLocalResponseSize or not HTTP: kInternal "local_api.bad_response";
//   - a non-2xx answer (typed calls only): the server's "error" reason, with the code given by
//     the status: 400 kInvalidArgument, 403 and 422 kPermissionDenied, 404 kNotFound,
//     409/412 kFailedPrecondition, 503 kUnavailable, anything else kInternal.
#ifndef EDGETRUST_DAEMON_API_LOCAL_CLIENT_H_
#define EDGETRUST_DAEMON_API_LOCAL_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/error.h"
#include "daemon/api/deployment_wire.h"
#include "daemon/api/wire.h"

namespace edgetrust::daemon::api {

inline constexpr size_t kMaxLocalResponseSize = 1024 * 1024;
inline constexpr const char* kDefaultSocketPath = "/run/edgetrust/edgetrustd.sock";

struct LocalClientOptions {
  std::string socket_path = kDefaultSocketPath;
  // The whole exchange (connect, send, answer) must finish within this; factory-reset and
  // reenroll can take a while on a slow TPM.
  std::chrono::milliseconds timeout{60000};
};

// LocalResponse is a raw answer of any status.
struct LocalResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

class LocalClient {
 public:
  explicit LocalClient(LocalClientOptions options) : options_(std::move(options)) {}

  const LocalClientOptions& options() const { return options_; }

  // Request sends `method` (GET, POST) `target` ("/status") with `body` (sent as
  // application/json when non-empty) and returns the answer whatever its status; only
  // transport failures are errors.
  Result<LocalResponse> Request(std::string_view method, std::string_view target,
                                std::string_view body = {}) const;

  // The typed calls: GET /status, GET /certificate (PEM chain), POST /sign, POST /reenroll,
  // POST /factory-reset. A 2xx answer whose body does not parse is kInternal
  // "local_api.bad_response".
  Result<StatusResponse> GetStatus() const;
  Result<std::string> GetCertificateChainPem() const;
  Result<SignResponse> Sign(const SignRequest& request) const;
  Result<StatusResponse> Reenroll() const;
  Result<StatusResponse> FactoryReset() const;

  // The gate (deployment_wire.h): POST /deployments with the JWS text, GET
  // /deployments/current, POST /deployments/{id}/healthy and /failed.
  Result<GateStatus> SubmitDeployment(std::string_view jws_json) const;
  Result<DeploymentPlan> GetCurrentDeployment() const;
  Result<GateStatus> ReportHealthy(std::string_view deployment_id,
                                   const HealthReport& report) const;
  Result<GateStatus> ReportFailed(std::string_view deployment_id, const HealthReport& report) const;

 private:
  LocalClientOptions options_;
};

// ErrorFromResponse turns a non-2xx answer into the Error described above (the reason is
// "local_api.http_<status>" when the body is not an ErrorResponse).
Error ErrorFromResponse(const LocalResponse& response);

}  // namespace edgetrust::daemon::api

#endif  // EDGETRUST_DAEMON_API_LOCAL_CLIENT_H_
