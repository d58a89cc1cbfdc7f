// edgetrust factory provision: see tools/factory_commands.h.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "tools/cli_util.h"
#include "tools/factory/batch.h"
#include "tools/factory/device_list.h"
#include "tools/factory/names.h"
#include "tools/factory/progress.h"
#include "tools/factory/station.h"
#include "tools/factory_commands.h"

namespace edgetrust::tools {
namespace {

struct ProvisionOptions {
  std::string profile;
  std::string tcti = DefaultTcti();
  std::string serial;
  std::string batch;
  std::vector<std::string> tags;
  std::string pcr_policy;
  std::string out_dir;
  std::string records;
  bool json = false;
  int jobs = 4;
  bool no_progress = false;
};

std::unexpected<Error> Usage(const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, "cli.usage", what);
}

// RecordsFile appends one line per device with a single write(2) each (O_APPEND), so that a
// crash leaves whole lines and an MES tailing the file never sees half a record.
class RecordsFile {
 public:
  static Result<RecordsFile> Open(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      return Fail(ErrorCode::kUnavailable, "file.open", "cannot open records file " + path);
    }
    return RecordsFile(std::move(fd), path);
  }
  Status Append(const std::string& line) {
    const std::string text = line + "\n";
    if (::write(fd_.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      return Fail(ErrorCode::kUnavailable, "file.write", "cannot append to " + path_);
    }
    return Ok();
  }
  Status Sync() {
    if (::fsync(fd_.get()) != 0) return Fail(ErrorCode::kUnavailable, "file.sync", path_);
    return Ok();
  }

 private:
  RecordsFile(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

Status EnsureOutDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Fail(ErrorCode::kUnavailable, "file.mkdir",
                "cannot create " + dir + ": " + ec.message());
  return Ok();
}

Result<std::vector<factory::DeviceLine>> Devices(const ProvisionOptions& opt) {
  if (!opt.batch.empty()) {
    if (!opt.serial.empty())
      return Usage("--serial names one device: put serials in the batch file");
    return factory::LoadDeviceList(opt.batch);
  }
  if (opt.tcti.empty()) return Usage("no TPM: give --tcti, set $EDGETRUST_TCTI, or --batch");
  factory::DeviceLine device;
  device.tcti = opt.tcti;
  device.serial = opt.serial;
  return std::vector<factory::DeviceLine>{device};
}

Result<int> Run(const ProvisionOptions& opt) {
  for (const std::string& tag : opt.tags) {
    if (!factory::IsValidTag(tag)) return Usage("--tag " + tag + ": not [A-Za-z0-9._-]{1,64}");
  }
  auto devices = Devices(opt);
  if (!devices) return Fail(devices.error());
  auto profile = factory::LoadStationProfile(opt.profile);
  if (!profile) return Fail(profile.error());
  for (const std::string& tag : opt.tags) profile->tags.push_back(tag);
  if (!opt.pcr_policy.empty()) profile->pcr_policy_id = opt.pcr_policy;
  if (!opt.out_dir.empty()) profile->bundle.out_dir = opt.out_dir;
  const std::string records_path =
      opt.records.empty() ? profile->bundle.out_dir + "/records.jsonl" : opt.records;
  if (auto dir = EnsureOutDir(profile->bundle.out_dir); !dir) return Fail(dir.error());
  auto records_file = RecordsFile::Open(records_path);
  if (!records_file) return Fail(records_file.error());

  auto station = factory::Station::Open(std::move(*profile));
  if (!station) return Fail(station.error());
  factory::Progress progress(devices->size(), stderr, ::isatty(STDERR_FILENO) == 1);
  Status append_failed = Ok();
  auto records =
      factory::RunBatch(**station, *devices, opt.jobs, [&](const factory::DeviceRecord& record) {
        const std::string line = factory::ToJsonLine(record);
        if (auto ok = records_file->Append(line); !ok) {
          append_failed = ok;
        }
        if (opt.json) std::printf("%s\n", line.c_str());
        if (!opt.no_progress) progress.Finished(record);
      });
  if (!opt.no_progress) progress.Close();
  if (!opt.json) std::fputs(factory::SummaryTable(records).c_str(), stdout);
  Status synced = records_file->Sync();
  if (!append_failed) return Fail(append_failed.error());
  if (!synced) return Fail(synced.error());
  for (const auto& record : records) {
    if (record.outcome == factory::Outcome::kFailed) return 1;
  }
  return 0;
}

}  // namespace

void AddFactoryProvision(CLI::App& factory, int* rc) {
  auto opt = std::make_shared<ProvisionOptions>();
  CLI::App* cmd = factory.add_subcommand(
      "provision", "Provision devices on the line: EK certificate, enrollment, config bundle");
  cmd->add_option("--profile", opt->profile, "station profile (TOML)")->required();
  cmd->add_option("--tcti", opt->tcti, "one device's TPM (default $EDGETRUST_TCTI)");
  cmd->add_option("--serial", opt->serial, "the device's serial, for the records");
  cmd->add_option("--batch", opt->batch, "CSV of devices: tcti[,tags[,serial]]");
  cmd->add_option("--tag", opt->tags, "a tag for every device (repeatable)");
  cmd->add_option("--pcr-policy", opt->pcr_policy, "PCR policy id (replaces the profile's)");
  cmd->add_option("--out-dir", opt->out_dir, "bundle directory (replaces the profile's)");
  cmd->add_option("--records", opt->records,
                  "JSON-lines file to append (default <out-dir>/records.jsonl)");
  cmd->add_flag("--json", opt->json, "JSON lines on stdout instead of the summary table");
  cmd->add_option("--jobs", opt->jobs, "devices provisioned at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("--no-progress", opt->no_progress, "no progress on stderr");
  cmd->callback([opt, rc] {
    auto code = Run(*opt);
    *rc = code ? *code : ReportError("factory provision", code.error());
  });
}

}  // namespace edgetrust::tools
