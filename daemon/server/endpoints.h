// The local API's endpoints (docs/daemon-local-api.md), one file each, and the router that
// picks one. Transport-free: they see a parsed request and return a Reply; local_server.cc
// owns the sockets. Every function here is thread-safe as far as Control is (its contract
// says it is).
#ifndef EDGETRUST_DAEMON_SERVER_ENDPOINTS_H_
#define EDGETRUST_DAEMON_SERVER_ENDPOINTS_H_

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"
#include "daemon/api/wire.h"
#include "daemon/config/config.h"
#include "daemon/service/control.h"

namespace edgetrust::daemon::server {

// Reply is one HTTP answer. `reason` is the error reason of a non-2xx reply ("" for 2xx),
// kept for the request log; `allow` is the Allow header of a 405.
struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;
  std::string reason;
};

// JsonReply is a 200 with `body` as application/json.
Reply JsonReply(std::string body);

// ErrorReply renders api::ErrorResponse{error.reason, <generic text>} with the status of
// LocalHttpStatus(error). Error::message is never sent: it may hold TPM or OpenSSL text.
Reply ErrorReply(const Error& error);

// ControlErrorReply logs the full `error` of a Control call at warning (operators need the
// message, the client gets the generic text), then returns ErrorReply(error).
Reply ControlErrorReply(api::Endpoint endpoint, const Error& error);

// LocalHttpStatus is enrollment::api::HttpStatusFor, except that a digest of the wrong size
// ("signer.digest_size") is the caller's mistake here (400), not a failing service signer.
int LocalHttpStatus(const Error& error);

// Call is what a handler gets: the request body (at most BodyLimit() bytes) and, for paths
// with a parameter ("/deployments/{id}/healthy"), the matched segment.
struct Call {
  std::string_view body;
  std::string_view path_id;
};

// One handler per endpoint.
Reply HandleStatus(service::Control& control, const Call& call);
Reply HandleCertificate(service::Control& control, const Call& call);
Reply HandleSign(service::Control& control, const Call& call);
Reply HandleReenroll(service::Control& control, const Call& call);
Reply HandleFactoryReset(service::Control& control, const Call& call);
Reply HandleSubmitDeployment(service::Control& control, const Call& call);
Reply HandleCurrentDeployment(service::Control& control, const Call& call);
Reply HandleDeploymentHealthy(service::Control& control, const Call& call);
Reply HandleDeploymentFailed(service::Control& control, const Call& call);

// RequestView is what the router needs of one request.
struct RequestView {
  std::string_view method;  // "GET"
  std::string_view target;  // "/status"
  std::string_view body;
  uid_t uid = 0;  // the peer's uid (SO_PEERCRED)
};

// FindPrincipal returns the principal whose uid is `uid`, or nullptr (uid 0 included: root
// has no implicit rights).
const config::Principal* FindPrincipal(std::span<const config::Principal> principals, uid_t uid);

// Dispatch routes `request` and, if the caller may use the endpoint, runs it:
//   unknown path: 404 "api.not_found"; known path, other method: 405
//   "api.method_not_allowed" with Allow; no principal for the uid or endpoint not granted:
//   403 "api.forbidden"; otherwise the endpoint's reply. Paths match exactly (no query); a
//   "{id}" segment matches 1-128 characters of [A-Za-z0-9._-] (a deploymentId).
Reply Dispatch(std::span<const config::Principal> principals, service::Control& control,
               const RequestView& request);

// BodyLimit is how many body bytes the transport reads for a request, decided from its
// headers before any body byte is read: api::kMaxDeploymentBodySize for POST /deployments by a
// principal granted "deploy", api::kMaxLocalBodySize for everything else, so a caller without
// that grant can never make the daemon buffer a large body.
size_t BodyLimit(std::span<const config::Principal> principals, uid_t uid, std::string_view method,
                 std::string_view target);

}  // namespace edgetrust::daemon::server

#endif  // EDGETRUST_DAEMON_SERVER_ENDPOINTS_H_
