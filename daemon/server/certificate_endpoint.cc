// GET /certificate: the device certificate and its CA chain, PEM
// (application/pem-certificate-chain, RFC 8555 §9.1). 404 "daemon.no_certificate" before the
// first enrollment; 409 "daemon.certificate_expired" when the stored one is no longer valid.
#include "daemon/server/endpoints.h"

namespace edgetrust::daemon::server {

Reply HandleCertificate(service::Control& control, const Call& /*call*/) {
  auto pem = control.CertificateChainPem();
  if (!pem) return ControlErrorReply(api::Endpoint::kCertificate, pem.error());
  return Reply{200, "application/pem-certificate-chain", std::move(*pem), {}, {}};
}

}  // namespace edgetrust::daemon::server
