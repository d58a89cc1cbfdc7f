// AuditSink receives every enrollment decision as an AuditRecord, in addition to the store's
// audit table: a JSON-lines file that log shippers can tail.
//
// Records carry ids, fingerprints, digests and stable reasons only, never secrets, nonces'
// secrets, PCR golden values or key material (the service builds them that way; the sink
// writes what it gets). Thread-safe.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_AUDIT_SINK_H_
#define EDGETRUST_ENROLLMENT_SERVICE_AUDIT_SINK_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"
#include "enrollment/store/records.h"

namespace edgetrust::enrollment::service {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Write appends one record; kUnavailable "audit.io" when it could not be written.
  virtual Status Write(const store::AuditRecord& record) = 0;
};

// AuditLine renders one record as a single JSON line (with the trailing '\n'): members time
// (RFC 3339 UTC), sequence, actor, action, subject, outcome, reason, details (the record's
// details object; a details text that is not a JSON object is kept as a string).
std::string AuditLine(const store::AuditRecord& record);

// The store's audit table is the durable record of every decision (written in the same
// transaction as the state it describes); this file is a copy for log shippers.
enum class FsyncPolicy {
  // A record survives a crash once Write returns. Writers that arrive while an fdatasync is
  // running share the next one (group sync), so the cost is one fdatasync per burst, not per
  // line.
  kEveryRecord,
  kNever,  // leave it to the OS (lines written before a crash may be lost; the table has them)
};

// FileAuditSink appends to `path` (created 0600 if missing, opened O_APPEND so several
// processes may share the file: each record is one write(2), and lines stay whole).
class FileAuditSink final : public AuditSink {
 public:
  static Result<std::unique_ptr<FileAuditSink>> Open(const std::string& path, FsyncPolicy policy);
  ~FileAuditSink() override;
  FileAuditSink(const FileAuditSink&) = delete;
  FileAuditSink& operator=(const FileAuditSink&) = delete;

  Status Write(const store::AuditRecord& record) override;

 private:
  FileAuditSink(int fd, FsyncPolicy policy) : fd_(fd), policy_(policy) {}
  // SyncThrough returns once lines 1..`line` are on disk (group fdatasync).
  Status SyncThrough(uint64_t line);

  std::mutex mu_;  // serialises write(2) and the line count
  int fd_;
  FsyncPolicy policy_;
  uint64_t written_ = 0;  // lines written (guarded by mu_)

  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  uint64_t synced_ = 0;   // lines known to be on disk (guarded by sync_mu_)
  bool syncing_ = false;  // an fdatasync is running (guarded by sync_mu_)
};

// NullAuditSink drops records: for deployments that rely on the store's audit table alone.
class NullAuditSink final : public AuditSink {
 public:
  Status Write(const store::AuditRecord&) override { return Ok(); }
};

// MemoryAuditSink keeps every record in memory, unbounded: for tests.
class MemoryAuditSink final : public AuditSink {
 public:
  Status Write(const store::AuditRecord& record) override;
  std::vector<store::AuditRecord> records() const;

 private:
  mutable std::mutex mu_;
  std::vector<store::AuditRecord> records_;
};

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_AUDIT_SINK_H_
