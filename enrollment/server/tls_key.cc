#include "enrollment/server/tls_key.h"

namespace edgetrust::enrollment::server {

Result<std::unique_ptr<TlsKey>> TlsKey::Open(const certs::Pkcs11Config& config) {
  auto key = certs::OpenPkcs11PrivateKey(config);
  if (!key) return Fail(key.error());
  return std::unique_ptr<TlsKey>(new TlsKey(std::move(*key)));
}

}  // namespace edgetrust::enrollment::server
