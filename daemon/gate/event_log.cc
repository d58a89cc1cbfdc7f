#include "daemon/gate/event_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "attestation/pcr.h"
#include "common/crypto.h"
#include "common/file.h"
#include "common/log.h"
#include "common/unique_fd.h"

namespace edgetrust::daemon::gate {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxLogSize = 16 * 1024 * 1024;

std::unexpected<Error> LogIo(const std::string& what, int err) {
  return Fail(ErrorCode::kUnavailable, "gate.event_log_io", what + ": " + std::strerror(err));
}

std::string Line(const json& value) { return value.dump(-1, ' ', true) + "\n"; }

json EventJson(uint64_t seq, const GateEvent& e) {
  json out = {{"seq", seq},
              {"type", e.type},
              {"digest", HexEncode(e.digest)},
              {"deployment_id", e.deployment_id},
              {"version", e.version}};
  if (!e.module.empty()) out["module"] = e.module;
  if (!e.image.empty()) out["image"] = e.image;
  return out;
}

struct ParsedLog {
  Bytes initial;
  attestation::TpmBootCounts boot;
  std::vector<GateEvent> events;
};

std::unexpected<Error> Corrupt(const char* what) {
  return Fail(ErrorCode::kFailedPrecondition, "gate.event_log_corrupt", what);
}

// ParseLines reads the lines; a last line without its newline was torn by a crash before it
// was fsync'ed (and therefore never extended) and is dropped. nlohmann's typed reads may throw
// on a member of the wrong type, which ParseLog turns into "corrupt".
Result<ParsedLog> ParseLines(const std::string& text) {
  std::vector<GateEvent> events;
  Bytes initial;
  attestation::TpmBootCounts boot;
  size_t pos = 0;
  uint64_t seq = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // torn last line
    json line = json::parse(text.substr(pos, end - pos), nullptr, false);
    pos = end + 1;
    if (!line.is_object() || !line.contains("seq") || line["seq"] != seq) {
      return Corrupt("bad line");
    }
    if (seq++ == 0) {
      if (line.value("type", "") != "boot") {
        return Corrupt("no boot line");
      }
      auto v = HexDecode(line.value("initial", ""));
      if (!v || v->size() != 32) {
        return Corrupt("bad initial");
      }
      initial = std::move(*v);
      boot.reset_count = line.value("reset_count", uint32_t{0});
      boot.restart_count = line.value("restart_count", uint32_t{0});
      continue;
    }
    GateEvent e;
    e.type = line.value("type", "");
    auto digest = HexDecode(line.value("digest", ""));
    if (!digest || digest->size() != 32 || e.type.empty()) {
      return Corrupt("bad event");
    }
    e.digest = std::move(*digest);
    e.deployment_id = line.value("deployment_id", "");
    e.version = line.value("version", uint64_t{0});
    e.module = line.value("module", "");
    e.image = line.value("image", "");
    events.push_back(std::move(e));
  }
  if (seq == 0) return Fail(ErrorCode::kNotFound, "gate.event_log_empty", "empty log");
  return ParsedLog{std::move(initial), boot, std::move(events)};
}

Result<ParsedLog> ParseLog(const std::string& text) {
  try {
    return ParseLines(text);
  } catch (const nlohmann::json::exception&) {
    return Corrupt("a line has a member of the wrong type");
  }
}

Status Append(const std::string& path, const std::string& line) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return LogIo("open " + path, errno);
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd.get(), line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LogIo("write " + path, errno);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return LogIo("fsync " + path, errno);
  return Ok();
}

}  // namespace

