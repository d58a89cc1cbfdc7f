#include "daemon/testing/daemon_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/file.h"

namespace edgetrust::daemon::testing {
namespace {

using swtpm::ChildProcess;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string DefaultBinary() {
  if (const char* env = std::getenv("EDGETRUSTD"); env != nullptr && *env != '\0') return env;
  return EDGETRUSTD_PATH;
}

std::string Quoted(const std::string& value) { return "\"" + value + "\""; }

}  // namespace

std::string DaemonConfigToml(const DaemonOptions& o, const std::string& state_dir,
                             const std::string& socket_path) {
  std::ostringstream toml;
  toml << "tcti = " << Quoted(o.tcti) << "\n"
       << "state_dir = " << Quoted(state_dir) << "\n"
       << "log_level = " << Quoted(o.log_level) << "\n\n"
       << "[enrollment]\n"
       << "service_url = " << Quoted(o.service_url) << "\n"
       << "ca_bundle = " << Quoted(o.ca_bundle) << "\n"
       << "ek_algorithm = " << Quoted(o.ek_algorithm) << "\n";
  if (!o.registration_id.empty()) toml << "registration_id = " << Quoted(o.registration_id) << "\n";
  toml << "\n[keys]\nattestation = \"ecc256\"\nidentity = " << Quoted(o.identity_algorithm)
       << "\n\n[renewal]\nthreshold = " << o.renew_threshold << "\n"
       << "retry_initial = " << Quoted(o.retry_initial) << "\n"
       << "retry_max = " << Quoted(o.retry_max) << "\n\n"
       << "[local_api]\nsocket = " << Quoted(socket_path) << "\n\n"
       << o.principals_toml << "\n"
       << o.extra_toml;
  return toml.str();
}

Result<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(DaemonOptions options) {
  auto temp = swtpm::TempDir::Create("edgetrustd-");
  if (!temp) return Fail(temp.error());
  if (options.binary.empty()) options.binary = DefaultBinary();
  std::unique_ptr<DaemonProcess> process(new DaemonProcess(std::move(options), std::move(*temp)));
  std::string config =
      DaemonConfigToml(process->options_, process->state_dir(), process->socket_path());
  if (auto written = WriteFileAtomic(process->config_path(), AsBytes(config), 0600); !written) {
    return Fail(written.error());
  }
  if (auto launched = process->Launch(); !launched) return Fail(launched.error());
  return process;
}

DaemonProcess::~DaemonProcess() {
  if (child_ && child_->running()) child_->Terminate(std::chrono::milliseconds(5000));
}

edgetrust::Status DaemonProcess::Launch() {
  std::string before = ReadAll(output_path());
  swtpm::SpawnSpec spec;
  spec.program = "/usr/bin/env";
  for (const auto& [name, value] : options_.env) spec.args.push_back(name + "=" + value);
  spec.args.insert(spec.args.end(), {options_.binary, "--config", config_path()});
  spec.output_path = output_path();
  spawned_at_ = std::chrono::steady_clock::now();
  auto child = ChildProcess::Spawn(spec);
  if (!child) return Fail(ErrorCode::kUnavailable, "daemon.start", child.error().ToString());
  child_.emplace(std::move(*child));
  exit_status_.reset();
  if (!options_.wait_for_ready) return Ok();
  auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string out = ReadAll(output_path());
    if (out.find("edgetrustd: ready", before.size()) != std::string::npos) return Ok();
    if (auto status = child_->Poll()) {
      exit_status_ = *status;
      return Fail(
          ErrorCode::kUnavailable, "daemon.start",
          "edgetrustd exited (" + swtpm::DescribeWaitStatus(*status) + "): " + OutputTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  child_->Terminate(std::chrono::milliseconds(2000));
  return Fail(ErrorCode::kUnavailable, "daemon.start", "edgetrustd not ready: " + OutputTail());
}

edgetrust::Status DaemonProcess::Stop() {
  if (!child_ || !child_->running()) return Ok();
  int status = child_->Terminate(std::chrono::milliseconds(20000));
  exit_status_ = status;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Fail(
        ErrorCode::kInternal, "daemon.exit",
        "edgetrustd stopped with " + swtpm::DescribeWaitStatus(status) + ": " + OutputTail());
  }
  return Ok();
}

edgetrust::Status DaemonProcess::Restart() {
  if (auto stopped = Stop(); !stopped) return stopped;
  return Launch();
}

void DaemonProcess::Kill() {
  if (!child_ || !child_->running()) return;
  ::kill(child_->pid(), SIGKILL);
  exit_status_ = child_->WaitFor(std::chrono::milliseconds(5000));
}

api::LocalClient DaemonProcess::client() const {
  return api::LocalClient({socket_path(), std::chrono::milliseconds(60000)});
}

Result<api::StatusResponse> DaemonProcess::WaitForState(api::DeviceState state,
                                                        std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = GetStatus();
    if (status && status->state == state) return status;
    last = status ? api::ToJson(*status) : status.error().ToString();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Fail(ErrorCode::kUnavailable, "daemon.wait",
              "no state " + std::string(api::DeviceStateName(state)) + " within " +
                  std::to_string(timeout.count()) + " ms; last: " + last + "\n" + OutputTail());
}

std::string DaemonProcess::OutputTail(size_t lines) const {
  return swtpm::ReadTail(output_path(), lines);
}

}  // namespace edgetrust::daemon::testing
