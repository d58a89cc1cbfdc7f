// SqliteStore: the embedded registry, one SQLite file in WAL mode.
//
// Durability: synchronous=FULL, so a method that changes state returns only after its
// transaction is in the write-ahead log on disk; a crash (kill -9, power loss) loses nothing
// that was acknowledged. Every mutating method writes its AuditRecord in the same transaction.
// Foreign keys are on: an enrollment can name only an existing PCR policy, and a policy that
// an enrollment names cannot be deleted (both kFailedPrecondition "store.reference").
//
// Files: the database is created 0600 regardless of the umask (an existing file with another
// mode is set to 0600); SQLite gives its -wal and -shm files the same mode. The schema is
// versioned (PRAGMA user_version) and migrated on Open.
//
// Thread safety: thread-safe. One connection guarded by a mutex: SQLite allows one writer at a
// time anyway, and an enrollment service writes a few records per enrollment, so a pool would
// only add lock contention inside SQLite. Several processes may open the same file (WAL,
// IMMEDIATE transactions, 5 s busy timeout; beyond it kUnavailable "store.unavailable").
//
// Errors: see store.h; in addition kInvalidArgument "store.invalid_record" for a record that
// breaks the rules below, and "store.invalid_argument" for a bad limit.
// Record rules: ids non-empty; ek_digest_hex exactly 64 lowercase hex digits (the pin compares
// strings, so one spelling per EK); AuditRecord.details a JSON object ("" is stored as "{}");
// AuditRecord.time 0 is replaced by the current time; AuditRecord.sequence is ignored.
#ifndef EDGETRUST_ENROLLMENT_STORE_SQLITE_STORE_H_
#define EDGETRUST_ENROLLMENT_STORE_SQLITE_STORE_H_

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "enrollment/store/sqlite_db.h"
#include "enrollment/store/store.h"

namespace edgetrust::enrollment::store {

class SqliteStore final : public Store {
 public:
  // Open opens or creates the database at `path` and migrates its schema.
  // Errors: kUnavailable "store.unavailable" (cannot create or open the file, locked beyond
  // the busy timeout), kInvalidArgument "store.invalid_path" (not a regular file), kInternal
  // "store.corrupt" (the file is not an SQLite database), kFailedPrecondition
  // "store.schema_too_new" (written by a newer edgetrust; nothing is changed).
  static Result<std::shared_ptr<SqliteStore>> Open(const std::string& path);

  // OpenInMemory is a private, non-durable store for tests of code that uses a Store.
  static Result<std::shared_ptr<SqliteStore>> OpenInMemory();

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status PutPcrPolicy(const PcrPolicy& policy, const AuditRecord& audit) override;
  Result<PcrPolicy> GetPcrPolicy(const std::string& id) override;
  Result<std::vector<PcrPolicy>> ListPcrPolicies() override;
  Status DeletePcrPolicy(const std::string& id, const AuditRecord& audit) override;

  Status PutIndividual(const IndividualEnrollment& e, const AuditRecord& audit) override;
  Result<IndividualEnrollment> GetIndividual(const std::string& registration_id) override;
  Result<IndividualEnrollment> FindIndividualByEk(const std::string& ek_digest_hex) override;
  Result<std::vector<IndividualEnrollment>> ListIndividuals() override;
  Status DeleteIndividual(const std::string& registration_id, const AuditRecord& audit) override;

  Status PutGroup(const GroupEnrollment& g, const AuditRecord& audit) override;
  Result<GroupEnrollment> GetGroup(const std::string& group_id) override;
  Result<std::vector<GroupEnrollment>> ListGroups() override;
  Status DeleteGroup(const std::string& group_id, const AuditRecord& audit) override;

  Result<Device> GetDevice(const std::string& device_id) override;
  Result<Device> FindDeviceByEk(const std::string& ek_digest_hex) override;
  Result<std::vector<Device>> ListDevices(int limit, const std::string& after_id) override;
  Status RecordIssuance(const Device& device, const IssuedCertificate& cert,
                        const AuditRecord& audit) override;
  Status UpdateDeviceStatus(const std::string& device_id, DeviceStatus status,
                            const std::string& reason, const AuditRecord& audit) override;
  Status RecordAttestationFailure(const std::string& device_id, const std::string& reason,
                                  const AuditRecord& audit) override;
  Status RecordTpmClock(const std::string& device_id, uint64_t clock, uint32_t reset_count,
                        uint32_t restart_count) override;

  Result<IssuedCertificate> GetCertificate(const std::string& serial) override;
  Status RevokeCertificate(const std::string& serial, const AuditRecord& audit) override;
  Result<std::vector<IssuedCertificate>> ListRevoked() override;
  Result<uint64_t> NextCrlNumber() override;

  Status AppendAudit(const AuditRecord& audit) override;
  Result<std::vector<AuditRecord>> QueryAudit(const AuditQuery& query) override;

 private:
  explicit SqliteStore(SqliteDb db) : db_(std::move(db)) {}
  static Result<std::shared_ptr<SqliteStore>> Configure(SqliteDb db, bool durable);

  // Write runs `body(db_)` in one IMMEDIATE transaction under the mutex and commits only if
  // it succeeds; `body` returns a Status or a Result.
  template <typename Body>
  auto Write(Body&& body) -> decltype(body(std::declval<SqliteDb&>())) {
    std::lock_guard lock(mu_);
    auto tx = Transaction::Begin(db_);
    if (!tx) return Fail(tx.error());
    auto result = body(db_);
    if (!result) return result;
    if (auto s = tx->Commit(); !s) return Fail(s.error());
    return result;
  }

  // Read runs `body(db_)` under the mutex (one statement is one consistent snapshot).
  template <typename Body>
  auto Read(Body&& body) -> decltype(body(std::declval<SqliteDb&>())) {
    std::lock_guard lock(mu_);
    return body(db_);
  }

  std::mutex mu_;
  SqliteDb db_;  // guarded by mu_
};

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_SQLITE_STORE_H_
