// edgetrust factory provision: see tools/factory_commands.h.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "enrollment/api/wire.h"
#include "tools/cli_util.h"
#include "tools/factory/batch.h"
#include "tools/factory/bundle.h"
#include "tools/factory/device_list.h"
#include "tools/factory/names.h"
#include "tools/factory/progress.h"
#include "tools/factory/records_file.h"
#include "tools/factory/station.h"
#include "tools/factory/tcti_policy.h"
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
  std::string image_root;
  std::string records;
  bool json = false;
  int jobs = 4;
  bool no_progress = false;
};

std::unexpected<Error> Usage(const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, "cli.usage", what);
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

// CheckArguments validates what the command line adds to the profile, as strictly as the
// profile and the batch file are.
Status CheckArguments(const ProvisionOptions& opt) {
  for (const std::string& tag : opt.tags) {
    if (!factory::IsValidTag(tag)) return Usage("--tag " + tag + ": not [A-Za-z0-9._-]{1,64}");
  }
  if (!opt.pcr_policy.empty() && !enrollment::api::ValidRegistrationId(opt.pcr_policy)) {
    return Usage("--pcr-policy: expected 1-128 of [A-Za-z0-9._:-], not starting with '.' or '-'");
  }
  if (opt.serial.size() > 128 || std::any_of(opt.serial.begin(), opt.serial.end(),
                                             [](char c) { return c < 0x20 || c > 0x7e; })) {
    return Usage("--serial: printable ASCII, at most 128 bytes");
  }
  return Ok();
}

Result<int> Run(const ProvisionOptions& opt) {
  if (auto ok = CheckArguments(opt); !ok) return Fail(ok.error());
  auto devices = Devices(opt);
  if (!devices) return Fail(devices.error());
  auto profile = factory::LoadStationProfile(opt.profile);
  if (!profile) return Fail(profile.error());
  for (const std::string& tag : opt.tags) profile->tags.push_back(tag);
  if (!opt.pcr_policy.empty()) profile->pcr_policy_id = opt.pcr_policy;
  if (!opt.out_dir.empty()) profile->bundle.out_dir = std::filesystem::absolute(opt.out_dir);
  if (!opt.image_root.empty()) {
    if (!opt.batch.empty()) return Usage("--image-root is one device's image: not with --batch");
    if (profile->bundle.install_dir.empty()) {
      return Usage("--image-root needs [bundle] install_dir: where the bundle goes in the image");
    }
    profile->bundle.image_root = std::filesystem::absolute(opt.image_root).lexically_normal();
    if (profile->bundle.image_root == "/") return Usage("--image-root /: that is this machine");
  }
  // Every TCTI is judged before any device is touched (tcti_policy.h).
  for (const factory::DeviceLine& device : *devices) {
    if (auto ok = factory::CheckTcti(device.tcti, profile->software_tpm); !ok) {
      const std::string where =
          device.line > 0 ? opt.batch + ":" + std::to_string(device.line) + ": " : std::string();
      return Fail(ErrorCode::kInvalidArgument, ok.error().reason, where + ok.error().message);
    }
  }
  const std::string out_dir = profile->bundle.out_dir;
  auto station = factory::Station::Open(std::move(*profile));
  if (!station) return Fail(station.error());

  // Output only once the station is ready: a run refused above leaves nothing behind.
  if (auto dir = factory::CreateDirectories(out_dir); !dir) return Fail(dir.error());
  const std::string records_path = opt.records.empty()
                                       ? out_dir + "/records.jsonl"
                                       : std::filesystem::absolute(opt.records).string();
  auto records_file = factory::RecordsFile::Open(records_path);
  if (!records_file) return Fail(records_file.error());
  factory::Progress progress(devices->size(), stderr, ::isatty(STDERR_FILENO) == 1);
  size_t unsaved = 0;
  auto records =
      factory::RunBatch(**station, *devices, opt.jobs, [&](const factory::DeviceRecord& record) {
        const std::string line = factory::ToJsonLine(record);
        if (auto saved = records_file->Append(line); !saved) {
          // The MES must not miss a device: the record goes to stderr instead, whole.
          ++unsaved;
          std::fprintf(stderr, "edgetrust: factory provision: %s; the record follows\n%s\n",
                       saved.error().ToString().c_str(), line.c_str());
        }
        if (opt.json) std::printf("%s\n", line.c_str());
        if (!opt.no_progress) progress.Finished(record);
      });
  if (!opt.no_progress) progress.Close();
  if (!opt.json) std::fputs(factory::SummaryTable(records).c_str(), stdout);
  const bool failed = std::any_of(records.begin(), records.end(), [](const auto& record) {
    return record.outcome == factory::Outcome::kFailed;
  });
  return failed || unsaved > 0 ? 1 : 0;
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
  cmd->add_option("--image-root", opt->image_root,
                  "one device: write the bundle into this mounted image at its install_dir");
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
