// Device endpoints of enrollment: POST /v1/attestation/challenge, /v1/attestation/complete,
// /v1/devices/{id}/renew (docs/enrollment-protocol.md).
#include "enrollment/api/wire.h"
#include "enrollment/server/device_api.h"

namespace edgetrust::enrollment::server {

HttpResponse DeviceApi::Challenge(const HttpRequest& request, const PathParams&) {
  auto parsed = api::ParseChallengeRequest(request.body);
  if (!parsed) return DeviceErrorResponse(parsed.error(), "challenge");
  auto answer = service_->Challenge(*parsed);
  if (!answer) return DeviceErrorResponse(answer.error(), "challenge");
  HttpResponse response;
  response.body = api::ToJson(*answer);
  return response;
}

HttpResponse DeviceApi::Complete(const HttpRequest& request, const PathParams&) {
  auto parsed = api::ParseCompleteRequest(request.body);
  if (!parsed) return DeviceErrorResponse(parsed.error(), "complete");
  auto answer = service_->Complete(*parsed);
  if (!answer) return DeviceErrorResponse(answer.error(), "complete");
  HttpResponse response;
  response.body = api::ToJson(*answer);
  return response;
}

HttpResponse DeviceApi::Renew(const HttpRequest& request, const PathParams& params) {
  auto answer = service_->Renew(params.at("id"), request.path, request.body);
  if (!answer) return DeviceErrorResponse(answer.error(), "renew");
  HttpResponse response;
  response.body = api::ToJson(*answer);
  return response;
}

}  // namespace edgetrust::enrollment::server
