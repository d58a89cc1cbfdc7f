// edgetrustd boot (issue 4 §4): first boot enrolls, warm restart reuses keys and certificate
// without enrolling again and without any CreatePrimary, service down at boot, a TPM
// restarted under the daemon, a corrupt state file. Real swtpm, real service over
// TLS, real daemon processes; curl and openssl as independent judges.
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/testing/shell.h"
#include "tests/daemon_e2e.h"

namespace edgetrust::e2e {
namespace {

using test_util::RunCommand;
using test_util::ShellQuote;

class DaemonBootTest : public DaemonE2eTest {};

TEST_F(DaemonBootTest, FirstBootEnrollsAndAWarmRestartReusesKeysAndCertificate) {
  auto daemon = StartDaemon(OptionsFor(*tpm_));
  ASSERT_TRUE(daemon);
  auto status = Enrolled(*daemon);
  ASSERT_EQ(status.state, DeviceState::kEnrolled);
  ASSERT_TRUE(status.device_id.has_value());
  ASSERT_TRUE(status.certificate.has_value());
  EXPECT_EQ(status.registration_id.size(), 64u);  // the EK digest, hex
  EXPECT_EQ(CertificateCount(*status.device_id), 1);

  // The chain is the service's, for this device, and openssl agrees.
  auto chain = daemon->client().GetCertificateChainPem();
  ASSERT_TRUE(chain) << chain.error().ToString();
  EXPECT_EQ(LeafSerial(*chain), status.certificate->serial);
  std::string chain_file = daemon->dir() + "/chain.pem";
  std::ofstream(chain_file) << *chain;
  auto verify = RunCommand("openssl verify -CAfile " + ShellQuote(enrolld().ca_bundle_path()) +
                           " -untrusted " + ShellQuote(chain_file) + " " + ShellQuote(chain_file));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  // curl --unix-socket is a client too.
  auto curl = RunCommand("curl -sS --unix-socket " + ShellQuote(daemon->socket_path()) +
                         " http://localhost/status");
  EXPECT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("\"state\":\"enrolled\""), std::string::npos) << curl.output;

  // THREATS D2: private state.
  EXPECT_EQ(ModeOf(daemon->state_dir()), 0700u);
  for (const char* file : {"state.json", "device-chain.pem", "ak.blob", "identity.blob"}) {
    EXPECT_EQ(ModeOf(daemon->state_dir() + "/" + file), 0600u) << file;
  }
  EXPECT_EQ(ModeOf(daemon->socket_path()), 0660u);
  // ... and no key material or PEM in the log.
  std::string log = ReadText(daemon->output_path());
  EXPECT_EQ(log.find("-----BEGIN"), std::string::npos);
  EXPECT_EQ(log.find("PRIVATE"), std::string::npos);

  // Warm restart, counting the TPM commands the new process sends.
  std::string command_log = daemon->dir() + "/tpm-commands.log";
  daemon->options().env["EDGETRUST_TPM_COMMAND_LOG"] = command_log;
  ASSERT_TRUE(daemon->Restart());
  auto restarted = Enrolled(*daemon);
  EXPECT_EQ(restarted.certificate->serial, status.certificate->serial);
  EXPECT_EQ(restarted.device_id, status.device_id);
  EXPECT_EQ(CertificateCount(*status.device_id), 1) << "a warm boot must not enroll again";
  std::vector<std::string> commands = Lines(command_log);
  EXPECT_FALSE(commands.empty()) << "no TPM command log at " << command_log;
  EXPECT_LE(commands.size(), 8u);
  for (const std::string& command : commands) {
    EXPECT_NE(command, "CreatePrimary");
    EXPECT_NE(command, "Create");
  }
}

TEST_F(DaemonBootTest, ServiceDownAtBootIsOfflineThenEnrollsWhenItComesUp) {
  auto service = server::testing::EnrolldProcess::Start();
  ASSERT_TRUE(service) << service.error().ToString();
  ASSERT_TRUE(RegisterGroup(**service));
  ASSERT_TRUE((*service)->Stop());

  auto daemon = StartDaemon(OptionsFor(*tpm_, service->get()));
  ASSERT_TRUE(daemon);
  auto offline = daemon->WaitForState(DeviceState::kOffline, 20s);
  ASSERT_TRUE(offline) << offline.error().ToString();
  EXPECT_EQ(offline->last_error, "client.unreachable");
  EXPECT_TRUE(offline->next_attempt_in_ms.has_value());
  EXPECT_FALSE(offline->certificate.has_value());
  // It keeps retrying (backoff), and answers its local API all the while.
  int64_t attempts = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 15s;
       attempts < 3 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(100ms);
    auto later = daemon->GetStatus();
    ASSERT_TRUE(later) << later.error().ToString();
    EXPECT_NE(later->state, DeviceState::kEnrolled);
    attempts = later->failed_attempts;
  }
  EXPECT_GE(attempts, 3);

  ASSERT_TRUE((*service)->Restart());
  auto status = daemon->WaitForState(DeviceState::kEnrolled, 30s);
  ASSERT_TRUE(status) << status.error().ToString();
  EXPECT_FALSE(status->last_error.has_value());
  EXPECT_EQ(status->failed_attempts, 0);
}

TEST_F(DaemonBootTest, RecoversWhenTheTpmRestartsUnderIt) {
  auto daemon = StartDaemon(OptionsFor(*tpm_));
  ASSERT_TRUE(daemon);
  Enrolled(*daemon);
  daemon::api::SignRequest request{Bytes(32, 0x5a)};
  ASSERT_TRUE(daemon->client().Sign(request));

  ASSERT_TRUE(tpm_->Restart());  // TPM2_Startup(CLEAR): the loaded identity key is gone
  auto signed_after = daemon->client().Sign(request);
  ASSERT_TRUE(signed_after) << signed_after.error().ToString() << "\n" << daemon->OutputTail();
  EXPECT_EQ(signed_after->algorithm, "ES256");
  auto status = daemon->GetStatus();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, DeviceState::kEnrolled);
}

TEST_F(DaemonBootTest, ACorruptStateFileIsReportedAndAFactoryResetRecovers) {
  auto daemon = StartDaemon(OptionsFor(*tpm_));
  ASSERT_TRUE(daemon);
  auto first = Enrolled(*daemon);
  ASSERT_TRUE(daemon->Stop());
  std::ofstream(daemon->state_dir() + "/state.json") << "{\"version\": 1, \"device_id\": ";

  ASSERT_TRUE(daemon->Restart());  // it starts, and says what is wrong
  auto failed = daemon->WaitForState(DeviceState::kFailed, 10s);
  ASSERT_TRUE(failed) << failed.error().ToString();
  EXPECT_EQ(failed->last_error, "state.corrupt");
  auto reset = daemon->client().FactoryReset();
  ASSERT_TRUE(reset) << reset.error().ToString() << DaemonLog(*daemon);
  auto again = Enrolled(*daemon);
  ASSERT_TRUE(again.certificate);
  EXPECT_NE(again.certificate->serial, first.certificate->serial);
}

}  // namespace
}  // namespace edgetrust::e2e
