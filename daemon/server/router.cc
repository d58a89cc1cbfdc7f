// Routing and authorization of the local API: the D1 check (THREATS.md) lives here.
#include <array>

#include "daemon/server/endpoints.h"

namespace edgetrust::daemon::server {
namespace {

using Handler = Reply (*)(service::Control&, std::string_view);

struct Route {
  std::string_view path;
  std::string_view method;
  api::Endpoint endpoint;
  Handler handler;
};

constexpr std::array<Route, 5> kRoutes = {{
    {"/status", "GET", api::Endpoint::kStatus, &HandleStatus},
    {"/certificate", "GET", api::Endpoint::kCertificate, &HandleCertificate},
    {"/sign", "POST", api::Endpoint::kSign, &HandleSign},
    {"/reenroll", "POST", api::Endpoint::kReenroll, &HandleReenroll},
    {"/factory-reset", "POST", api::Endpoint::kFactoryReset, &HandleFactoryReset},
}};

}  // namespace

const config::Principal* FindPrincipal(std::span<const config::Principal> principals, uid_t uid) {
  for (const auto& p : principals) {
    if (p.uid == uid) return &p;
  }
  return nullptr;
}

Reply Dispatch(std::span<const config::Principal> principals, service::Control& control,
               const RequestView& request) {
  const Route* route = nullptr;
  for (const auto& r : kRoutes) {
    if (r.path == request.target) route = &r;
  }
  if (route == nullptr) {
    return ErrorReply(Error{ErrorCode::kNotFound, "api.not_found", "unknown path"});
  }
  if (route->method != request.method) {
    Reply reply = ErrorReply(
        Error{ErrorCode::kInvalidArgument, "api.method_not_allowed", "method not allowed"});
    reply.status = 405;
    reply.allow = std::string(route->method);
    return reply;
  }
  const config::Principal* principal = FindPrincipal(principals, request.uid);
  if (principal == nullptr || !principal->endpoints.contains(route->endpoint)) {
    return ErrorReply(Error{ErrorCode::kPermissionDenied, "api.forbidden", "not granted"});
  }
  return route->handler(control, request.body);
}

}  // namespace edgetrust::daemon::server
