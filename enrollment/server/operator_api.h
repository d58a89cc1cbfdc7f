// OperatorApi is the operator listener's dispatcher: it matches OperatorRoutes() and calls
// OperatorService (enrollment/operator/). Authentication happened in the TLS handshake: the
// listener only completes handshakes with a client certificate chaining to the operator CA
// (THREATS E17). cpprestsdk does not let a handler see that certificate, so the audit actor is
// "operator:<remote address>" (see docs/enrollment-service.md).
// Errors are {"error", "message"} JSON with operator_api::HttpStatusFor; a 500 says only
// "internal". Requests are counted in the shared metrics with endpoint "operator.<name>".
// Thread-safe.
#ifndef EDGETRUST_ENROLLMENT_SERVER_OPERATOR_API_H_
#define EDGETRUST_ENROLLMENT_SERVER_OPERATOR_API_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "enrollment/operator/operator_service.h"
#include "enrollment/server/http.h"

namespace edgetrust::enrollment::service {
class Metrics;
}

namespace edgetrust::enrollment::server {

class OperatorApi {
 public:
  // `metrics` may be null (no request metrics).
  OperatorApi(std::shared_ptr<operator_api::OperatorService> service,
              std::shared_ptr<service::Metrics> metrics);
  HttpResponse Handle(const HttpRequest& request);

  using Params = std::map<std::string, std::string>;
  using Endpoint = std::function<HttpResponse(const HttpRequest&, const Params&)>;

 private:
  void AddEnrollmentEndpoints();  // operator_enrollments.cc
  void AddDeviceEndpoints();      // operator_devices.cc

  std::shared_ptr<operator_api::OperatorService> service_;
  std::shared_ptr<service::Metrics> metrics_;
  std::map<std::string, Endpoint> endpoints_;  // by route name
};

// OperatorAnswer renders a Result<std::string> (the JSON body) or its error.
HttpResponse OperatorAnswer(const Result<std::string>& result, int ok_status,
                            const std::string& endpoint);
HttpResponse OperatorAnswer(const Status& status, const std::string& endpoint);

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_OPERATOR_API_H_
