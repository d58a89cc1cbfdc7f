#include "swtpm/swtpm_process.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "swtpm/tpm_probe.h"

#ifndef EDGETRUST_SWTPM_SCRIPT_DIR
#error "EDGETRUST_SWTPM_SCRIPT_DIR must name the directory of make-tpm-state.sh"
#endif

namespace edgetrust::swtpm {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kReadyTimeout{5000};
constexpr milliseconds kStopGrace{5000};
constexpr milliseconds kSetupTimeout{120000};
constexpr int kStartAttempts = 5;
// make-tpm-state.sh exit status for "manufacturer CA unavailable".
constexpr int kScriptCaFailed = 3;

// ReadPidFile returns the pid in `path`, or -1. swtpm writes it after binding its sockets.
pid_t ReadPidFile(const std::string& path) {
  std::ifstream in(path);
  long pid = -1;
  if (!(in >> pid) || pid <= 0) return -1;
  return static_cast<pid_t>(pid);
}

// MakeTpmState runs make-tpm-state.sh for `state_dir` and maps its failures to errors.
Status MakeTpmState(const std::string& work_dir, const std::string& state_dir,
                    const std::string& ca_dir) {
  auto bash = FindExecutable("bash");
  if (!bash) return Fail(bash.error());
  SpawnSpec spec;
  spec.program = *bash;
  spec.args.push_back(std::string(EDGETRUST_SWTPM_SCRIPT_DIR) + "/make-tpm-state.sh");
  if (ca_dir.empty()) spec.args.push_back("--no-ek-certs");
  spec.args.push_back(state_dir);
  if (!ca_dir.empty()) spec.args.push_back(ca_dir);
  spec.output_path = work_dir + "/setup.log";
  spec.own_process_group = true;  // a timeout kills swtpm_setup and its swtpm too
  auto child = ChildProcess::Spawn(spec);
  if (!child) return Fail(child.error());
  std::optional<int> status = child->WaitFor(kSetupTimeout);
  if (!status) status = child->Terminate(milliseconds(0));
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return Ok();
  std::string detail = DescribeWaitStatus(*status) + ":" + ReadTail(spec.output_path);
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == kScriptCaFailed) {
    return Fail(ErrorCode::kFailedPrecondition, "swtpm.ca_failed",
                "manufacturer CA " + ca_dir + " unavailable; make-tpm-state.sh " + detail);
  }
  return Fail(ErrorCode::kFailedPrecondition, "swtpm.setup_failed", "make-tpm-state.sh " + detail);
}

}  // namespace

Result<std::unique_ptr<SwtpmProcess>> SwtpmProcess::Start(const SwtpmOptions& options) {
  auto swtpm_path = FindExecutable("swtpm");
  if (!swtpm_path) return Fail(swtpm_path.error());
  auto temp_dir = TempDir::Create("edgetrust-swtpm.");
  if (!temp_dir) return Fail(temp_dir.error());

  std::string ca_dir;
  if (options.with_ek_certs) {
    ca_dir = options.ca_dir;
    const char* env = std::getenv("EDGETRUST_MANUFACTURER_CA_DIR");
    if (ca_dir.empty() && env != nullptr) ca_dir = env;
    if (ca_dir.empty()) ca_dir = temp_dir->path() + "/manufacturer-ca";
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(ca_dir, ec);
    if (!ec) ca_dir = absolute.lexically_normal().string();
  }
  std::string state_dir = temp_dir->path() + "/state";
  if (auto made = MakeTpmState(temp_dir->path(), state_dir, ca_dir); !made) {
    return Fail(made.error());
  }

  // A third party can take port P in the moment before swtpm binds it (see port_pair.h):
  // swtpm then exits with "Address already in use" and we try another pair.
  Error last;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    auto ports = PortPair::Reserve();
    if (!ports) return Fail(ports.error());
    std::unique_ptr<SwtpmProcess> tpm(
        new SwtpmProcess(std::move(*temp_dir), std::move(*ports), ca_dir, *swtpm_path));
    ::unlink((tpm->state_dir_ + "/swtpm.log").c_str());  // judge this attempt by its own log
    auto launched = tpm->Launch();
    if (launched) return tpm;
    last = launched.error();
    if (last.message.find("Address already in use") == std::string::npos) break;
    temp_dir = std::move(tpm->temp_dir_);  // keep the state for the next attempt
  }
  return Fail(std::move(last));
}

