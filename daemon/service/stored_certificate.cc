#include "daemon/service/stored_certificate.h"

#include <array>

#include "certs/certificate.h"

namespace edgetrust::daemon::service {

Result<StoredCertificate> ParseStoredCertificate(std::string_view chain_pem,
                                                 const PublicKey& identity_key) {
  auto leaf = certs::Certificate::FromPem(chain_pem);
  if (!leaf) return Fail(leaf.error());
  auto key = leaf->public_key();
  if (!key) return Fail(key.error());
  if (!key->Equals(identity_key)) {
    return Fail(ErrorCode::kFailedPrecondition, "daemon.certificate_key_mismatch",
                "the stored certificate does not certify this device's identity key");
  }
  StoredCertificate stored;
  stored.not_before = leaf->not_before();
  stored.not_after = leaf->not_after();
  stored.info = {leaf->SerialHex(), leaf->subject(), Rfc3339(stored.not_before),
                 Rfc3339(stored.not_after)};
  return stored;
}

std::string Rfc3339(std::time_t time) {
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::array<char, 32> text{};
  size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text.data(), n);
}

}  // namespace edgetrust::daemon::service
