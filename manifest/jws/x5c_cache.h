// X5cCache: what ManifestVerifier derives from one exact x5c (internal to
// edgetrust_manifest_jws). Parsing a certificate costs OpenSSL 3.0 ~130 µs (it builds a
// decoder chain for the public key on every call) and a chain check another ~70 µs, while a
// device sees the same few signer chains deployment after deployment.
//
// SignerChain holds what the x5c bytes alone decide — the parsed certificates, the leaf's key
// and its identity — and the TrustEvidence (signer_trust.h) of a SignerTrust::CheckSigner that
// passed. MakeSignerChain builds one from the bytes, with the errors of ManifestVerifier's
// step 2 ("jws.malformed" for an entry that is not one DER certificate, "jws.signer_profile"
// for a leaf key that is weak or unsupported).
//
// The cache maps the exact x5c — every entry's DER bytes, in order, compared byte for byte,
// never by a digest alone — to a SignerChain that passed CheckSigner, so only chains that
// were trusted once are ever stored (unauthenticated input cannot fill it). ManifestVerifier
// re-uses an entry's trust decision only while its evidence is CurrentAt the verification
// time; otherwise it checks again from scratch, and that check alone decides and reports. At
// most `capacity` entries: the least recently used goes first.
//
// A note on path choice: among several candidate issuers with the same subject name (pinned
// roots or x5c entries), OpenSSL's path builder prefers one valid at `now`, so a fresh check at
// a later time may try another candidate (and fail, e.g. on its signature) where the re-used
// path — every signature verified, every certificate and CRL current at `now` — still stands.
// That path is a valid chain to a pinned root at `now`; nothing the contract requires is
// skipped. Thread-safe (one mutex around
// the index; entries are immutable and shared).
#ifndef EDGETRUST_MANIFEST_JWS_X5C_CACHE_H_
#define EDGETRUST_MANIFEST_JWS_X5C_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "certs/certificate.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/public_key.h"
#include "manifest/jws/signer_trust.h"

namespace edgetrust::manifest::jws::internal {

struct SignerChain {
  std::vector<certs::Certificate> chain;  // leaf first, as in x5c
  PublicKey key;                          // the leaf's
  std::string spki_sha256;                // PublicKey::Fingerprint of `key`
  std::string subject;                    // of the leaf, RFC 2253
  std::string serial;                     // of the leaf, lower-case hex
  std::optional<TrustEvidence> trust;     // set once CheckSigner passed
};

Result<SignerChain> MakeSignerChain(const std::vector<Bytes>& x5c);

// SpkiSha256 is PublicKey::Fingerprint(cert's key) without OpenSSL 3.0's ~60 µs re-encoding
// when the certificate's own SubjectPublicKeyInfo is byte for byte what the encoder writes (a
// P-256 or P-384 named curve with an uncompressed point); any other key is re-encoded.
std::string SpkiSha256(const certs::Certificate& cert, const PublicKey& key);

class X5cCache {
 public:
  static constexpr size_t kDefaultCapacity = 32;
  explicit X5cCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Find returns the entry stored for exactly `x5c`, or nullptr.
  std::shared_ptr<const SignerChain> Find(const std::vector<Bytes>& x5c);
  // Put stores `entry` (which must carry trust) for `x5c`, replacing any entry for it.
  void Put(const std::vector<Bytes>& x5c, std::shared_ptr<const SignerChain> entry);
  size_t size() const;

 private:
  using Lru = std::list<std::pair<std::string, std::shared_ptr<const SignerChain>>>;

  const size_t capacity_;
  mutable std::mutex mu_;
  Lru lru_;                                                    // most recently used first
  std::unordered_map<std::string_view, Lru::iterator> index_;  // keys live in lru_
};

}  // namespace edgetrust::manifest::jws::internal

#endif  // EDGETRUST_MANIFEST_JWS_X5C_CACHE_H_
