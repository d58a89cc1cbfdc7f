// Routing and authorization of the local API: the D1 check (THREATS.md) lives here.
#include <array>

#include "daemon/api/deployment_wire.h"
#include "daemon/server/endpoints.h"

namespace edgetrust::daemon::server {
namespace {

using Handler = Reply (*)(service::Control&, const Call&);

struct Route {
  std::string_view path;  // may hold one "{id}" segment
  std::string_view method;
  api::Endpoint endpoint;
  Handler handler;
};

constexpr std::array<Route, 9> kRoutes = {{
    {"/status", "GET", api::Endpoint::kStatus, &HandleStatus},
    {"/certificate", "GET", api::Endpoint::kCertificate, &HandleCertificate},
    {"/sign", "POST", api::Endpoint::kSign, &HandleSign},
    {"/reenroll", "POST", api::Endpoint::kReenroll, &HandleReenroll},
    {"/factory-reset", "POST", api::Endpoint::kFactoryReset, &HandleFactoryReset},
    {"/deployments", "POST", api::Endpoint::kDeploy, &HandleSubmitDeployment},
    {"/deployments/current", "GET", api::Endpoint::kPlan, &HandleCurrentDeployment},
    {"/deployments/{id}/healthy", "POST", api::Endpoint::kReportHealth, &HandleDeploymentHealthy},
    {"/deployments/{id}/failed", "POST", api::Endpoint::kReportHealth, &HandleDeploymentFailed},
}};

constexpr std::string_view kIdParameter = "{id}";

bool IsIdSegment(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return s != "." && s != "..";
}

// Match: a literal pattern equals the target; a pattern with "{id}" matches a target made of
// the text before it, an id segment (which holds no '/'), and the text after it.
bool Match(std::string_view pattern, std::string_view target, std::string_view* id) {
  size_t at = pattern.find(kIdParameter);
  if (at == std::string_view::npos) return pattern == target;
  std::string_view prefix = pattern.substr(0, at);
  std::string_view suffix = pattern.substr(at + kIdParameter.size());
  if (target.size() <= prefix.size() + suffix.size() || !target.starts_with(prefix) ||
      !target.ends_with(suffix)) {
    return false;
  }
  std::string_view middle =
      target.substr(prefix.size(), target.size() - prefix.size() - suffix.size());
  if (!IsIdSegment(middle)) return false;
  *id = middle;
  return true;
}

// FindRoute tries literal routes first, so "/deployments/current" is never taken for an id.
const Route* FindRoute(std::string_view target, std::string_view* id) {
  for (bool literal : {true, false}) {
    for (const auto& r : kRoutes) {
      bool is_literal = r.path.find(kIdParameter) == std::string_view::npos;
      if (is_literal != literal) continue;
      if (Match(r.path, target, id)) return &r;
    }
  }
  return nullptr;
}

}  // namespace

const config::Principal* FindPrincipal(std::span<const config::Principal> principals, uid_t uid) {
  for (const auto& p : principals) {
    if (p.uid == uid) return &p;
  }
  return nullptr;
}

Reply Dispatch(std::span<const config::Principal> principals, service::Control& control,
               const RequestView& request) {
  std::string_view id;
  const Route* route = FindRoute(request.target, &id);
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
  return route->handler(control, Call{request.body, id});
}

size_t BodyLimit(std::span<const config::Principal> principals, uid_t uid, std::string_view method,
                 std::string_view target) {
  const config::Principal* principal = FindPrincipal(principals, uid);
  bool deploy = method == "POST" && target == "/deployments" && principal != nullptr &&
                principal->endpoints.contains(api::Endpoint::kDeploy);
  return deploy ? api::kMaxDeploymentBodySize : api::kMaxLocalBodySize;
}

}  // namespace edgetrust::daemon::server
