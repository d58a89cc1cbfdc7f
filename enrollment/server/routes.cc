#include "enrollment/server/routes.h"

namespace edgetrust::enrollment::server {

const std::vector<Route>& DeviceRoutes() {
  static const std::vector<Route> routes = {
      {"POST", "/v1/attestation/challenge", "challenge"},
      {"POST", "/v1/attestation/complete", "complete"},
      {"POST", "/v1/devices/{id}/renew", "renew"},
      {"GET", "/v1/nonce", "nonce"},
      {"HEAD", "/v1/nonce", "nonce"},
      {"GET", "/v1/ca", "ca"},
      {"GET", "/v1/crl", "crl"},
      {"GET", "/healthz", "healthz"},
      {"GET", "/metrics", "metrics"},
  };
  return routes;
}

const std::vector<Route>& OperatorRoutes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> r;
    struct Collection {
      std::string path;
      std::string name;
    };
    for (const Collection& c :
         {Collection{"/v1/operator/pcr-policies", "pcr_policy"},
          Collection{"/v1/operator/enrollments/individual", "enrollment.individual"},
          Collection{"/v1/operator/enrollments/groups", "enrollment.group"}}) {
      r.push_back({"GET", c.path, c.name + ".list"});
      r.push_back({"POST", c.path, c.name + ".create"});
      r.push_back({"GET", c.path + "/{id}", c.name + ".get"});
      r.push_back({"PUT", c.path + "/{id}", c.name + ".put"});
      r.push_back({"DELETE", c.path + "/{id}", c.name + ".delete"});
    }
    r.push_back({"GET", "/v1/operator/devices", "device.list"});
    r.push_back({"GET", "/v1/operator/devices/{id}", "device.get"});
    for (const char* action : {"disable", "enable", "revoke", "retire"}) {
      r.push_back({"POST", std::string("/v1/operator/devices/{id}/") + action,
                   std::string("device.") + action});
    }
    r.push_back({"GET", "/v1/operator/audit", "audit.query"});
    r.push_back({"GET", "/healthz", "healthz"});
    return r;
  }();
  return routes;
}

std::optional<std::map<std::string, std::string>> MatchPath(std::string_view tmpl,
                                                            std::string_view path) {
  std::map<std::string, std::string> params;
  while (!tmpl.empty() || !path.empty()) {
    if (tmpl.empty() || path.empty() || tmpl.front() != '/' || path.front() != '/') {
      return std::nullopt;
    }
    tmpl.remove_prefix(1);
    path.remove_prefix(1);
    size_t te = tmpl.find('/');
    size_t pe = path.find('/');
    std::string_view tseg = tmpl.substr(0, te);
    std::string_view pseg = path.substr(0, pe);
    if (tseg.size() >= 2 && tseg.front() == '{' && tseg.back() == '}') {
      if (pseg.empty()) return std::nullopt;
      params[std::string(tseg.substr(1, tseg.size() - 2))] = std::string(pseg);
    } else if (tseg != pseg) {
      return std::nullopt;
    }
    tmpl = te == std::string_view::npos ? std::string_view{} : tmpl.substr(te);
    path = pe == std::string_view::npos ? std::string_view{} : path.substr(pe);
  }
  return params;
}

RouteMatch FindRoute(const std::vector<Route>& routes, std::string_view method,
                     std::string_view path) {
  RouteMatch match;
  for (const Route& route : routes) {
    auto params = MatchPath(route.path, path);
    if (!params) continue;
    match.path_known = true;
    if (route.method != method) continue;
    match.route = &route;
    match.params = std::move(*params);
    break;
  }
  return match;
}

}  // namespace edgetrust::enrollment::server
