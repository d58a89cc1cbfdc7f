#include "enrollment/service/nonce_store.h"

#include "common/crypto.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::service {

Result<std::string> InMemoryNonceStore::Issue(std::time_t now) {
  auto bytes = RandomBytes(16);
  if (!bytes) return Fail(bytes.error());
  std::string nonce = api::Base64UrlEncode(*bytes);
  std::lock_guard lock(mu_);
  // Full: expired nonces go first, then the oldest outstanding ones (see the header).
  while (!order_.empty() && (order_.front().expiry <= now || order_.size() >= capacity_)) {
    index_.erase(order_.front().nonce);
    order_.pop_front();
  }
  if (capacity_ == 0) return nonce;  // nothing can be kept: every Consume will refuse it
  order_.push_back({nonce, now + static_cast<std::time_t>(ttl_.count())});
  auto last = std::prev(order_.end());
  index_.emplace(std::string_view(last->nonce), last);
  return nonce;
}

Status InMemoryNonceStore::Consume(std::string_view nonce, std::time_t now) {
  std::lock_guard lock(mu_);
  auto it = index_.find(nonce);
  if (it == index_.end()) {
    return Fail(ErrorCode::kPermissionDenied, "jws.bad_nonce", "nonce unknown or already used");
  }
  const std::time_t expiry = it->second->expiry;
  auto entry = it->second;
  index_.erase(it);
  order_.erase(entry);
  if (expiry <= now) return Fail(ErrorCode::kPermissionDenied, "jws.bad_nonce", "nonce expired");
  return Ok();
}

}  // namespace edgetrust::enrollment::service
