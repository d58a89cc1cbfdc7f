// The registry's records: plain values, no behaviour. Times are Unix seconds (UTC).
#ifndef EDGETRUST_ENROLLMENT_STORE_RECORDS_H_
#define EDGETRUST_ENROLLMENT_STORE_RECORDS_H_

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace edgetrust::enrollment::store {

// PcrPolicy: which PCRs a quote must cover and, optionally, the golden values they must hold.
// An empty `selection` means the enrollment asks for no PCR state (the quote still proves
// freshness). Each golden value is "bank:index" → hex digest; a PCR in the selection with no
// golden value is only required to be quoted.
struct PcrPolicy {
  std::string id;
  std::string selection;  // tpm2-tools syntax, e.g. "sha256:0,1,2,3,4,5,6,7"
  struct Golden {
    std::string bank;  // "sha256"
    uint32_t index = 0;
    std::string digest_hex;
  };
  std::vector<Golden> golden;
};

// IndividualEnrollment: one device registered by the factory station, by its EK.
struct IndividualEnrollment {
  std::string registration_id;
  std::string ek_digest_hex;  // SHA-256 of the marshalled EK TPM2B_PUBLIC
  bool enabled = true;
  std::string pcr_policy_id;  // "" = none
  std::vector<std::string> tags;
  std::time_t created_at = 0;
};

// GroupEnrollment: any device whose EK certificate chains to `manufacturer_ca_pem`.
struct GroupEnrollment {
  std::string group_id;
  std::string manufacturer_ca_pem;  // one or more PEM certificates (roots and intermediates)
  bool enabled = true;
  std::string pcr_policy_id;
  std::vector<std::string> tags;
  std::time_t created_at = 0;
};

enum class DeviceStatus { kActive, kDisabled, kRevoked, kRetired, kFailedAttestation };
// DeviceStatusName: "active", "disabled", "revoked", "retired", "failed_attestation".
const char* DeviceStatusName(DeviceStatus status);
std::optional<DeviceStatus> ParseDeviceStatus(const std::string& name);

// Device: a registration id pinned to one EK forever (THREATS E4), with its current state.
struct Device {
  std::string device_id;      // = registration id
  std::string ek_digest_hex;  // the pin
  std::string ak_public_b64;  // base64url of the marshalled AK TPM2B_PUBLIC
  std::string enrollment;     // "individual" or "group:<group_id>"
  DeviceStatus status = DeviceStatus::kActive;
  std::string status_reason;   // stable reason of the last status change
  std::string current_serial;  // hex, "" before the first certificate
  std::time_t cert_not_after = 0;
  // TPM clock of the last verified quote (THREATS: clock must not regress).
  uint64_t tpm_clock = 0;
  uint32_t tpm_reset_count = 0;
  uint32_t tpm_restart_count = 0;
  std::time_t created_at = 0;
  std::time_t updated_at = 0;
};

struct IssuedCertificate {
  std::string serial;  // hex
  std::string device_id;
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  std::time_t issued_at = 0;
  std::optional<std::time_t> revoked_at;
};

// AuditRecord: one decision. `details` is a JSON object text without secrets.
struct AuditRecord {
  int64_t sequence = 0;  // assigned by the store
  std::time_t time = 0;
  std::string actor;    // "device:<id>", "operator:<subject>", "service"
  std::string action;   // "challenge", "complete", "renew", "revoke", "enrollment.create", ...
  std::string subject;  // registration id / device id / object id concerned
  std::string outcome;  // "ok" or "rejected"
  std::string reason;   // stable reason code ("ok" on success)
  std::string details = "{}";
};

struct AuditQuery {
  std::optional<std::string> subject;
  std::optional<std::string> action;
  std::optional<std::string> outcome;
  int64_t after_sequence = 0;
  int limit = 100;  // at most 1000
};

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_RECORDS_H_
