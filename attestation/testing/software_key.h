// SoftwareKey: an EC P-256 signing key held in process memory, dressed as a TPM key (a
// TPM2B_PUBLIC with the attributes of a chosen template), that produces TPM-format attestations
// and signatures.
//
// FOR TESTS, SIMULATIONS AND THE LOAD-GENERATOR BENCHMARK ONLY: the private key is in this
// process. It lets tests craft evidence a real TPM never produces (wrong magic, wrong type,
// attributes a TPM would refuse) to prove that verifiers reject it. Thread-safe after creation.
#ifndef EDGETRUST_ATTESTATION_TESTING_SOFTWARE_KEY_H_
#define EDGETRUST_ATTESTATION_TESTING_SOFTWARE_KEY_H_

#include <tss2/tss2_tpm2_types.h>

#include <memory>

#include "attestation/pcr_selection.h"
#include "attestation/tpm_public.h"
#include "common/bytes.h"
#include "common/error.h"

struct evp_pkey_st;

namespace edgetrust::attestation::testing {

struct SignedAttest {
  Bytes attest;     // marshalled TPMS_ATTEST
  Bytes signature;  // marshalled TPMT_SIGNATURE (ECDSA-SHA256)
};

class SoftwareKey {
 public:
  // Create makes a fresh P-256 key whose public area is `tmpl` (an ECC template) with the
  // unique field filled in.
  static Result<SoftwareKey> Create(const TPM2B_PUBLIC& tmpl);

  const TpmPublic& public_area() const { return public_; }

  // Sign marshals `attest` and signs it with ECDSA-SHA256, as TPM2_Quote/TPM2_Certify do.
  Result<SignedAttest> Sign(const TPMS_ATTEST& attest) const;
  // SignRaw signs arbitrary bytes into a marshalled TPMT_SIGNATURE.
  Result<Bytes> SignRaw(ByteView message) const;

 private:
  SoftwareKey(std::shared_ptr<evp_pkey_st> key, TpmPublic pub)
      : key_(std::move(key)), public_(std::move(pub)) {}

  std::shared_ptr<evp_pkey_st> key_;
  TpmPublic public_;
};

// QuoteAttest builds the TPMS_ATTEST a TPM would produce for TPM2_Quote over `values`, with the
// PCR digest computed with `hash`.
Result<TPMS_ATTEST> QuoteAttest(ByteView qualifying_data, const PcrValues& values,
                                HashAlgorithm hash = HashAlgorithm::kSha256);

// CertifyAttest builds the TPMS_ATTEST of TPM2_Certify for an object with Name `name`.
TPMS_ATTEST CertifyAttest(ByteView qualifying_data, ByteView name);

}  // namespace edgetrust::attestation::testing

#endif  // EDGETRUST_ATTESTATION_TESTING_SOFTWARE_KEY_H_
