// Plain HTTP request/answer values that the endpoint code works with, so that only one
// translation unit (https_server.cc) includes cpprestsdk's costly headers.
#ifndef EDGETRUST_ENROLLMENT_SERVER_HTTP_H_
#define EDGETRUST_ENROLLMENT_SERVER_HTTP_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace edgetrust::enrollment::server {

struct HttpRequest {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // percent-decoded path, no query
  std::map<std::string, std::string> query;  // decoded; a repeated key keeps the last value
  std::string body;                          // at most the listener's body limit
  bool body_too_large = false;  // Content-Length or the stream exceeded the limit; body empty
  std::string remote_address;   // peer IP (cpprestsdk gives no port and no certificate)
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// JsonError is {"error": reason, "message": message} with `status`.
HttpResponse JsonError(int status, std::string_view reason, std::string_view message);

// NoRouteResponse answers a request no route takes: 405 when the path exists with another
// method, 404 otherwise.
HttpResponse NoRouteResponse(bool path_known);

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_HTTP_H_
