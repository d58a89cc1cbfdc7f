#include "enrollment/api/protocol_crypto.h"

#include <algorithm>
#include <string>

#include "common/crypto.h"

namespace edgetrust::enrollment::api {

Result<Bytes> EnrollmentQualifyingData(const SecretBytes& secret, ByteView nonce) {
  ByteView s = secret.RevealForCrypto();
  SecretBytes joined(s.size() + nonce.size());
  std::copy(s.begin(), s.end(), joined.mutable_data());
  std::copy(nonce.begin(), nonce.end(), joined.mutable_data() + s.size());
  return Digest(HashAlgorithm::kSha256, joined.RevealForCrypto());
}

Result<Bytes> EnrollmentProof(const SecretBytes& secret, ByteView challenge_id) {
  Bytes message = Concat({AsBytes(kProofLabel), challenge_id});
  return Hmac(HashAlgorithm::kSha256, secret.RevealForCrypto(), message);
}

Result<Bytes> RenewQualifyingData(ByteView nonce) {
  return Digest(HashAlgorithm::kSha256, Concat({AsBytes(kRenewLabel), nonce}));
}

Result<attestation::PcrSelection> QuoteSelection(std::string_view pcr_selection) {
  return attestation::ParsePcrSelection(pcr_selection.empty() ? kDefaultQuoteSelection
                                                              : pcr_selection);
}

PcrMap ToPcrMap(const attestation::PcrValues& values) {
  PcrMap map;
  for (const attestation::PcrValue& v : values) {
    map[std::string(HashAlgorithmName(v.alg))][v.index] = v.digest;
  }
  return map;
}

}  // namespace edgetrust::enrollment::api
