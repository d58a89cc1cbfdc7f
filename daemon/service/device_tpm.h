// DeviceTpm is the daemon's connection to its TPM and the objects it keeps there: the SRK
// (persistent, 0x81000001), the AK and identity key (blobs under the SRK in the state
// directory) and the EK (persistent, needed only to enroll). The identity key stays loaded
// while the DeviceTpm lives, so POST /sign costs one TPM command; the AK is loaded only for
// an enrollment or renewal (two of swtpm's three transient slots at most).
//
// Keys are created only when absent, and a key blob is saved before it is used, so a power cut
// at any point leaves either no key or a key the next boot reuses (THREATS D4).
// `record_owned` is called with every persistent handle the daemon creates and must make
// that durable, so that a factory reset evicts exactly those: on a first boot (no key blobs)
// before the handle is created, so a power cut cannot leave an unrecorded one; on a warm boot
// (one command cheaper) right after, in the rare case that the SRK had vanished. Every key the
// daemon creates is noDA and needs no authorization, so nothing the daemon does can move the TPM
// towards lockout (THREATS D3).
//
// Open first flushes what a killed predecessor left loaded (attestation::FlushLeftovers: the
// daemon is the TPM's only direct user). Warm boot (blobs present, SRK persisted) then costs
// the SRK check and one Load: no CreatePrimary, no Create.
//
// Errors are attestation's ("tpm.*"; an unreachable TPM is kUnavailable) and StateStore's.
// After any TPM error the owner should drop this object and open a new one (a restarted TPM
// has forgotten the loaded identity key). Not thread-safe, like attestation::Tpm.
#ifndef EDGETRUST_DAEMON_SERVICE_DEVICE_TPM_H_
#define EDGETRUST_DAEMON_SERVICE_DEVICE_TPM_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "attestation/handles.h"
#include "attestation/key_blob.h"
#include "attestation/primary_keys.h"
#include "attestation/templates.h"
#include "attestation/tpm.h"
#include "attestation/tpm_public.h"
#include "attestation/tpm_signer.h"
#include "common/error.h"
#include "daemon/service/state_store.h"

namespace edgetrust::daemon::service {

struct DeviceTpmOptions {
  std::string tcti;
  attestation::EkType ek_type = attestation::EkType::kRsa2048;
  attestation::KeyAlgorithm ak_algorithm = attestation::KeyAlgorithm::kEccP256;
  attestation::KeyAlgorithm identity_algorithm = attestation::KeyAlgorithm::kEccP256;
};

// RecordOwned makes "the daemon is about to create persistent handle H" durable.
using RecordOwned = std::function<Status(uint32_t handle)>;

class DeviceTpm {
 public:
  // Open connects to the TPM, ensures the SRK and the two key blobs in `store` (creating what
  // is missing) and loads the identity key.
  static Result<std::unique_ptr<DeviceTpm>> Open(const DeviceTpmOptions& options,
                                                 const StateStore& store,
                                                 const RecordOwned& record_owned);
  ~DeviceTpm();
  DeviceTpm(const DeviceTpm&) = delete;
  DeviceTpm& operator=(const DeviceTpm&) = delete;

  // EnsureEk returns the persistent EK of the configured type, creating it if needed (the
  // result is cached).
  Result<const attestation::PersistentKey*> EnsureEk(const RecordOwned& record_owned);
  // LoadAk loads the AK for one enrollment or renewal (flushed when the handle dies).
  Result<attestation::TransientHandle> LoadAk();

  attestation::Tpm& tpm() { return *tpm_; }
  attestation::EkType ek_type() const { return options_.ek_type; }
  const attestation::TpmPublic& ak_public() const { return *ak_public_; }
  const attestation::TpmPublic& identity_public() const { return *identity_public_; }
  const attestation::TransientHandle& identity() const { return identity_; }
  // signer signs with the identity key in the TPM (borrowed; valid while this lives).
  const certs::Signer& signer() const { return *signer_; }

 private:
  explicit DeviceTpm(DeviceTpmOptions options) : options_(std::move(options)) {}
  Status EnsureKeys(const StateStore& store, const RecordOwned& record_owned);

  DeviceTpmOptions options_;
  // Declaration order is destruction order in reverse: handles die before the Tpm.
  std::unique_ptr<attestation::Tpm> tpm_;
  std::optional<attestation::PersistentKey> srk_;
  std::optional<attestation::PersistentKey> ek_;
  attestation::KeyBlob ak_blob_;
  std::optional<attestation::TpmPublic> ak_public_;
  std::optional<attestation::TpmPublic> identity_public_;
  attestation::TransientHandle identity_;
  std::unique_ptr<attestation::TpmSigner> signer_;
};

// EvictOwned removes the persistent handles in `handles` from the TPM at `tcti` (absent ones
// are skipped): the TPM half of a factory reset.
Status EvictOwned(const std::string& tcti, const std::vector<uint32_t>& handles);

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_DEVICE_TPM_H_
