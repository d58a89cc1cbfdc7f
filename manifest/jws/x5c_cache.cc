#include "manifest/jws/x5c_cache.h"

#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/crypto.h"
#include "common/openssl.h"

namespace edgetrust::manifest::jws::internal {
namespace {

// The SubjectPublicKeyInfo DER of a named-curve EC key up to the point's 0x04 (uncompressed),
// as OpenSSL's encoder writes it, and the point's size.
constexpr std::array<uint8_t, 27> kP256SpkiPrefix = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
    0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
constexpr std::array<uint8_t, 24> kP384SpkiPrefix = {
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
    0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00, 0x04};

bool HasPrefix(ByteView der, std::span<const uint8_t> prefix, size_t point_bytes) {
  return der.size() == prefix.size() + point_bytes &&
         std::equal(prefix.begin(), prefix.end(), der.begin());
}

// Key is the exact x5c: each entry's length (8 bytes) then its bytes, so that no two different
// lists share a key.
std::string Key(const std::vector<Bytes>& x5c) {
  size_t size = 0;
  for (const Bytes& der : x5c) size += 8 + der.size();
  std::string key;
  key.reserve(size);
  for (const Bytes& der : x5c) {
    uint64_t n = der.size();
    for (int i = 0; i < 8; ++i, n >>= 8) key.push_back(static_cast<char>(n & 0xff));
    key.append(reinterpret_cast<const char*>(der.data()), der.size());
  }
  return key;
}

}  // namespace

std::string SpkiSha256(const certs::Certificate& cert, const PublicKey& key) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get0_x509()), &der);
  if (len <= 0 || der == nullptr) return key.Fingerprint();
  const Bytes spki(der, der + len);
  OPENSSL_free(der);
  const bool canonical = (key.type() == KeyType::kEcP256 && HasPrefix(spki, kP256SpkiPrefix, 64)) ||
                         (key.type() == KeyType::kEcP384 && HasPrefix(spki, kP384SpkiPrefix, 96));
  if (!canonical) return key.Fingerprint();
  auto digest = Digest(HashAlgorithm::kSha256, spki);
  return digest ? HexEncode(*digest) : "";
}

Result<SignerChain> MakeSignerChain(const std::vector<Bytes>& x5c) {
  std::vector<certs::Certificate> chain;
  chain.reserve(x5c.size());
  for (const Bytes& der : x5c) {
    auto cert = certs::Certificate::FromDer(der);
    if (!cert) {
      return Fail(ErrorCode::kInvalidArgument, "jws.malformed",
                  "an x5c entry is not one DER certificate");
    }
    chain.push_back(std::move(*cert));
  }
  auto key = chain.front().public_key();
  if (!key) {
    return Fail(ErrorCode::kPermissionDenied, "jws.signer_profile",
                "the signer certificate's key is weak or unsupported: " + key.error().message);
  }
  const certs::Certificate& leaf = chain.front();
  std::string spki = SpkiSha256(leaf, *key);
  std::string subject = leaf.subject();
  std::string serial = leaf.SerialHex();
  return SignerChain{std::move(chain),   std::move(*key),   std::move(spki),
                     std::move(subject), std::move(serial), std::nullopt};
}

std::shared_ptr<const SignerChain> X5cCache::Find(const std::vector<Bytes>& x5c) {
  const std::string key = Key(x5c);
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void X5cCache::Put(const std::vector<Bytes>& x5c, std::shared_ptr<const SignerChain> entry) {
  if (capacity_ == 0) return;
  std::string key = Key(x5c);
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(entry);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (lru_.size() >= capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
  lru_.emplace_front(std::move(key), std::move(entry));
  index_.emplace(lru_.front().first, lru_.begin());
}

size_t X5cCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace edgetrust::manifest::jws::internal
