#include "enrollment/server/http.h"

#include <nlohmann/json.hpp>

namespace edgetrust::enrollment::server {

HttpResponse JsonError(int status, std::string_view reason, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = nlohmann::json{{"error", reason}, {"message", message}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse NoRouteResponse(bool path_known) {
  return path_known ? JsonError(405, "request.method_not_allowed", "method not allowed")
                    : JsonError(404, "request.not_found", "no such resource");
}

}  // namespace edgetrust::enrollment::server
