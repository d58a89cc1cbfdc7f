// ChallengeStore keeps the pending challenges between the two round trips of enrollment.
//
// Put stores a challenge under its id; Take removes it atomically, so a challenge is used at
// most once whatever the outcome of the request that took it (THREATS E6: a wrong proof burns
// the challenge; E7: replay, double use, use after expiry). After Take, the id is remembered
// as a tombstone until the challenge's expiry, so a replay is told "used", not "unknown".
//
// Errors: Put: kResourceExhausted "challenge.capacity" when `capacity` challenges are pending
// (after dropping expired ones), kAlreadyExists "challenge.exists" for a reused id. Take:
// kNotFound "challenge.unknown", kFailedPrecondition "challenge.expired" and
// "challenge.used" (HTTP 410).
//
// InMemoryChallengeStore serves one service instance. Several instances behind a load
// balancer need a shared implementation: a PostgreSQL store would keep the same contract in a
// table (Take = DELETE ... RETURNING inside the transaction that inserts the tombstone), so
// that the two round trips may reach different instances. Implementations are thread-safe.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_CHALLENGE_STORE_H_
#define EDGETRUST_ENROLLMENT_SERVICE_CHALLENGE_STORE_H_

#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/error.h"
#include "common/secret_bytes.h"
#include "enrollment/service/policy.h"

namespace edgetrust::enrollment::service {

// PendingChallenge is everything round trip 2 needs; `secret` never leaves the service
// except inside the credential blob encrypted to the EK.
struct PendingChallenge {
  SecretBytes secret;
  Bytes nonce;
  Bytes ak_public;  // marshalled TPM2B_PUBLIC
  std::string ek_digest_hex;
  std::string registration_id;
  EnrollmentDecision decision;
  std::time_t expires_at = 0;
};

class ChallengeStore {
 public:
  virtual ~ChallengeStore() = default;
  virtual Status Put(ByteView id, PendingChallenge challenge, std::time_t now) = 0;
  virtual Result<PendingChallenge> Take(ByteView id, std::time_t now) = 0;
};

class InMemoryChallengeStore final : public ChallengeStore {
 public:
  // `capacity` bounds pending challenges and, separately, tombstones (the oldest tombstone
  // is forgotten first when full; its replay is then "unknown", still refused).
  explicit InMemoryChallengeStore(size_t capacity) : capacity_(capacity) {}

  Status Put(ByteView id, PendingChallenge challenge, std::time_t now) override;
  Result<PendingChallenge> Take(ByteView id, std::time_t now) override;
  size_t pending_count() const;

 private:
  void SweepLocked(std::time_t now);

  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<std::string, PendingChallenge> pending_;  // hex id →
  std::map<std::string, std::time_t> tombstones_;    // hex id → expiry
  std::deque<std::string> tombstone_order_;          // oldest first
};

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_CHALLENGE_STORE_H_
