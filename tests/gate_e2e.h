// GateE2eTest: edgetrustd with a [gate] on its own swtpm (enrolled by the fixture's enrolld), a
// manifest-signing PKI whose root the daemon pins, images built with the system `tar`, and the
// reference agent edgetrust-agent as a process. TEST ONLY.
#ifndef EDGETRUST_TESTS_GATE_E2E_H_
#define EDGETRUST_TESTS_GATE_E2E_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/api/deployment_wire.h"
#include "manifest/jws/testing/test_pki.h"
#include "tests/daemon_e2e.h"

namespace edgetrust::e2e {

inline constexpr const char* kRegistrationId = "gw-e2e-0001";

// ModuleImage: a tar image in the agent's format and what the manifest says about it.
struct ModuleImage {
  std::string name;
  std::string sha256;  // hex
  uint64_t size = 0;
};

class GateE2eTest : public DaemonE2eTest {
 protected:
  void SetUp() override;

  // Daemon options with the [gate] table, the registration id above, and root granted every
  // endpoint.
  DaemonOptions GateOptions() const;

  // SleeperImage: an image whose entrypoint is a copy of /bin/sleep (so /proc/<pid>/exe shows
  // which file runs). WriterImage: a shell script that writes its environment to $MARKER and
  // sleeps. Both are staged (staging/<sha256>).
  ModuleImage SleeperImage();
  ModuleImage WriterImage(const std::string& tag);

  // Signed deployment of `modules` (startup order as given) for `device_ids` (this device by
  // default) or, when `device_ids` is empty, for devices tagged "line7" (as GateOptions' are).
  std::string SignedDeployment(uint64_t version, const std::vector<ModuleImage>& modules,
                               const std::vector<std::string>& device_ids = {kRegistrationId},
                               const std::string& deployment_id = "fleet-a");

  // Submit POSTs the JWS with curl --unix-socket and returns (HTTP status, body).
  std::pair<int, std::string> Submit(const DaemonProcess& daemon, const std::string& jws);

  // RunAgentOnce runs `edgetrust-agent --once` with `smoke` as its smoke test; returns the exit
  // code and its output.
  std::pair<int, std::string> RunAgentOnce(const DaemonProcess& daemon, const std::string& smoke);

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string ReplayEventLog(const DaemonProcess& daemon) const;  // hex of the replayed PCR

  std::time_t now_ = 0;
  std::optional<manifest::jws::testing::TestPki> pki_;
  std::optional<manifest::jws::testing::TestSigner> signer_;
  std::optional<swtpm::TempDir> temp_;
  std::string dir_;
};

}  // namespace edgetrust::e2e

#endif  // EDGETRUST_TESTS_GATE_E2E_H_
