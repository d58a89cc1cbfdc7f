// Operator endpoints for the device registry and the audit trail:
// GET /v1/operator/devices[/{id}], POST /v1/operator/devices/{id}/{disable,enable,revoke,retire},
// GET /v1/operator/audit?subject=&action=&outcome=&after=&limit=.
#include "enrollment/server/operator_api.h"

namespace edgetrust::enrollment::server {
namespace {

std::string QueryValue(const HttpRequest& request, const std::string& key) {
  auto it = request.query.find(key);
  return it == request.query.end() ? std::string() : it->second;
}

}  // namespace

void OperatorApi::AddDeviceEndpoints() {
  using operator_api::Caller;
  using operator_api::DeviceAction;
  auto service = service_;
  endpoints_["device.list"] = [service](const HttpRequest& r, const Params&) {
    return OperatorAnswer(service->ListDevices(QueryValue(r, "limit"), QueryValue(r, "after")), 200,
                          "device.list");
  };
  endpoints_["device.get"] = [service](const HttpRequest&, const Params& p) {
    return OperatorAnswer(service->GetDevice(p.at("id")), 200, "device.get");
  };
  const std::pair<const char*, DeviceAction> actions[] = {
      {"device.disable", DeviceAction::kDisable},
      {"device.enable", DeviceAction::kEnable},
      {"device.revoke", DeviceAction::kRevoke},
      {"device.retire", DeviceAction::kRetire},
  };
  for (const auto& [name, action] : actions) {
    std::string endpoint = name;
    DeviceAction a = action;
    endpoints_[endpoint] = [service, endpoint, a](const HttpRequest& r, const Params& p) {
      return OperatorAnswer(service->ChangeDevice(Caller{r.remote_address}, p.at("id"), a, r.body),
                            200, endpoint);
    };
  }
  endpoints_["audit.query"] = [service](const HttpRequest& r, const Params&) {
    return OperatorAnswer(service->QueryAudit(QueryValue(r, "subject"), QueryValue(r, "action"),
                                              QueryValue(r, "outcome"), QueryValue(r, "after"),
                                              QueryValue(r, "limit")),
                          200, "audit.query");
  };
}

}  // namespace edgetrust::enrollment::server
