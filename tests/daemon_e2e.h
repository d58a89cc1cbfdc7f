// DaemonE2eTest (TEST ONLY): end-to-end tests of edgetrustd (issue 4 §4) on top of the
// enrollment fixture (EnrollmentE2eTest: a running edgetrust-enrolld over TLS with SoftHSM and
// SQLite, its operator API, the swtpm manufacturer group). Every test gets its own swtpm
// (a fresh TPM: its own EKs, so its own registration id) and runs real edgetrustd processes
// against it (DaemonProcess); the local API is read with LocalClient, curl and the CLI.
#ifndef EDGETRUST_TESTS_DAEMON_E2E_H_
#define EDGETRUST_TESTS_DAEMON_E2E_H_

#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "daemon/testing/daemon_process.h"
#include "swtpm/swtpm_process.h"
#include "tests/enrollment_e2e_fixture.h"

namespace edgetrust::e2e {

using daemon::api::DeviceState;
using daemon::testing::DaemonOptions;
using daemon::testing::DaemonProcess;
using namespace std::chrono_literals;

// Small file helpers for the daemon tests.
std::string ReadText(const std::string& path);
std::vector<std::string> Lines(const std::string& path);
mode_t ModeOf(const std::string& path);  // permission bits, 0 when the path is missing

// kPowerCutStride: the power-cut sweeps kill at every point in the normal build and at every
// third under the sanitizers, where each daemon start is several times slower (the normal build
// covers the rest).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr size_t kPowerCutStride = 3;
#else
inline constexpr size_t kPowerCutStride = 1;
#endif

class DaemonE2eTest : public EnrollmentE2eTest {
 protected:
  void SetUp() override;

  // Options for a daemon on `tpm` talking to `service` (the fixture's when null).
  DaemonOptions OptionsFor(const swtpm::SwtpmProcess& tpm,
                           server::testing::EnrolldProcess* service = nullptr) const;
  // StartDaemon starts edgetrustd; the test fails (fatally) if it does not get ready.
  std::unique_ptr<DaemonProcess> StartDaemon(DaemonOptions options);
  // Enrolled waits (up to 30 s) for `enrolled` and returns the status.
  static daemon::api::StatusResponse Enrolled(const DaemonProcess& daemon);

  // RegisterGroup registers the swtpm manufacturer group with `service` (idempotent).
  static ::testing::AssertionResult RegisterGroup(server::testing::EnrolldProcess& service);
  // LeafSerial: the serial of the first certificate of a PEM chain ("" when none).
  static std::string LeafSerial(const std::string& chain_pem);
  static std::string LeafPublicKeyPem(const std::string& chain_pem);
  // DaemonLog: the daemon's output without the local API's per-request lines (for failure
  // messages; tests poll GET /status often).
  static std::string DaemonLog(const DaemonProcess& daemon);

  std::unique_ptr<swtpm::SwtpmProcess> tpm_;
};

}  // namespace edgetrust::e2e

#endif  // EDGETRUST_TESTS_DAEMON_E2E_H_
