// DaemonProcess (TEST ONLY) runs a real edgetrustd child for end-to-end tests and benchmarks.
//
// Start makes a private temp directory holding config.toml (written from DaemonOptions), the
// state directory (state/) and the socket (edgetrustd.sock), starts the child with its output
// appended to edgetrustd.out, and returns once the child printed "edgetrustd: ready" (the
// local API answers; the device may still be enrolling: use WaitForState), unless
// DaemonOptions::wait_for_ready is false (then it returns once the child is spawned and the
// caller polls the socket itself: the boot benchmark times spawn -> enrolled). The child is
// killed when the DaemonProcess is destroyed (and on test-process death: PR_SET_PDEATHSIG).
// Restart()/Stop() use SIGTERM; Kill() is `kill -9` (state is left as the power cut left it).
// The state directory survives restarts and is removed with the object. Not thread-safe.
#ifndef EDGETRUST_DAEMON_TESTING_DAEMON_PROCESS_H_
#define EDGETRUST_DAEMON_TESTING_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "daemon/api/local_client.h"
#include "daemon/api/wire.h"
#include "swtpm/child_process.h"
#include "swtpm/temp_dir.h"

namespace edgetrust::daemon::testing {

struct DaemonOptions {
  std::string tcti;
  std::string service_url;
  std::string ca_bundle;
  std::string registration_id;  // "" = the EK digest
  std::string ek_algorithm = "rsa2048";
  std::string identity_algorithm = "ecc256";
  double renew_threshold = 0.8;
  std::string retry_initial = "200ms";
  std::string retry_max = "2s";
  // [[local_api.principals]] tables; default: root may call every endpoint.
  std::string principals_toml =
      "[[local_api.principals]]\nname = \"operator\"\nuid = 0\n"
      "endpoints = [\"status\", \"certificate\", \"sign\", \"reenroll\", \"factory-reset\"]\n";
  std::string log_level = "debug";
  // Appended after the principals, e.g. a [gate] table.
  std::string extra_toml;
  // Extra environment for the child, e.g. {"EDGETRUST_TPM_COMMAND_LOG", path}.
  std::map<std::string, std::string> env;
  std::chrono::milliseconds ready_timeout{20000};
  // false: Start/Restart return right after the spawn, without waiting for the ready line.
  bool wait_for_ready = true;
  std::string binary;  // "" = $EDGETRUSTD, else the edgetrustd built with this tree
};

class DaemonProcess {
 public:
  // Errors: kUnavailable "daemon.start" (the child exited or did not get ready; the message
  // carries the tail of its output), temp dir / file errors.
  static Result<std::unique_ptr<DaemonProcess>> Start(DaemonOptions options);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  edgetrust::Status Stop();     // SIGTERM; Ok when it exited 0
  edgetrust::Status Restart();  // Stop (when running) then start again on the same files
  void Kill();                  // SIGKILL and reap
  std::optional<int> exit_status() const { return exit_status_; }

  // options: what the next Restart() uses (e.g. a new env entry).
  DaemonOptions& options() { return options_; }

  api::LocalClient client() const;
  Result<api::StatusResponse> GetStatus() const { return client().GetStatus(); }
  // WaitForState polls GET /status until `state` or the timeout (then kUnavailable
  // "daemon.wait" with the last status seen).
  Result<api::StatusResponse> WaitForState(api::DeviceState state,
                                           std::chrono::milliseconds timeout) const;

  const std::string& dir() const { return dir_.path(); }
  std::string state_dir() const { return dir() + "/state"; }
  std::string socket_path() const { return dir() + "/edgetrustd.sock"; }
  std::string config_path() const { return dir() + "/config.toml"; }
  std::string output_path() const { return dir() + "/edgetrustd.out"; }
  std::string OutputTail(size_t lines = 30) const;
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  // spawned_at: steady-clock time just before the last Start/Restart forked the child.
  std::chrono::steady_clock::time_point spawned_at() const { return spawned_at_; }

 private:
  DaemonProcess(DaemonOptions options, swtpm::TempDir dir)
      : options_(std::move(options)), dir_(std::move(dir)) {}
  edgetrust::Status Launch();

  DaemonOptions options_;
  swtpm::TempDir dir_;
  std::optional<swtpm::ChildProcess> child_;
  std::optional<int> exit_status_;
  std::chrono::steady_clock::time_point spawned_at_{};
};

// WriteDaemonConfig renders `options` as edgetrustd's TOML with the given paths.
std::string DaemonConfigToml(const DaemonOptions& options, const std::string& state_dir,
                             const std::string& socket_path);

}  // namespace edgetrust::daemon::testing

#endif  // EDGETRUST_DAEMON_TESTING_DAEMON_PROCESS_H_