Result<EventLog> EventLog::Open(std::string path, uint32_t pcr) {
  EventLog log(std::move(path), pcr);
  auto raw = ReadFile(log.path_, kMaxLogSize);
  Result<ParsedLog> parsed = Corrupt("larger than 16 MiB");
  if (raw) {
    parsed = ParseLog(std::string(raw->begin(), raw->end()));
  } else if (raw.error().code == ErrorCode::kNotFound) {
    return log;
  } else if (raw.error().code != ErrorCode::kResourceExhausted) {
    return Fail(ErrorCode::kUnavailable, "gate.event_log_io", raw.error().ToString());
  }
  if (!parsed) {
    if (parsed.error().reason == "gate.event_log_corrupt") {
      LogWarning("gate: event log " + log.path_ + " is unusable (" + parsed.error().message +
                 "); kept as .corrupt, a new one starts");
      if (::rename(log.path_.c_str(), (log.path_ + ".corrupt").c_str()) != 0) {
        return LogIo("rename " + log.path_, errno);
      }
    }
    return log;
  }
  log.started_ = true;
  log.initial_ = std::move(parsed->initial);
  log.boot_ = parsed->boot;
  log.events_ = std::move(parsed->events);
  return log;
}

const GateEvent* EventLog::LastNamed() const {
  for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
    if (it->type == "manifest" || it->type == "revert") return &*it;
  }
  return nullptr;
}

std::vector<Bytes> EventLog::ImagesAfterLastNamed() const {
  std::vector<Bytes> images;
  for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
    if (it->type == "manifest" || it->type == "revert") break;
    if (it->type == "image") images.insert(images.begin(), it->digest);
  }
  return images;
}

Bytes EventLog::Replay(const Bytes& initial, const std::vector<GateEvent>& events) {
  Bytes value = initial;
  for (const auto& e : events) {
    Bytes data = value;
    data.insert(data.end(), e.digest.begin(), e.digest.end());
    value = *Digest(HashAlgorithm::kSha256, data);
  }
  return value;
}

Result<Bytes> EventLog::ReadPcr(attestation::Tpm& tpm) const {
  auto values = attestation::ReadPcrs(tpm, {{HashAlgorithm::kSha256, {pcr_}}});
  if (!values) return Fail(values.error());
  if (values->size() != 1) {
    return Fail(ErrorCode::kInternal, "tpm.pcr_read", "PCR read returned no value");
  }
  return std::move(values->front().digest);
}

Status EventLog::StartNew(const Bytes& initial, const attestation::TpmBootCounts& boot_counts) {
  json boot = {{"seq", 0},
               {"type", "boot"},
               {"pcr", pcr_},
               {"bank", "sha256"},
               {"initial", HexEncode(initial)},
               {"reset_count", boot_counts.reset_count},
               {"restart_count", boot_counts.restart_count}};
  std::string line = Line(boot);
  if (auto ok = WriteFileAtomic(path_, AsBytes(line), 0600); !ok) return ok;
  started_ = true;
  initial_ = initial;
  boot_ = boot_counts;
  events_.clear();
  return Ok();
}

Result<bool> EventLog::Reconcile(attestation::Tpm& tpm) {
  auto boot = attestation::ReadBootCounts(tpm);
  if (!boot) return Fail(boot.error());
  auto pcr = ReadPcr(tpm);
  if (!pcr) return Fail(pcr.error());
  if (started_ && *boot == boot_) {
    if (Replay(initial_, events_) == *pcr) return false;
    if (!events_.empty()) {
      std::vector<GateEvent> before(events_.begin(), events_.end() - 1);
      if (Replay(initial_, before) == *pcr) {
        LogInfo("gate: completing the measurement a crash interrupted");
        if (auto ok =
                attestation::ExtendPcr(tpm, pcr_, HashAlgorithm::kSha256, events_.back().digest);
            !ok) {
          return Fail(ok.error());
        }
        return false;
      }
    }
  }
  if (auto ok = StartNew(*pcr, *boot); !ok) return Fail(ok.error());
  return true;
}

Status EventLog::Measure(attestation::Tpm& tpm, const GateEvent& event) {
  if (!started_) {
    return Fail(ErrorCode::kFailedPrecondition, "gate.event_log_not_started",
                "Reconcile must run before Measure");
  }
  if (auto ok = Append(path_, Line(EventJson(events_.size() + 1, event))); !ok) {
    started_ = false;  // a half-written line: the next Reconcile starts a new log
    return ok;
  }
  events_.push_back(event);
  return attestation::ExtendPcr(tpm, pcr_, HashAlgorithm::kSha256, event.digest);
}

}  // namespace edgetrust::daemon::gate
