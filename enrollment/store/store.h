// Store is the registry behind the enrollment service: enrollments, PCR policies, devices,
// issued certificates and the audit trail.
//
// One interface, several back ends: SqliteStore (sqlite_store.h, WAL mode, the embedded
// default) and, later, a PostgreSQL store shared by several stateless service instances. The
// service logic sees only this interface, so every operation that must be atomic across
// records is one method here (a back end runs it in one transaction).
//
// Thread-safe: implementations serialise or pool connections themselves.
// Errors: kNotFound "store.not_found"; kAlreadyExists "store.exists"; kFailedPrecondition
// "enrollment.registration_id_taken" (see RecordIssuance); kUnavailable "store.unavailable"
// (I/O, busy beyond the timeout; retrying may succeed); kInternal "store.corrupt".
#ifndef EDGETRUST_ENROLLMENT_STORE_STORE_H_
#define EDGETRUST_ENROLLMENT_STORE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "enrollment/store/records.h"

namespace edgetrust::enrollment::store {

class Store {
 public:
  virtual ~Store() = default;

  // --- PCR policies ---
  virtual Status PutPcrPolicy(const PcrPolicy& policy, const AuditRecord& audit) = 0;
  virtual Result<PcrPolicy> GetPcrPolicy(const std::string& id) = 0;
  virtual Result<std::vector<PcrPolicy>> ListPcrPolicies() = 0;
  virtual Status DeletePcrPolicy(const std::string& id, const AuditRecord& audit) = 0;

  // --- enrollments (Put creates or replaces) ---
  virtual Status PutIndividual(const IndividualEnrollment& e, const AuditRecord& audit) = 0;
  virtual Result<IndividualEnrollment> GetIndividual(const std::string& registration_id) = 0;
  // FindIndividualByEk: kNotFound when no individual enrollment names this EK.
  virtual Result<IndividualEnrollment> FindIndividualByEk(const std::string& ek_digest_hex) = 0;
  virtual Result<std::vector<IndividualEnrollment>> ListIndividuals() = 0;
  virtual Status DeleteIndividual(const std::string& registration_id,
                                  const AuditRecord& audit) = 0;

  virtual Status PutGroup(const GroupEnrollment& g, const AuditRecord& audit) = 0;
  virtual Result<GroupEnrollment> GetGroup(const std::string& group_id) = 0;
  virtual Result<std::vector<GroupEnrollment>> ListGroups() = 0;
  virtual Status DeleteGroup(const std::string& group_id, const AuditRecord& audit) = 0;

  // --- devices ---
  virtual Result<Device> GetDevice(const std::string& device_id) = 0;
  // FindDeviceByEk: the device pinned to this EK, kNotFound if none.
  virtual Result<Device> FindDeviceByEk(const std::string& ek_digest_hex) = 0;
  virtual Result<std::vector<Device>> ListDevices(int limit, const std::string& after_id) = 0;

  // RecordIssuance commits, in one durable transaction, the device record (created, or
  // updated if `device.device_id` exists with the same ek_digest_hex), the issued certificate
  // (which becomes the device's current serial) and the audit record. If the device id is
  // pinned to another EK it commits nothing and fails with kFailedPrecondition
  // "enrollment.registration_id_taken"; the caller then records the rejection with AppendAudit.
  // Returns only once the transaction is durable (synchronous=FULL for SQLite).
  virtual Status RecordIssuance(const Device& device, const IssuedCertificate& cert,
                                const AuditRecord& audit) = 0;

  // UpdateDeviceStatus sets status and reason (and, for kRevoked, revokes every unrevoked
  // certificate of the device at `audit.time`), with the audit record, atomically.
  virtual Status UpdateDeviceStatus(const std::string& device_id, DeviceStatus status,
                                    const std::string& reason, const AuditRecord& audit) = 0;

  // RecordAttestationFailure marks a known device kFailedAttestation (THREATS E10) with the
  // audit record, atomically; for an unknown device it records only the audit record.
  virtual Status RecordAttestationFailure(const std::string& device_id, const std::string& reason,
                                          const AuditRecord& audit) = 0;

  // RecordTpmClock stores the clock of a verified quote.
  virtual Status RecordTpmClock(const std::string& device_id, uint64_t clock,
                                uint32_t reset_count, uint32_t restart_count) = 0;

  // --- certificates ---
  virtual Result<IssuedCertificate> GetCertificate(const std::string& serial) = 0;
  // RevokeCertificate marks one serial revoked at `audit.time`.
  virtual Status RevokeCertificate(const std::string& serial, const AuditRecord& audit) = 0;
  virtual Result<std::vector<IssuedCertificate>> ListRevoked() = 0;
  // NextCrlNumber returns a strictly increasing number, durable across restarts.
  virtual Result<uint64_t> NextCrlNumber() = 0;

  // --- audit ---
  virtual Status AppendAudit(const AuditRecord& audit) = 0;
  virtual Result<std::vector<AuditRecord>> QueryAudit(const AuditQuery& query) = 0;
};

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_STORE_H_
