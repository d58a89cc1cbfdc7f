// TpmPublic is a parsed TPM2B_PUBLIC: a TPM object's public area, as a verifier receives it.
//
// Parse is strict (exactly one marshalled TPM2B_PUBLIC, a size field that matches, no trailing
// bytes); an instance always holds a well-formed RSA or ECC public area. Immutable and
// thread-safe. Reasons: "tpm.malformed", "key.unsupported".
#ifndef EDGETRUST_ATTESTATION_TPM_PUBLIC_H_
#define EDGETRUST_ATTESTATION_TPM_PUBLIC_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>
#include <utility>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/public_key.h"

namespace edgetrust::attestation {

class TpmPublic {
 public:
  // Parse reads a marshalled TPM2B_PUBLIC (2-byte size + TPMT_PUBLIC).
  static Result<TpmPublic> Parse(ByteView marshalled);
  // FromStruct validates and copies a public area produced by ESAPI.
  static Result<TpmPublic> FromStruct(const TPM2B_PUBLIC& pub);

  const TPMT_PUBLIC& area() const { return pub_.publicArea; }
  const TPM2B_PUBLIC& get() const { return pub_; }
  TPMA_OBJECT attributes() const { return pub_.publicArea.objectAttributes; }
  bool HasAttribute(TPMA_OBJECT bits) const { return (attributes() & bits) == bits; }
  // name_alg is the object's nameAlg (sha256 for AKs, sha384 for the P-384 EK).
  Result<HashAlgorithm> name_alg() const;

  // Marshal returns the TPM2B_PUBLIC wire form: the exact bytes Parse accepted.
  Bytes Marshal() const;
  // Name is nameAlg (2 bytes, big-endian) || H_nameAlg(marshalled TPMT_PUBLIC), per TPM 2.0
  // Part 1 §16: what MakeCredential binds to and what TPMS_CERTIFY_INFO names.
  Result<Bytes> Name() const;
  // ToPublicKey converts the unique field into an OpenSSL-backed key (RSA exponent 0 = 65537;
  // ECC NIST P-256/P-384/P-521). A modulus whose size differs from keyBits, or a point off the
  // curve, is "key.malformed"; another curve is "key.unsupported".
  Result<PublicKey> ToPublicKey() const;

 private:
  TpmPublic(const TPM2B_PUBLIC& pub, Bytes marshalled)
      : pub_(pub), marshalled_(std::move(marshalled)) {}
  TPM2B_PUBLIC pub_;
  Bytes marshalled_;  // the exact wire bytes parsed; Name() hashes these
};

// EkDigestHex is the lower-case hex SHA-256 of `ek`'s marshalled TPM2B_PUBLIC: the digest the
// service binds an individual enrollment to ("ek_digest"), and so the registration id edgetrustd
// derives and the factory station registers when none is configured.
Result<std::string> EkDigestHex(const TpmPublic& ek);

// HashFromTpmAlg maps TPM_ALG_SHA1/256/384/512; anything else is kInvalidArgument
// "tpm.unsupported_hash".
Result<HashAlgorithm> HashFromTpmAlg(TPM2_ALG_ID alg);
// TpmAlgFromHash is the inverse.
TPM2_ALG_ID TpmAlgFromHash(HashAlgorithm alg);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_TPM_PUBLIC_H_
