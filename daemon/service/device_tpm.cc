#include "daemon/service/device_tpm.h"

#include <sys/stat.h>

#include "attestation/keys.h"

namespace edgetrust::daemon::service {
namespace {

using attestation::PersistentKey;
using attestation::Tpm;

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// EnsurePersistent runs `ensure` (EnsureSrk / EnsureEk) so that a handle the daemon creates is
// always in its owned list first. With `probe` the handle is looked up before and recorded
// when absent (first boot: the record precedes the creation); without it (warm boot, one
// command cheaper) a handle that had to be re-created is recorded afterwards.
template <typename EnsureFn>
Result<PersistentKey> EnsurePersistent(Tpm& tpm, uint32_t handle, bool probe,
                                       const RecordOwned& record_owned, EnsureFn ensure) {
  if (probe) {
    auto present = attestation::OpenPersistent(tpm, handle);
    if (!present) {
      if (present.error().code != ErrorCode::kNotFound) return Fail(present.error());
      if (auto recorded = record_owned(handle); !recorded) return Fail(recorded.error());
    }
  }
  auto key = ensure();
  if (key && key->created && !probe) {
    if (auto recorded = record_owned(handle); !recorded) return Fail(recorded.error());
  }
  return key;
}

}  // namespace

Result<std::unique_ptr<DeviceTpm>> DeviceTpm::Open(const DeviceTpmOptions& options,
                                                   const StateStore& store,
                                                   const RecordOwned& record_owned) {
  std::unique_ptr<DeviceTpm> device(new DeviceTpm(options));
  auto tpm = Tpm::Open(options.tcti);
  if (!tpm) return Fail(tpm.error());
  device->tpm_ = std::move(*tpm);
  if (auto flushed = attestation::FlushLeftovers(*device->tpm_); !flushed) {
    return Fail(flushed.error());
  }
  if (auto keys = device->EnsureKeys(store, record_owned); !keys) return Fail(keys.error());
  return device;
}

DeviceTpm::~DeviceTpm() = default;

Status DeviceTpm::EnsureKeys(const StateStore& store, const RecordOwned& record_owned) {
  bool first_boot = !FileExists(store.identity_blob_path());
  auto srk = EnsurePersistent(*tpm_, attestation::kSrkHandle, first_boot, record_owned,
                              [&] { return attestation::EnsureSrk(*tpm_); });
  if (!srk) return Fail(srk.error());
  srk_ = std::move(*srk);

  auto ak_blob =
      attestation::LoadOrCreateKeyBlob(*tpm_, srk_->handle, store.ak_blob_path(),
                                       attestation::AttestationKeyTemplate(options_.ak_algorithm));
  if (!ak_blob) return Fail(ak_blob.error());
  auto identity_blob = attestation::LoadOrCreateKeyBlob(
      *tpm_, srk_->handle, store.identity_blob_path(),
      attestation::IdentityKeyTemplate(options_.identity_algorithm));
  if (!identity_blob) return Fail(identity_blob.error());
  auto ak_public = attestation::TpmPublic::FromStruct(ak_blob->public_area);
  if (!ak_public) return Fail(ak_public.error());
  auto identity_public = attestation::TpmPublic::FromStruct(identity_blob->public_area);
  if (!identity_public) return Fail(identity_public.error());

  auto identity = attestation::LoadKey(*tpm_, srk_->handle, *identity_blob);
  if (!identity) return Fail(identity.error());
  identity_ = std::move(*identity);
  auto signer = attestation::TpmSigner::Create(*tpm_, identity_, *identity_public);
  if (!signer) return Fail(signer.error());

  ak_blob_ = std::move(*ak_blob);
  ak_public_ = std::move(*ak_public);
  identity_public_ = std::move(*identity_public);
  signer_ = std::move(*signer);
  return Ok();
}

Result<const PersistentKey*> DeviceTpm::EnsureEk(const RecordOwned& record_owned) {
  if (!ek_) {
    uint32_t handle = attestation::GetEkProfile(options_.ek_type).persistent;
    auto ek = EnsurePersistent(*tpm_, handle, /*probe=*/true, record_owned,
                               [&] { return attestation::EnsureEk(*tpm_, options_.ek_type); });
    if (!ek) return Fail(ek.error());
    ek_ = std::move(*ek);
  }
  return &*ek_;
}

Result<attestation::TransientHandle> DeviceTpm::LoadAk() {
  return attestation::LoadKey(*tpm_, srk_->handle, ak_blob_);
}

Status EvictOwned(const std::string& tcti, const std::vector<uint32_t>& handles) {
  if (handles.empty()) return Ok();
  auto tpm = Tpm::Open(tcti);
  if (!tpm) return Fail(tpm.error());
  for (uint32_t handle : handles) {
    if (auto evicted = attestation::EvictPersistent(**tpm, handle); !evicted) return evicted;
  }
  return Ok();
}

}  // namespace edgetrust::daemon::service
