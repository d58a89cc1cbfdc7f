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
// Thread safety: thread-safe. Two connections for a file: one writer, one reader (an
// in-memory store uses one for both), each guarded by its own mutex, so reads are not stalled
// behind a commit's fsync (WAL: a reader sees the last committed state; a method that
// returned has committed, so what it wrote is visible to every later read).
// Group commit: mutating methods that arrive while a commit is in progress queue up; the next
// committer runs them all in one IMMEDIATE transaction with one fsync, each in its own
// SAVEPOINT, so one that fails (a pin conflict, a duplicate serial) rolls back alone and the
// others commit. Each call still returns only after its own transaction is durable, and sees
// the records committed before it in the batch (the pin checks stay exact). If the batch
// cannot commit (I/O error) every call in it fails and nothing of it is written. Several
// processes may open the same file (WAL, IMMEDIATE transactions, 5 s busy timeout; beyond it
// kUnavailable "store.unavailable").
//
// Errors: see store.h; in addition kInvalidArgument "store.invalid_record" for a record that
// breaks the rules below, and "store.invalid_argument" for a bad limit.
// Record rules: ids non-empty; ek_digest_hex exactly 64 lowercase hex digits (the pin compares
// strings, so one spelling per EK); AuditRecord.details a JSON object ("" is stored as "{}");
// AuditRecord.time 0 is replaced by the current time; AuditRecord.sequence is ignored.
#ifndef EDGETRUST_ENROLLMENT_STORE_SQLITE_STORE_H_
#define EDGETRUST_ENROLLMENT_STORE_SQLITE_STORE_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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
  SqliteStore(SqliteDb db, std::optional<SqliteDb> reader)
      : db_(std::move(db)), reader_(std::move(reader)) {}
  static Result<std::shared_ptr<SqliteStore>> Configure(SqliteDb db, bool durable,
                                                        const std::string& path);

  // PendingWrite is one Write waiting for a group commit (see the header comment).
  struct PendingWrite {
    std::function<bool(SqliteDb&)> body;  // runs the caller's body; false when it failed
    Status status;                        // the batch's outcome, set by the committer
    bool done = false;                    // guarded by queue_mu_
  };
  // CommitGroup queues `w` and returns once a committer ran it: Ok when the batch committed
  // (w.body's own result says whether its savepoint was kept), else the batch's error.
  Status CommitGroup(PendingWrite& w);
  // RunBatch runs `batch` in one transaction on db_ (mu_ held) and sets each status.
  void RunBatch(const std::vector<PendingWrite*>& batch);

  // Write runs `body(db_)` in a transaction (group commit) and keeps its changes only if it
  // succeeds; `body` returns a Status or a Result.
  template <typename Body>
  auto Write(Body&& body) -> decltype(body(std::declval<SqliteDb&>())) {
    using R = decltype(body(std::declval<SqliteDb&>()));
    std::optional<R> result;
    PendingWrite w;
    w.body = [&](SqliteDb& db) {
      result.emplace(body(db));
      return result->has_value();
    };
    Status committed = CommitGroup(w);
    if (result && !result->has_value()) return std::move(*result);  // its own failure first
    if (!committed) return Fail(committed.error());
    return std::move(*result);
  }

  // Read runs `body` on the reader connection under its mutex (one statement is one
  // consistent snapshot).
  template <typename Body>
  auto Read(Body&& body) -> decltype(body(std::declval<SqliteDb&>())) {
    if (!reader_) {
      std::lock_guard lock(mu_);
      return body(db_);
    }
    std::lock_guard lock(read_mu_);
    return body(*reader_);
  }

  std::mutex mu_;
  SqliteDb db_;  // the writer, guarded by mu_
  std::mutex read_mu_;
  std::optional<SqliteDb> reader_;  // guarded by read_mu_; none for an in-memory store

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingWrite*> queue_;  // guarded by queue_mu_
  bool committing_ = false;           // guarded by queue_mu_
};

}  // namespace edgetrust::enrollment::store

#endif  // EDGETRUST_ENROLLMENT_STORE_SQLITE_STORE_H_
