// StoredCertificate is the daemon's view of the chain in its state: the leaf's facts for
// GET /status and the two checks that decide whether the device still has an identity:
// the leaf certifies THIS identity key (a chain copied from another device, or left over
// from before a factory reset, is not ours), and it is within its validity by the trusted
// clock (THREATS D6). Pure values; thread-safe.
#ifndef EDGETRUST_DAEMON_SERVICE_STORED_CERTIFICATE_H_
#define EDGETRUST_DAEMON_SERVICE_STORED_CERTIFICATE_H_

#include <ctime>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/public_key.h"
#include "daemon/api/wire.h"

namespace edgetrust::daemon::service {

struct StoredCertificate {
  api::CertificateInfo info;
  std::time_t not_before = 0;
  std::time_t not_after = 0;

  // ExpiredAt: the certificate's own end. A notBefore in the device's future is not checked:
  // it means the device's clock is behind, which peers judge by their own clocks.
  bool ExpiredAt(std::time_t now) const { return now >= not_after; }
};

// ParseStoredCertificate reads the leaf of `chain_pem` and checks that its key is
// `identity_key`: kFailedPrecondition "daemon.certificate_key_mismatch" otherwise;
// "cert.malformed" for a chain that does not parse.
Result<StoredCertificate> ParseStoredCertificate(std::string_view chain_pem,
                                                 const PublicKey& identity_key);

// Rfc3339 formats a time as "2026-11-26T10:00:00Z".
std::string Rfc3339(std::time_t time);

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_STORED_CERTIFICATE_H_
