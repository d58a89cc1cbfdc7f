// NonceStore issues and consumes Replay-Nonces for signed device requests (THREATS E15).
//
// Issue returns a fresh base64url nonce of 16 random bytes valid for `ttl`; Consume accepts a
// nonce once, if it was issued here and has not expired, and forgets it. Every failure of
// Consume is kPermissionDenied "jws.bad_nonce" (unknown, reused and expired are one answer to
// the client; the message tells them apart for the log). At most `capacity` nonces are
// outstanding: when Issue finds the store full it first forgets expired nonces, then the
// oldest outstanding ones, and always succeeds. Every /v1/ answer carries a fresh nonce, so a
// flood of unsigned requests (GET /v1/ca) must not be able to block renewals: it only evicts
// honest clients' nonces, which then get "jws.bad_nonce" with a fresh Replay-Nonce and retry
// once (as in ACME, RFC 8555 §6.5). Rate limiting belongs to the transport.
//
// InMemoryNonceStore serves one instance; several instances need a shared store (a PostgreSQL
// table with DELETE ... RETURNING). Thread-safe.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_NONCE_STORE_H_
#define EDGETRUST_ENROLLMENT_SERVICE_NONCE_STORE_H_

#include <chrono>
#include <ctime>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

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
  struct Entry {
    std::string nonce;
    std::time_t expiry;
  };
  std::mutex mu_;
  std::list<Entry> order_;  // oldest first (guarded by mu_)
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // keys view order_
};

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_NONCE_STORE_H_
