#include "enrollment/service/nonce_store.h"

#include "common/crypto.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::service {

Result<std::string> InMemoryNonceStore::Issue(std::time_t now) {
  auto bytes = RandomBytes(16);
  if (!bytes) return Fail(bytes.error());
  std::string nonce = api::Base64UrlEncode(*bytes);
  std::lock_guard lock(mu_);
  if (nonces_.size() >= capacity_) {
    std::erase_if(nonces_, [now](const auto& kv) { return kv.second <= now; });
  }
  if (nonces_.size() >= capacity_) {
    return Fail(ErrorCode::kResourceExhausted, "nonce.capacity", "too many outstanding nonces");
  }
  nonces_.emplace(nonce, now + static_cast<std::time_t>(ttl_.count()));
  return nonce;
}

Status InMemoryNonceStore::Consume(std::string_view nonce, std::time_t now) {
  std::lock_guard lock(mu_);
  auto it = nonces_.find(nonce);
  if (it == nonces_.end()) {
    return Fail(ErrorCode::kPermissionDenied, "jws.bad_nonce", "nonce unknown or already used");
  }
  const std::time_t expiry = it->second;
  nonces_.erase(it);
  if (expiry <= now) return Fail(ErrorCode::kPermissionDenied, "jws.bad_nonce", "nonce expired");
  return Ok();
}

}  // namespace edgetrust::enrollment::service
