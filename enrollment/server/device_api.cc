#include "enrollment/server/device_api.h"

#include <chrono>

#include "common/log.h"
#include "enrollment/api/wire.h"
#include "enrollment/server/routes.h"
#include "enrollment/service/metrics.h"

namespace edgetrust::enrollment::server {
namespace {

using Endpoint = HttpResponse (DeviceApi::*)(const HttpRequest&, const PathParams&);

// The endpoint for each name in DeviceRoutes().
Endpoint EndpointFor(const std::string& name) {
  static const std::map<std::string, Endpoint> endpoints = {
      {"challenge", &DeviceApi::Challenge}, {"complete", &DeviceApi::Complete},
      {"renew", &DeviceApi::Renew},         {"nonce", &DeviceApi::Nonce},
      {"ca", &DeviceApi::CaChain},          {"crl", &DeviceApi::Crl},
      {"healthz", &DeviceApi::Healthz},     {"metrics", &DeviceApi::Metrics},
  };
  auto it = endpoints.find(name);
  return it == endpoints.end() ? nullptr : it->second;
}

}  // namespace

HttpResponse DeviceErrorResponse(const Error& error, const std::string& endpoint) {
  int status = api::HttpStatusFor(error);
  if (status >= 500) {
    LogError("device api " + endpoint + ": " + error.ToString());
    if (status == 500) return JsonError(500, "internal", api::ClientMessage(error));
  } else {
    LogInfo("device api " + endpoint + ": rejected: " + error.reason);
  }
  HttpResponse response;
  response.status = status;
  response.body = api::ToJson(api::ErrorBody{error.reason, api::ClientMessage(error)});
  return response;
}

DeviceApi::DeviceApi(std::shared_ptr<service::EnrollmentService> service)
    : service_(std::move(service)) {}

HttpResponse DeviceApi::Handle(const HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  std::string endpoint = "unknown";
  HttpResponse response;
  RouteMatch match = FindRoute(DeviceRoutes(), request.method, request.path);
  if (match.route == nullptr) {
    response = NoRouteResponse(match.path_known);
  } else {
    endpoint = match.route->name;
    if (request.body_too_large) {
      response = DeviceErrorResponse(
          Error{ErrorCode::kInvalidArgument, "request.too_large", "body over the limit"}, endpoint);
    } else {
      Endpoint handler = EndpointFor(endpoint);
      response = handler != nullptr ? (this->*handler)(request, match.params)
                                    : JsonError(500, "internal", "internal error");
    }
  }
  if (request.path.starts_with("/v1/")) {
    auto nonce = service_->NewNonce();
    if (nonce) {
      response.headers.emplace_back("Replay-Nonce", *nonce);
    } else {
      LogWarning("device api: no Replay-Nonce: " + nonce.error().ToString());
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  service_->metrics().CountRequest(endpoint, response.status);
  service_->metrics().ObserveLatency(endpoint, seconds);
  return response;
}

}  // namespace edgetrust::enrollment::server
