// StateStore is the daemon's state directory (0700): the TPM-wrapped key blobs (ak.blob,
// identity.blob: useless outside this TPM) and state.json, the one record of what the daemon
// knows: its registration and device ids, the certificate chain, the PCR selection its
// enrollment asked for, the persistent TPM handles it created (so a factory reset evicts
// exactly those), whether the service refused the device, and the trusted clock's floor
// (a time proved from a certificate's notBefore, paired with the TPM clock reading at that
// moment, see TrustedClock). device-chain.pem is a copy of the chain for
// tools that read files; state.json is the source of truth.
//
// Every write is atomic (common/file.h: temp file, fsync, rename, fsync dir), files 0600: a
// power cut leaves the previous or the new record, never a torn one (THREATS D2, D4).
//
// Errors: kNotFound never escapes Load (no file = empty record); a file that does not parse
// is kInternal "state.corrupt"; I/O errors as common/file.h reports them. Not thread-safe.
#ifndef EDGETRUST_DAEMON_SERVICE_STATE_STORE_H_
#define EDGETRUST_DAEMON_SERVICE_STATE_STORE_H_

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "common/error.h"

namespace edgetrust::daemon::service {

struct DeviceRecord {
  std::vector<uint32_t> owned_handles;  // persistent handles this daemon created
  std::string registration_id;
  std::string device_id;          // "" until enrolled
  std::string pcr_selection;      // from the enrollment challenge, reused by renewals
  std::string certificate_chain;  // PEM, leaf first; "" until enrolled
  bool refused = false;           // the service refused the device (revoked, disabled, retired)
  std::time_t clock_floor = 0;    // a proved lower bound of the time ...
  uint64_t tpm_clock_ms = 0;      // ... when the TPM clock read this
};

class StateStore {
 public:
  // Open creates `dir` (0700) when missing and tightens its mode when too open.
  static Result<StateStore> Open(std::string dir);

  Result<DeviceRecord> Load() const;
  // Save replaces state.json, then device-chain.pem (removed when the record has no chain).
  Status Save(const DeviceRecord& record) const;
  // DestroyKeys deletes the key blobs, durably (the directory is fsynced): the first step of a
  // factory reset, so that a power cut after it can never bring the old identity back.
  Status DestroyKeys() const;

  const std::string& dir() const { return dir_; }
  std::string ak_blob_path() const { return dir_ + "/ak.blob"; }
  std::string identity_blob_path() const { return dir_ + "/identity.blob"; }
  std::string state_path() const { return dir_ + "/state.json"; }
  std::string chain_path() const { return dir_ + "/device-chain.pem"; }

 private:
  explicit StateStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_STATE_STORE_H_
