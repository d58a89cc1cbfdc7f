// Enrolld is the whole edgetrust-enrolld process minus flag parsing and signals: from a
// ServerConfig it opens the store, the CA (key in the PKCS#11 token), the audit log, the
// enrollment and operator services, the listeners' TLS keys (in the token too) and both
// HTTPS listeners.
//
// Lifetime: Start returns once both listeners accept connections. Both listeners run their
// handlers on one WorkerPool of WorkerPool::DefaultThreads() threads (https_server.h). Stop
// closes both listeners, then lets the queued requests finish and joins the workers.
// Destruction releases, in this order: listeners (closed first) → endpoints and services (the
// CA and its PKCS#11 signer) → TLS contexts and keys. The PKCS#11 module (one libp11 context
// shared by the CA signer and the TLS keys) is retained until the process exits, because
// cpprestsdk may free SSL_CTXs holding the TLS key on its I/O threads until exit (enrolld.cc).
// Start/destroy cycles in one process reuse the same module context.
// Errors: every construction error passes through with its own reason ("config.*",
// "pkcs11.*", "pin.*", "ca.*", "store.*", "audit.*", "tls.*", "server.listen").
#ifndef EDGETRUST_ENROLLMENT_SERVER_ENROLLD_H_
#define EDGETRUST_ENROLLMENT_SERVER_ENROLLD_H_

#include <memory>
#include <string>

#include "common/error.h"
#include "enrollment/server/config.h"

namespace edgetrust::enrollment::server {

class Enrolld {
 public:
  static Result<std::unique_ptr<Enrolld>> Start(const ServerConfig& config);
  ~Enrolld();
  Enrolld(const Enrolld&) = delete;
  Enrolld& operator=(const Enrolld&) = delete;

  const std::string& device_url() const;
  const std::string& operator_url() const;
  void Stop();

 private:
  struct Parts;
  explicit Enrolld(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_ENROLLD_H_
