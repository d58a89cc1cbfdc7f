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
// "enrollment.registration_id_taken" and "enrollment.ek_taken" (see RecordIssuance and
// PutIndividual); kFailedPrecondition "store.reference" (an enrollment names a PCR policy that
// does not exist, or a policy still named by an enrollment is deleted); kInvalidArgument
// "store.invalid_record" (empty id, ek_digest_hex not 64 lowercase hex digits, audit details
// not a JSON object, text not UTF-8) and "store.invalid_argument" (a list limit < 1);
// kUnavailable "store.unavailable" (I/O, busy beyond the timeout; retrying may succeed);
// kInternal "store.corrupt" (not a database, or a stored value this code cannot read),
// "store.internal" (a bug). A method that fails writes nothing, not even its audit record.
//
// Audit records: `sequence` is assigned by the store (strictly increasing), `time` 0 means
// now, `details` "" means "{}". List methods return at most 1000 records per call.
//
// PostgreSQL mapping (not built yet; OpenStore in store_factory.h refuses postgresql:// URLs):
// each mutating method is one transaction at READ COMMITTED that takes row locks before it
// decides: RecordIssuance runs `SELECT ... FROM devices WHERE device_id = $1 OR ek_digest = $2
// FOR UPDATE`, and the UNIQUE constraints on devices(device_id) and devices(ek_digest) settle
// the race of two first enrollments (a unique_violation maps to the same taken reasons, or the
// transaction is retried once). SERIALIZABLE would also do, at the cost of retrying on
// serialization_failure (40001, mapped to kUnavailable). The audit sequence is a BIGSERIAL /
// identity column; NextCrlNumber is `UPDATE counters SET value = value + 1 ... RETURNING` (a
// row lock), not a SEQUENCE, because sequences are not transactional. synchronous_commit must
// stay on so that a returned RecordIssuance is durable.
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
  // PutIndividual: an EK can belong to one individual enrollment only; naming it under a second
  // registration id is kFailedPrecondition "enrollment.ek_taken".
  virtual Status PutIndividual(const IndividualEnrollment& e, const AuditRecord& audit) = 0;
  virtual Result<IndividualEnrollment> GetIndividual(const std::string& registration_id) = 0;
  // FindIndividualByEk: kNotFound when no individual enrollment names this EK.
  virtual Result<IndividualEnrollment> FindIndividualByEk(const std::string& ek_digest_hex) = 0;
  virtual Result<std::vector<IndividualEnrollment>> ListIndividuals() = 0;
  virtual Status DeleteIndividual(const std::string& registration_id, const AuditRecord& audit) = 0;

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
  // "enrollment.registration_id_taken"; if the EK is pinned to another device id it commits
  // nothing and fails with kFailedPrecondition "enrollment.ek_taken" (one EK, one device id);
  // the caller then records the rejection with AppendAudit. `cert.device_id` must equal
  // `device.device_id`; the device's created_at never changes once it exists; a duplicate
  // serial is kAlreadyExists "store.exists". The store does not judge the device status it is
  // given (re-enrolling a revoked device is the service's decision, THREATS E14).
  // Returns only once the transaction is durable (synchronous=FULL for SQLite).
  virtual Status RecordIssuance(const Device& device, const IssuedCertificate& cert,
                                const AuditRecord& audit) = 0;

  // UpdateDeviceStatus sets status and reason (and, for kRevoked, revokes every unrevoked
  // certificate of the device at `audit.time`), with the audit record, atomically. An unknown
  // device is kNotFound and nothing is written.
  virtual Status UpdateDeviceStatus(const std::string& device_id, DeviceStatus status,
                                    const std::string& reason, const AuditRecord& audit) = 0;

  // RecordAttestationFailure marks a known device kFailedAttestation (THREATS E10) with the
  // audit record, atomically; for an unknown device it records only the audit record. A device
  // that is disabled, revoked or retired keeps that status (an operator's decision outranks an
  // attestation failure); the audit record is written regardless.
  virtual Status RecordAttestationFailure(const std::string& device_id, const std::string& reason,
                                          const AuditRecord& audit) = 0;

  // RecordTpmClock stores the clock of a verified quote (no audit record; kNotFound for an
  // unknown device). The service checks that the clock does not regress before calling it.
  virtual Status RecordTpmClock(const std::string& device_id, uint64_t clock, uint32_t reset_count,
                                uint32_t restart_count) = 0;

  // --- certificates ---
  virtual Result<IssuedCertificate> GetCertificate(const std::string& serial) = 0;
  // RevokeCertificate marks one serial revoked at `audit.time` (revoking again keeps the first
  // time and still writes the audit record). The device's status is unchanged.
  virtual Status RevokeCertificate(const std::string& serial, const AuditRecord& audit) = 0;
  // ListRevoked: every revoked certificate, expired ones included, by revocation time.
  virtual Result<std::vector<IssuedCertificate>> ListRevoked() = 0;
  // NextCrlNumber returns a strictly increasing number (1 first), durable across restarts.
  virtual Result<uint64_t> NextCrlNumber() = 0;

  // --- audit ---
  virtual Status AppendAudit(const AuditRecord& audit) = 0;
  virtual Result<std::vector<AuditRecord>> QueryAudit(const AuditQuery& query) = 0;
};

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_STORE_H_
