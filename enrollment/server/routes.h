// The route tables of both listeners, as data: the dispatchers (device_api.cc,
// operator_api.cc) register exactly these, and openapi_test.cc checks docs/openapi.yaml
// against them, so the document cannot drift from the server.
#ifndef EDGETRUST_ENROLLMENT_SERVER_ROUTES_H_
#define EDGETRUST_ENROLLMENT_SERVER_ROUTES_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgetrust::enrollment::server {

struct Route {
  std::string method;  // "GET", "POST", "PUT", "DELETE", "HEAD"
  std::string path;    // template: "/v1/devices/{id}/renew"
  std::string name;    // endpoint name: dispatch key and metrics label ("renew")
};

const std::vector<Route>& DeviceRoutes();
const std::vector<Route>& OperatorRoutes();

// MatchPath matches `path` against `tmpl` segment by segment; "{name}" matches one non-empty
// segment. Returns the captured parameters, nullopt on mismatch.
std::optional<std::map<std::string, std::string>> MatchPath(std::string_view tmpl,
                                                            std::string_view path);

// RouteMatch is where a request lands in a route table.
struct RouteMatch {
  const Route* route = nullptr;               // same method and path; nullptr when none
  std::map<std::string, std::string> params;  // the path's "{name}" captures
  bool path_known = false;                    // some route has this path (then 405, else 404)
};

// FindRoute returns the first route of `routes` matching `method` and `path`.
RouteMatch FindRoute(const std::vector<Route>& routes, std::string_view method,
                     std::string_view path);

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_ROUTES_H_
