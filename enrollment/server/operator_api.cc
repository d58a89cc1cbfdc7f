#include "enrollment/server/operator_api.h"

#include <chrono>

#include "common/log.h"
#include "enrollment/operator/operator_wire.h"
#include "enrollment/server/routes.h"
#include "enrollment/service/metrics.h"

namespace edgetrust::enrollment::server {
namespace {

HttpResponse ErrorAnswer(const Error& error, const std::string& endpoint) {
  int status = operator_api::HttpStatusFor(error);
  if (status >= 500) {
    LogError("operator api " + endpoint + ": " + error.ToString());
    return JsonError(status, status == 503 ? "unavailable" : "internal",
                     status == 503 ? "service unavailable, retry later" : "internal error");
  }
  LogInfo("operator api " + endpoint + ": rejected: " + error.ToString());
  // Operator errors name the offending field: the operator is authenticated and the message
  // carries no secrets, TPM codes or OpenSSL text (wire and service messages are ours).
  return JsonError(status, error.reason, error.message);
}

}  // namespace

HttpResponse OperatorAnswer(const Result<std::string>& result, int ok_status,
                            const std::string& endpoint) {
  if (!result) return ErrorAnswer(result.error(), endpoint);
  HttpResponse response;
  response.status = ok_status;
  response.body = *result;
  return response;
}

HttpResponse OperatorAnswer(const Status& status, const std::string& endpoint) {
  if (!status) return ErrorAnswer(status.error(), endpoint);
  HttpResponse response;
  response.status = 204;
  return response;
}

OperatorApi::OperatorApi(std::shared_ptr<operator_api::OperatorService> service,
                         std::shared_ptr<service::Metrics> metrics)
    : service_(std::move(service)), metrics_(std::move(metrics)) {
  AddEnrollmentEndpoints();
  AddDeviceEndpoints();
  endpoints_["healthz"] = [](const HttpRequest&, const Params&) {
    HttpResponse response;
    response.body = R"({"status":"ok"})";
    return response;
  };
  for (const Route& route : OperatorRoutes()) {
    if (!endpoints_.contains(route.name)) {
      LogError("operator api: route " + route.name + " has no endpoint");  // a bug: tested
    }
  }
}

HttpResponse OperatorApi::Handle(const HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  std::string endpoint = "unknown";
  HttpResponse response;
  RouteMatch match = FindRoute(OperatorRoutes(), request.method, request.path);
  if (match.route == nullptr) {
    response = NoRouteResponse(match.path_known);
  } else {
    endpoint = match.route->name;
    auto it = endpoints_.find(endpoint);
    if (request.body_too_large) {
      response = JsonError(413, "request.too_large", "body too large");
    } else if (it == endpoints_.end()) {
      response = JsonError(500, "internal", "internal error");
    } else {
      response = it->second(request, match.params);
    }
  }
  if (metrics_) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_->CountRequest("operator." + endpoint, response.status);
    metrics_->ObserveLatency("operator." + endpoint, seconds);
  }
  return response;
}

}  // namespace edgetrust::enrollment::server
