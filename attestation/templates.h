// Public-area templates for the keys edgetrust creates, and the EK profiles of the TCG EK
// Credential Profile (2.5, §B.3/§B.4): where each EK is persisted and where its certificate
// lives in NV. All functions are pure and thread-safe.
#ifndef EDGETRUST_ATTESTATION_TEMPLATES_H_
#define EDGETRUST_ATTESTATION_TEMPLATES_H_

#include <tss2/tss2_tpm2_types.h>

#include <span>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

// EkType names an EK template: RSA-2048 (L-1) and ECC P-256 (L-2) from the low range, ECC
// P-384 (H-3) from the high range (what swtpm_setup provisions).
enum class EkType { kRsa2048, kEccP256, kEccP384 };

// KeyAlgorithm is the algorithm of an AK or identity key.
enum class KeyAlgorithm { kEccP256, kRsa2048 };

struct EkProfile {
  EkType type;
  std::string_view name;      // "rsa2048", "ecc256", "ecc384"
  TPM2_HANDLE persistent;     // where edgetrust persists the EK (TCG provisioning guidance)
  TPM2_HANDLE cert_nv_index;  // where the manufacturer stores the EK certificate
  bool high_range;            // high-range templates need PolicyOR in a SHA-384 session
};

inline constexpr TPM2_HANDLE kSrkHandle = 0x81000001;

const EkProfile& GetEkProfile(EkType type);
// ParseEkType accepts the profile names; anything else is kInvalidArgument "tpm.ek_type".
Result<EkType> ParseEkType(std::string_view name);
// AllEkTypes lists the supported EK types in a stable order.
std::span<const EkType> AllEkTypes();

// ParseKeyAlgorithm accepts "ecc256" and "rsa2048" ("tpm.key_algorithm" otherwise).
Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name);

TPM2B_PUBLIC EkTemplate(EkType type);
// SrkTemplate is the TCG storage primary key: ECC P-256, AES-128-CFB, noDA.
TPM2B_PUBLIC SrkTemplate();
// AttestationKeyTemplate: restricted signing key (ECDSA-SHA256 or RSASSA-SHA256), fixedTPM,
// fixedParent, sensitiveDataOrigin, userWithAuth, noDA.
TPM2B_PUBLIC AttestationKeyTemplate(KeyAlgorithm alg);
// IdentityKeyTemplate: non-restricted signing key with the same attributes as the AK; RSA
// identity keys sign with RSASSA-PSS (SHA-256), ECC ones with ECDSA.
TPM2B_PUBLIC IdentityKeyTemplate(KeyAlgorithm alg);

// SamePublicParameters compares everything but the unique field: how a persistent object is
// checked against the template it should have been created from.
bool SamePublicParameters(const TPM2B_PUBLIC& a, const TPM2B_PUBLIC& b);

// EK authorization policy digests (TCG EK Credential Profile 2.5, §B.6).
// PolicySecret(TPM_RH_ENDORSEMENT), SHA-256: the low-range EK authPolicy.
ByteView EkPolicyASha256();
// PolicySecret(TPM_RH_ENDORSEMENT) and PolicyNV-based PolicyC, SHA-384: the two branches of
// the high-range EK's PolicyOR.
ByteView EkPolicyASha384();
ByteView EkPolicyCSha384();
// The high-range SHA-384 EK authPolicy: PolicyOR(PolicyA, PolicyC).
ByteView EkPolicyOrSha384();

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_TEMPLATES_H_
