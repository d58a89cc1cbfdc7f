// SoftwareDevice: a simulated enrolling device whose keys are in process memory, for tests and
// the load generator. It builds the same requests as evidence.h does with a TPM, byte for byte
// in shape, so the service sees only cryptographic evidence:
//   - EK: attestation::testing::GenerateKey over the EK template (RSA-2048, ECC P-256 or
//     P-384); the secret is recovered with attestation::ActivateCredentialInSoftware;
//   - AK: attestation::testing::SoftwareKey with the AK template (ECC P-256, ECDSA-SHA256);
//     quotes and certifies are TPMS_ATTEST built by QuoteAttest/CertifyAttest and signed by it;
//   - identity key: GenerateKey over the identity template (ECC P-256 or RSA-2048 RSASSA),
//     signing CSRs through a certs::testing::SoftwareSigner;
//   - PCRs: all zero (like a fresh swtpm) unless SetPcr changes them.
// Optionally its EK certificate is issued by a TestManufacturerCa (group enrollment).
//
// FOR TESTS, SIMULATIONS AND THE LOAD GENERATOR ONLY: private keys are in process memory.
// Copies share the keys. Const methods are thread-safe; SetPcr is not (call it before sharing).
#ifndef EDGETRUST_ENROLLMENT_CLIENT_TESTING_SOFTWARE_DEVICE_H_
#define EDGETRUST_ENROLLMENT_CLIENT_TESTING_SOFTWARE_DEVICE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "attestation/templates.h"
#include "attestation/testing/software_key.h"
#include "attestation/tpm_public.h"
#include "certs/certificate.h"
#include "certs/signer.h"
#include "common/bytes.h"
#include "common/crypto.h"
#include "common/error.h"
#include "common/secret_bytes.h"
#include "enrollment/api/wire.h"
#include "enrollment/client/testing/manufacturer_ca.h"

namespace edgetrust::enrollment::client::testing {

struct SoftwareDeviceOptions {
  std::string registration_id;
  attestation::EkType ek_type = attestation::EkType::kEccP256;
  attestation::KeyAlgorithm identity_algorithm = attestation::KeyAlgorithm::kEccP256;
  // When set, the device gets an EK certificate issued by this CA (borrowed for Create only).
  const TestManufacturerCa* ek_issuer = nullptr;
};

class SoftwareDevice {
 public:
  // Create generates the keys (and the EK certificate); the registration id must be valid
  // (kInvalidArgument "request.bad_registration_id").
  static Result<SoftwareDevice> Create(const SoftwareDeviceOptions& options);

  const std::string& registration_id() const { return registration_id_; }
  attestation::EkType ek_type() const { return ek_type_; }
  const attestation::TpmPublic& ek_public() const { return ek_public_; }
  const std::optional<certs::Certificate>& ek_certificate() const { return ek_certificate_; }
  const attestation::TpmPublic& ak_public() const { return ak_.public_area(); }
  const attestation::TpmPublic& identity_public() const { return identity_public_; }
  // identity_signer signs with the identity key: CSRs and renew JWS.
  const certs::Signer& identity_signer() const { return *identity_signer_; }
  std::shared_ptr<const certs::Signer> shared_identity_signer() const { return identity_signer_; }
  // csr is the CSR (DER, CN = registration id) built at Create and sent with every enrollment.
  const Bytes& csr() const { return csr_; }

  // SetPcr sets the value this device reports (and quotes) for one PCR.
  void SetPcr(HashAlgorithm bank, uint32_t index, Bytes digest);

  api::ChallengeRequest BuildChallengeRequest() const;
  // ActivateCredential recovers the challenge's secret as TPM2_ActivateCredential would
  // (kPermissionDenied "credential.integrity" for a blob made for another EK or AK).
  Result<SecretBytes> ActivateCredential(const api::ChallengeResponse& challenge) const;
  Result<api::CompleteRequest> BuildCompleteRequest(const api::ChallengeResponse& challenge) const;
  // BuildEvidence: quote over `pcr_selection` ("" → "sha256:0") and certify of the identity
  // key bound to `qualifying_data`, and a CSR with CN `common_name`.
  Result<api::Evidence> BuildEvidence(ByteView qualifying_data, std::string_view pcr_selection,
                                      std::string_view common_name) const;
  // BuildRenewPayload: evidence bound to SHA-256("edgetrust-renew-v1" ‖ nonce).
  Result<api::RenewPayload> BuildRenewPayload(ByteView nonce, std::string_view pcr_selection) const;

 private:
  SoftwareDevice(std::string registration_id, attestation::EkType ek_type,
                 std::shared_ptr<const std::string> ek_private_pem,
                 attestation::TpmPublic ek_public, attestation::testing::SoftwareKey ak,
                 attestation::TpmPublic identity_public,
                 std::shared_ptr<const certs::Signer> identity_signer)
      : registration_id_(std::move(registration_id)),
        ek_type_(ek_type),
        ek_private_pem_(std::move(ek_private_pem)),
        ek_public_(std::move(ek_public)),
        ak_(std::move(ak)),
        identity_public_(std::move(identity_public)),
        identity_signer_(std::move(identity_signer)) {}

  std::string registration_id_;
  attestation::EkType ek_type_;
  std::shared_ptr<const std::string> ek_private_pem_;  // test-only EK private key
  attestation::TpmPublic ek_public_;
  std::optional<certs::Certificate> ek_certificate_;
  attestation::testing::SoftwareKey ak_;
  attestation::TpmPublic identity_public_;
  std::shared_ptr<const certs::Signer> identity_signer_;
  Bytes csr_;
  std::map<std::pair<HashAlgorithm, uint32_t>, Bytes> pcrs_;
};

}  // namespace edgetrust::enrollment::client::testing

#endif  // EDGETRUST_ENROLLMENT_CLIENT_TESTING_SOFTWARE_DEVICE_H_
