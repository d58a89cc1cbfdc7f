#include "daemon/service/state_store.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/file.h"

namespace edgetrust::daemon::service {
namespace {

constexpr int kStateVersion = 1;

std::unexpected<Error> Corrupt(const std::string& path, std::string_view what) {
  return Fail(ErrorCode::kInternal, "state.corrupt",
              path + ": " + std::string(what) + " (factory-reset the device to start over)");
}

Status RemoveIfPresent(const std::string& path) {
  if (std::remove(path.c_str()) == 0 || errno == ENOENT) return Ok();
  return Fail(ErrorCode::kInternal, "state.io",
              "cannot remove " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<StateStore> StateStore::Open(std::string dir) {
  if (auto made = EnsureDirectory(dir, 0700); !made) return Fail(made.error());
  return StateStore(std::move(dir));
}

Result<DeviceRecord> StateStore::Load() const {
  auto bytes = ReadFile(state_path(), 1024 * 1024);
  if (!bytes) {
    if (bytes.error().code == ErrorCode::kNotFound) return DeviceRecord{};
    return Fail(bytes.error());
  }
  nlohmann::json json = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (!json.is_object()) return Corrupt(state_path(), "not a JSON object");
  DeviceRecord record;
  try {
    if (json.at("version").get<int>() != kStateVersion) {
      return Corrupt(state_path(), "unknown version");
    }
    record.owned_handles = json.at("owned_handles").get<std::vector<uint32_t>>();
    record.registration_id = json.at("registration_id").get<std::string>();
    record.device_id = json.at("device_id").get<std::string>();
    record.pcr_selection = json.at("pcr_selection").get<std::string>();
    record.certificate_chain = json.at("certificate_chain").get<std::string>();
    record.refused = json.at("refused").get<bool>();
    record.clock_floor = json.at("clock_floor").get<std::time_t>();
    record.tpm_clock_ms = json.at("tpm_clock_ms").get<uint64_t>();
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(state_path(), e.what());
  }
  return record;
}

Status StateStore::Save(const DeviceRecord& record) const {
  nlohmann::json json = {{"version", kStateVersion},
                         {"owned_handles", record.owned_handles},
                         {"registration_id", record.registration_id},
                         {"device_id", record.device_id},
                         {"pcr_selection", record.pcr_selection},
                         {"certificate_chain", record.certificate_chain},
                         {"refused", record.refused},
                         {"clock_floor", record.clock_floor},
                         {"tpm_clock_ms", record.tpm_clock_ms}};
  std::string text = json.dump(2) + "\n";
  if (auto saved = WriteFileAtomic(state_path(), AsBytes(text), 0600); !saved) return saved;
  if (record.certificate_chain.empty()) return RemoveIfPresent(chain_path());
  return WriteFileAtomic(chain_path(), AsBytes(record.certificate_chain), 0600);
}

Status StateStore::DestroyKeys() const {
  for (const std::string& path : {identity_blob_path(), ak_blob_path()}) {
    if (auto removed = RemoveIfPresent(path); !removed) return removed;
  }
  int dir = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    return Fail(ErrorCode::kInternal, "state.io",
                "cannot open " + dir_ + ": " + std::strerror(errno));
  }
  int synced = ::fsync(dir);
  int fsync_errno = errno;
  ::close(dir);
  if (synced != 0) {
    return Fail(ErrorCode::kInternal, "state.io",
                "cannot fsync " + dir_ + ": " + std::strerror(fsync_errno));
  }
  return Ok();
}

}  // namespace edgetrust::daemon::service
