#include "enrollment/service/audit_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace edgetrust::enrollment::service {
namespace {

std::string Rfc3339(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string AuditLine(const store::AuditRecord& record) {
  nlohmann::json details;
  try {
    details = nlohmann::json::parse(record.details);
    if (!details.is_object()) details = record.details;
  } catch (const nlohmann::json::exception&) {
    details = record.details;
  }
  const nlohmann::json line = {{"time", Rfc3339(record.time)}, {"sequence", record.sequence},
                               {"actor", record.actor},        {"action", record.action},
                               {"subject", record.subject},    {"outcome", record.outcome},
                               {"reason", record.reason},      {"details", details}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<std::unique_ptr<FileAuditSink>> FileAuditSink::Open(const std::string& path,
                                                           FsyncPolicy policy) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable, "audit.io", "open " + path + ": " + std::strerror(errno),
                static_cast<uint64_t>(errno));
  }
  return std::unique_ptr<FileAuditSink>(new FileAuditSink(fd, policy));
}

FileAuditSink::~FileAuditSink() { ::close(fd_); }

Status FileAuditSink::Write(const store::AuditRecord& record) {
  const std::string line = AuditLine(record);
  uint64_t number = 0;
  {
    std::lock_guard lock(mu_);
    // One write(2) per line: with O_APPEND the line lands whole at the end of the file.
    const ssize_t n = ::write(fd_, line.data(), line.size());
    if (n != static_cast<ssize_t>(line.size())) {
      return Fail(
          ErrorCode::kUnavailable, "audit.io",
          std::string("write audit line: ") + (n < 0 ? std::strerror(errno) : "short write"));
    }
    number = ++written_;
  }
  if (policy_ != FsyncPolicy::kEveryRecord) return Ok();
  return SyncThrough(number);
}

Status FileAuditSink::SyncThrough(uint64_t line) {
  std::unique_lock lock(sync_mu_);
  while (synced_ < line) {
    if (syncing_) {
      sync_cv_.wait(lock);
      continue;
    }
    // This writer syncs every line written so far, for itself and the writers behind it.
    syncing_ = true;
    uint64_t target = 0;
    {
      std::lock_guard write_lock(mu_);
      target = written_;
    }
    lock.unlock();
    const int rc = ::fdatasync(fd_);
    const int err = errno;
    lock.lock();
    syncing_ = false;
    if (rc == 0 && target > synced_) synced_ = target;
    sync_cv_.notify_all();
    if (rc != 0) {
      return Fail(ErrorCode::kUnavailable, "audit.io",
                  std::string("fdatasync audit log: ") + std::strerror(err));
    }
  }
  return Ok();
}

Status MemoryAuditSink::Write(const store::AuditRecord& record) {
  std::lock_guard lock(mu_);
  records_.push_back(record);
  return Ok();
}

std::vector<store::AuditRecord> MemoryAuditSink::records() const {
  std::lock_guard lock(mu_);
  return records_;
}

}  // namespace edgetrust::enrollment::service
