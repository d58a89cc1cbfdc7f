// Device endpoints without a body: GET|HEAD /v1/nonce, GET /v1/ca, GET /v1/crl, GET /healthz,
// GET /metrics.
#include "enrollment/server/device_api.h"
#include "enrollment/service/metrics.h"

namespace edgetrust::enrollment::server {

HttpResponse DeviceApi::Nonce(const HttpRequest&, const PathParams&) {
  // The Replay-Nonce header itself is added by Handle, as for every /v1/ answer.
  HttpResponse response;
  response.status = 204;
  response.content_type = "application/json";
  return response;
}

HttpResponse DeviceApi::CaChain(const HttpRequest&, const PathParams&) {
  HttpResponse response;
  response.content_type = "application/pem-certificate-chain";
  response.body = service_->CaChainPem();
  return response;
}

HttpResponse DeviceApi::Crl(const HttpRequest&, const PathParams&) {
  auto crl = service_->Crl();
  if (!crl) return DeviceErrorResponse(crl.error(), "crl");
  HttpResponse response;
  response.content_type = "application/pkix-crl";
  response.body.assign(crl->begin(), crl->end());
  return response;
}

HttpResponse DeviceApi::Healthz(const HttpRequest&, const PathParams&) {
  HttpResponse response;
  response.body = R"({"status":"ok"})";
  return response;
}

HttpResponse DeviceApi::Metrics(const HttpRequest&, const PathParams&) {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = service_->metrics().Render();
  return response;
}

}  // namespace edgetrust::enrollment::server