SwtpmProcess::SwtpmProcess(TempDir temp_dir, PortPair ports, std::string ca_dir,
                           std::string swtpm_path)
    : temp_dir_(std::move(temp_dir)),
      ports_(std::move(ports)),
      ca_dir_(std::move(ca_dir)),
      swtpm_path_(std::move(swtpm_path)),
      state_dir_(temp_dir_.path() + "/state"),
      tcti_("swtpm:host=127.0.0.1,port=" + std::to_string(ports_.command_port())) {}

SwtpmProcess::~SwtpmProcess() {
  (void)Stop();  // before temp_dir_ goes: swtpm must not write into a removed directory
}

std::string SwtpmProcess::ca_bundle_path() const {
  return ca_dir_.empty() ? "" : ca_dir_ + "/bundle.pem";
}
std::string SwtpmProcess::root_ca_path() const {
  return ca_dir_.empty() ? "" : ca_dir_ + "/swtpm-localca-rootca-cert.pem";
}
std::string SwtpmProcess::intermediate_ca_path() const {
  return ca_dir_.empty() ? "" : ca_dir_ + "/issuercert.pem";
}

Status SwtpmProcess::Stop() {
  if (!child_) return Ok();
  child_->Terminate(kStopGrace);
  child_.reset();
  return Ok();
}

Status SwtpmProcess::Restart() {
  if (auto stopped = Stop(); !stopped) return stopped;
  return Launch();
}

Status SwtpmProcess::Launch() {
  std::string pid_file = state_dir_ + "/swtpm.pid";
  std::string log_file = state_dir_ + "/swtpm.log";
  ::unlink(pid_file.c_str());
  SpawnSpec spec;
  spec.program = swtpm_path_;
  spec.args = {"socket",
               "--tpm2",
               "--server",
               "type=tcp,port=" + std::to_string(ports_.command_port()) + ",bindaddr=127.0.0.1",
               "--ctrl",
               "type=tcp,fd=" + std::to_string(ports_.ctrl_fd()),
               "--tpmstate",
               "dir=" + state_dir_,
               "--flags",
               "not-need-init,startup-clear",
               "--pid",
               "file=" + pid_file,
               "--log",
               "file=" + log_file};
  spec.output_path = log_file;
  spec.inherit_fds = {ports_.ctrl_fd()};
  auto child = ChildProcess::Spawn(spec);
  if (!child) return Fail(child.error());
  child_.emplace(std::move(*child));

  // Ready = swtpm wrote its pid file (it does so after binding and listening, so the listener
  // on P is our child's) and answers a command.
  auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  std::string last = "no pid file yet";
  for (;;) {
    if (auto status = child_->Poll()) {
      child_.reset();
      return Fail(ErrorCode::kUnavailable, "swtpm.start_failed",
                  "swtpm exited early (" + DescribeWaitStatus(*status) + "):" + ReadTail(log_file));
    }
    if (ReadPidFile(pid_file) == child_->pid()) {
      auto probe = ProbeTpm(ports_.command_port(), milliseconds(1000));
      if (probe) return Ok();
      last = probe.error().ToString();
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  child_->Terminate(kStopGrace);
  child_.reset();
  return Fail(ErrorCode::kUnavailable, "swtpm.start_failed",
              "swtpm did not answer on port " + std::to_string(ports_.command_port()) +
                  " within 5 s (" + last + "):" + ReadTail(log_file));
}

}  // namespace edgetrust::swtpm
