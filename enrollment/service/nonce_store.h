// NonceStore issues and consumes Replay-Nonces for signed device requests (THREATS E15).
//
// Issue returns a fresh base64url nonce of 16 random bytes valid for `ttl`; Consume accepts a
// nonce once, if it was issued here and has not expired, and forgets it. Every failure of
// Consume is kPermissionDenied "jws.bad_nonce" (unknown, reused and expired are one answer to
// the client; the message tells them apart for the log). Issue fails with
// kResourceExhausted "nonce.capacity" when `capacity` unexpired nonces are outstanding: a
// flood of nonce requests then blocks new nonces rather than silently evicting ones devices
// are about to use. Rate limiting belongs to the transport.
//
// InMemoryNonceStore serves one instance; several instances need a shared store (a PostgreSQL
// table with DELETE ... RETURNING). Thread-safe.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_NONCE_STORE_H_
#define EDGETRUST_ENROLLMENT_SERVICE_NONCE_STORE_H_

#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/error.h"

namespace edgetrust::enrollment::service {

class NonceStore {
 public:
  virtual ~NonceStore() = default;
  virtual Result<std::string> Issue(std::time_t now) = 0;
  virtual Status Consume(std::string_view nonce, std::time_t now) = 0;
};

class InMemoryNonceStore final : public NonceStore {
 public:
  InMemoryNonceStore(size_t capacity, std::chrono::seconds ttl) : capacity_(capacity), ttl_(ttl) {}

  Result<std::string> Issue(std::time_t now) override;
  Status Consume(std::string_view nonce, std::time_t now) override;

 private:
  const size_t capacity_;
  const std::chrono::seconds ttl_;
  std::mutex mu_;
  std::map<std::string, std::time_t, std::less<>> nonces_;  // nonce → expiry
};

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_NONCE_STORE_H_
