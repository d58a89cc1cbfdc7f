// GeneratedKey: a key pair generated in process (OpenSSL) and a TPM public area whose unique
// field holds its public value, so that the verifier side (MakeCredential, software
// activation, key policies, TpmPublic) can be tested without a TPM. Pair it with the production
// templates in attestation/templates.h.
//
// FOR TESTS ONLY: the private key is a PEM string in process memory.
#ifndef EDGETRUST_ATTESTATION_TESTING_GENERATED_KEY_H_
#define EDGETRUST_ATTESTATION_TESTING_GENERATED_KEY_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

namespace edgetrust::attestation::testing {

struct GeneratedKey {
  std::string private_pem;  // PKCS#8, unencrypted
  std::string public_pem;   // SubjectPublicKeyInfo
  TPM2B_PUBLIC pub;         // the template with its unique field filled in
};

// GenerateKey makes a key pair of the template's type: RSA of keyBits bits (exponent 65537,
// left as 0 in the template) or ECC on NIST P-256/P-384/P-521, and copies its public value into
// `tmpl.publicArea.unique`. Aborts the test binary on an OpenSSL failure or another curve.
GeneratedKey GenerateKey(TPM2B_PUBLIC tmpl);

}  // namespace edgetrust::attestation::testing

#endif  // EDGETRUST_ATTESTATION_TESTING_GENERATED_KEY_H_
