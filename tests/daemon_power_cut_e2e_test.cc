// edgetrustd and power cuts (issue 4 §4, THREATS D4): the first boot is killed (SIGKILL) right
// after each of its TPM commands in turn, on a fresh swtpm each time, and the next start must
// complete the enrollment with one consistent identity. Slow (about a minute): label `slow`.
#include <fstream>
#include <sstream>
#include <thread>

#include "common/testing/shell.h"
#include "tests/daemon_e2e.h"

namespace edgetrust::e2e {
namespace {

using test_util::RunCommand;
using test_util::ShellQuote;

class DaemonPowerCutTest : public DaemonE2eTest {
 protected:
  void ExpectSignatureVerifies(DaemonProcess& daemon);
};

// ExpectSignatureVerifies: a digest signed through the local API verifies (openssl) with the
// public key of the certificate the daemon serves: chain, key blob and TPM agree.
void DaemonPowerCutTest::ExpectSignatureVerifies(DaemonProcess& daemon) {
  auto chain = daemon.client().GetCertificateChainPem();
  ASSERT_TRUE(chain) << chain.error().ToString();
  std::string key_file = daemon.dir() + "/leaf-key.pem";
  std::ofstream(key_file) << LeafPublicKeyPem(*chain);
  std::string message = daemon.dir() + "/message";
  std::ofstream(message) << "power cut survivor";
  auto digest = RunCommand("openssl dgst -sha256 -binary " + ShellQuote(message));
  ASSERT_EQ(digest.exit_code, 0);
  auto signature = daemon.client().Sign({Bytes(digest.output.begin(), digest.output.end())});
  ASSERT_TRUE(signature) << signature.error().ToString();
  std::string sig_file = daemon.dir() + "/message.sig";
  std::ofstream(sig_file, std::ios::binary)
      .write(reinterpret_cast<const char*>(signature->signature.data()),
             static_cast<std::streamsize>(signature->signature.size()));
  auto verified = RunCommand("openssl dgst -sha256 -verify " + ShellQuote(key_file) +
                             " -signature " + ShellQuote(sig_file) + " " + ShellQuote(message));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_EQ(ReadText(daemon.state_dir() + "/device-chain.pem"), *chain);
}

TEST_F(DaemonPowerCutTest, KillDashNineAfterEachTpmCommandOfTheFirstBootIsRecovered) {
  // THREATS D4 at every step: the first boot is cut (SIGKILL) right after its k-th TPM
  // command, for every k of a whole first boot (key creation, SRK persisted, EK read,
  // challenge, activation, quote, certify, CSR, the answer and the chain written); the next
  // start must complete with one consistent identity. Each k gets a fresh TPM.
  std::string calibration_log = tpm_->state_dir() + "/../calibration.log";
  DaemonOptions calibrate = OptionsFor(*tpm_);
  calibrate.env["EDGETRUST_TPM_COMMAND_LOG"] = calibration_log;
  {
    auto daemon = StartDaemon(calibrate);
    ASSERT_TRUE(daemon);
    Enrolled(*daemon);
  }
  const size_t steps = Lines(calibration_log).size();
  ASSERT_GE(steps, 10u);
  for (size_t k = 1; k <= steps; k += kPowerCutStride) {
    SCOPED_TRACE("killed after TPM command " + std::to_string(k) + " of " + std::to_string(steps));
    auto tpm = swtpm::SwtpmProcess::Start();
    ASSERT_TRUE(tpm) << tpm.error().ToString();
    DaemonOptions options = OptionsFor(**tpm);
    std::string log = (*tpm)->state_dir() + "/../commands.log";
    options.env["EDGETRUST_TPM_COMMAND_LOG"] = log;
    options.wait_for_ready = false;
    auto daemon = StartDaemon(options);
    ASSERT_TRUE(daemon);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (Lines(log).size() < k && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    daemon->Kill();
    daemon->options().env.erase("EDGETRUST_TPM_COMMAND_LOG");
    daemon->options().wait_for_ready = true;
    ASSERT_TRUE(daemon->Restart());
    auto status = Enrolled(*daemon);
    ASSERT_TRUE(status.certificate.has_value()) << DaemonLog(*daemon);
    ExpectSignatureVerifies(*daemon);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace edgetrust::e2e
