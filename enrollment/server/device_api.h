// DeviceApi is the device listener's dispatcher: it matches a request against DeviceRoutes(),
// calls the endpoint (device_attestation.cc: challenge, complete, renew; device_public.cc:
// nonce, CA chain, CRL, health, metrics) and applies what every device answer shares:
//   - a body over the limit is 413 "request.too_large" before any parsing;
//   - an Error becomes api::HttpStatusFor + {"error": reason, "message": api::ClientMessage};
//     500s say only "internal" (the full error goes to the log, never to the client);
//   - every /v1/ answer carries a fresh Replay-Nonce header;
//   - edgetrust_http_requests_total{endpoint,status} and the latency histogram are recorded.
// Thread-safe (the service is).
#ifndef EDGETRUST_ENROLLMENT_SERVER_DEVICE_API_H_
#define EDGETRUST_ENROLLMENT_SERVER_DEVICE_API_H_

#include <map>
#include <memory>
#include <string>

#include "common/error.h"
#include "enrollment/server/http.h"
#include "enrollment/service/enrollment_service.h"

namespace edgetrust::enrollment::server {

using PathParams = std::map<std::string, std::string>;

class DeviceApi {
 public:
  explicit DeviceApi(std::shared_ptr<service::EnrollmentService> service);
  HttpResponse Handle(const HttpRequest& request);

  // Endpoints (one file per group); each returns the answer without the shared headers.
  HttpResponse Challenge(const HttpRequest& request, const PathParams& params);
  HttpResponse Complete(const HttpRequest& request, const PathParams& params);
  HttpResponse Renew(const HttpRequest& request, const PathParams& params);
  HttpResponse Nonce(const HttpRequest& request, const PathParams& params);
  HttpResponse CaChain(const HttpRequest& request, const PathParams& params);
  HttpResponse Crl(const HttpRequest& request, const PathParams& params);
  HttpResponse Healthz(const HttpRequest& request, const PathParams& params);
  HttpResponse Metrics(const HttpRequest& request, const PathParams& params);

 private:
  std::shared_ptr<service::EnrollmentService> service_;
};

// DeviceErrorResponse renders `error` for a device (and logs it: warnings for 4xx with the
// reason, errors with the full text for 5xx).
HttpResponse DeviceErrorResponse(const Error& error, const std::string& endpoint);

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_DEVICE_API_H_
