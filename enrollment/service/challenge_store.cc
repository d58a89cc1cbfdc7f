#include "enrollment/service/challenge_store.h"

namespace edgetrust::enrollment::service {

void InMemoryChallengeStore::SweepLocked(std::time_t now) {
  std::erase_if(pending_, [now](const auto& kv) { return kv.second.expires_at <= now; });
  std::erase_if(tombstones_, [now](const auto& kv) { return kv.second <= now; });
  std::erase_if(tombstone_order_,
                [this](const std::string& id) { return !tombstones_.contains(id); });
}

Status InMemoryChallengeStore::Put(ByteView id, PendingChallenge challenge, std::time_t now) {
  const std::string key = HexEncode(id);
  std::lock_guard lock(mu_);
  if (pending_.size() >= capacity_) SweepLocked(now);
  if (pending_.size() >= capacity_) {
    return Fail(ErrorCode::kResourceExhausted, "challenge.capacity", "too many pending challenges");
  }
  if (pending_.contains(key) || tombstones_.contains(key)) {
    return Fail(ErrorCode::kAlreadyExists, "challenge.exists", "challenge id reused");
  }
  pending_.emplace(key, std::move(challenge));
  return Ok();
}

Result<PendingChallenge> InMemoryChallengeStore::Take(ByteView id, std::time_t now) {
  const std::string key = HexEncode(id);
  std::lock_guard lock(mu_);
  if (auto t = tombstones_.find(key); t != tombstones_.end()) {
    return Fail(ErrorCode::kFailedPrecondition, "challenge.used", "challenge was already used");
  }
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    return Fail(ErrorCode::kNotFound, "challenge.unknown", "no such challenge");
  }
  PendingChallenge challenge = std::move(it->second);
  pending_.erase(it);
  if (challenge.expires_at <= now) {
    return Fail(ErrorCode::kFailedPrecondition, "challenge.expired", "challenge has expired");
  }
  if (tombstones_.size() >= capacity_) SweepLocked(now);
  if (tombstones_.size() >= capacity_ && !tombstone_order_.empty()) {
    tombstones_.erase(tombstone_order_.front());
    tombstone_order_.pop_front();
  }
  tombstones_.emplace(key, challenge.expires_at);
  tombstone_order_.push_back(key);
  return challenge;
}

size_t InMemoryChallengeStore::pending_count() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace edgetrust::enrollment::service
