// edgetrustd over a device's life (issue 4 §4): renewal of a short-lived certificate with a
// signed request, a revoked device that cannot renew, factory reset then re-provisioning with
// the CLI, and THREATS D1 (uid authorization), D3 (no lockout), D6 (clock moved with
// libfaketime under the running daemon). Real swtpm, service, daemons; curl, tpm2-tools and the
// edgetrust CLI as judges.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "attestation/key_blob.h"
#include "common/testing/shell.h"
#include "tests/daemon_e2e.h"

namespace edgetrust::e2e {
namespace {

using test_util::RunCommand;
using test_util::ShellQuote;

int CountLines(const std::string& path, const std::string& line) {
  int n = 0;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) n += l == line ? 1 : 0;
  return n;
}

std::string Cli(const std::string& args) { return std::string(EDGETRUST_CLI) + " " + args; }

// The service issues 20-second certificates: renewal is due within seconds.
class DaemonLifecycleTest : public DaemonE2eTest {
 protected:
  static void SetUpTestSuite() {
    DaemonE2eTest::SetUpTestSuite();
    server::testing::EnrolldOptions options;
    options.options_toml = "certificate_lifetime = \"20s\"\n";
    auto started = server::testing::EnrolldProcess::Start(options);
    ASSERT_TRUE(started) << started.error().ToString();
    short_lived_ = started->release();
    ASSERT_TRUE(RegisterGroup(*short_lived_));
  }
  static void TearDownTestSuite() {
    delete short_lived_;
    short_lived_ = nullptr;
    DaemonE2eTest::TearDownTestSuite();
  }
  DaemonOptions ShortLived() const {
    DaemonOptions options = OptionsFor(*tpm_, short_lived_);
    options.renew_threshold = 0.5;
    return options;
  }
  static server::testing::EnrolldProcess* short_lived_;
};
server::testing::EnrolldProcess* DaemonLifecycleTest::short_lived_ = nullptr;

TEST_F(DaemonLifecycleTest, RenewsAShortLivedCertificateWithASignedRequestBeforeItExpires) {
  auto daemon = StartDaemon(ShortLived());
  ASSERT_TRUE(daemon);
  auto first = Enrolled(*daemon);
  ASSERT_TRUE(first.certificate && first.device_id);
  auto first_chain = daemon->client().GetCertificateChainPem();
  ASSERT_TRUE(first_chain);

  // Until the new certificate is stored the old one keeps being served: never a gap.
  std::string serial = first.certificate->serial;
  auto deadline = std::chrono::steady_clock::now() + 25s;
  while (serial == first.certificate->serial && std::chrono::steady_clock::now() < deadline) {
    auto chain = daemon->client().GetCertificateChainPem();
    ASSERT_TRUE(chain) << chain.error().ToString() << "\n" << DaemonLog(*daemon);
    serial = LeafSerial(*chain);
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_NE(serial, first.certificate->serial) << "no renewal within 25 s\n"
                                               << daemon->OutputTail();
  auto renewed = daemon->client().GetCertificateChainPem();
  ASSERT_TRUE(renewed);
  EXPECT_EQ(LeafPublicKeyPem(*renewed), LeafPublicKeyPem(*first_chain)) << "same identity key";
  EXPECT_EQ(CertificateCount(*first.device_id, short_lived_), 2);
  auto status = daemon->GetStatus();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->state, DeviceState::kEnrolled);
  EXPECT_EQ(status->device_id, first.device_id);
  EXPECT_NE(daemon->OutputTail(200).find("renewed: certificate serial"), std::string::npos);
}

TEST_F(DaemonLifecycleTest, ARevokedDeviceCannotRenewAndItsStatusSaysSo) {
  auto daemon = StartDaemon(ShortLived());
  ASSERT_TRUE(daemon);
  auto first = Enrolled(*daemon);
  ASSERT_TRUE(first.device_id);
  OperatorAnswer revoked =
      Operator("POST", "/v1/operator/devices/" + *first.device_id + "/revoke", "", short_lived_);
  ASSERT_EQ(revoked.status, 200) << revoked.body << revoked.output;

  auto status = daemon->WaitForState(DeviceState::kRevoked, 30s);
  ASSERT_TRUE(status) << status.error().ToString() << DaemonLog(*daemon);
  EXPECT_EQ(status->last_error, "device.revoked");
  EXPECT_EQ(CertificateCount(*first.device_id, short_lived_), 1) << "nothing issued after revoke";
  // The verdict sticks (no flapping back to `enrolled` while the old certificate's time runs)
  // and the withdrawn certificate is not served.
  std::this_thread::sleep_for(2s);
  auto still = daemon->GetStatus();
  ASSERT_TRUE(still);
  EXPECT_EQ(still->state, DeviceState::kRevoked) << DaemonLog(*daemon);
  auto chain = daemon->client().GetCertificateChainPem();
  ASSERT_FALSE(chain);
  EXPECT_EQ(chain.error().reason, "daemon.certificate_revoked");
  auto cli = RunCommand(Cli("device status --socket " + ShellQuote(daemon->socket_path())));
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_NE(cli.output.find("revoked"), std::string::npos) << cli.output;
}

TEST_F(DaemonLifecycleTest, FactoryResetThenReprovisioningWorks) {
  DaemonOptions options = OptionsFor(*tpm_);
  std::string log = tpm_->state_dir() + "/../daemon-tpm-commands.log";
  options.env["EDGETRUST_TPM_COMMAND_LOG"] = log;
  auto daemon = StartDaemon(options);
  ASSERT_TRUE(daemon);
  auto first = Enrolled(*daemon);
  auto first_chain = daemon->client().GetCertificateChainPem();
  ASSERT_TRUE(first_chain);
  std::string state_before = ReadText(daemon->state_dir() + "/state.json");
  EXPECT_NE(state_before.find("2164260865"), std::string::npos)  // 0x81000001: it made the SRK
      << state_before;
  int evictions_before = CountLines(log, "EvictControl");

  auto refused =
      RunCommand(Cli("device factory-reset --socket " + ShellQuote(daemon->socket_path())));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;  // no --yes
  auto reset =
      RunCommand(Cli("device factory-reset --yes --socket " + ShellQuote(daemon->socket_path())));
  ASSERT_EQ(reset.exit_code, 0) << reset.output << daemon->OutputTail();
  auto again = Enrolled(*daemon);
  // The SRK it created was evicted, and made again for the new keys.
  EXPECT_GE(CountLines(log, "EvictControl"), evictions_before + 2);
  ASSERT_TRUE(again.certificate);
  EXPECT_NE(again.certificate->serial, first.certificate->serial);
  EXPECT_EQ(again.registration_id, first.registration_id);  // same TPM, same EK
  auto chain = daemon->client().GetCertificateChainPem();
  ASSERT_TRUE(chain);
  EXPECT_NE(LeafPublicKeyPem(*chain), LeafPublicKeyPem(*first_chain)) << "a new identity key";
  auto json = RunCommand(Cli("device status --json --socket " + ShellQuote(daemon->socket_path())));
  EXPECT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("\"enrolled\""), std::string::npos) << json.output;
}

TEST_F(DaemonLifecycleTest, D1_CallersAreAuthorizedByUid) {
  DaemonOptions options = OptionsFor(*tpm_);
  options.principals_toml =
      "[[local_api.principals]]\nname = \"monitor\"\nuid = 0\nendpoints = [\"status\"]\n";
  auto daemon = StartDaemon(options);
  ASSERT_TRUE(daemon);
  Enrolled(*daemon);
  for (const char* path : {"/sign", "/reenroll", "/factory-reset"}) {
    auto answer = daemon->client().Request("POST", path, "{}");
    ASSERT_TRUE(answer) << answer.error().ToString();
    EXPECT_EQ(answer->status, 403) << path;
    EXPECT_NE(answer->body.find("api.forbidden"), std::string::npos) << answer->body;
  }
  auto certificate = daemon->client().Request("GET", "/certificate");
  ASSERT_TRUE(certificate);
  EXPECT_EQ(certificate->status, 403);
  // Another uid cannot even connect (socket 0660, root's): curl as nobody fails.
  ASSERT_EQ(::chmod(daemon->dir().c_str(), 0755), 0);
  auto nobody = RunCommand(
      "setpriv --reuid=65534 --regid=65534 --clear-groups curl -sS "
      "--unix-socket " +
      ShellQuote(daemon->socket_path()) + " http://localhost/status");
  EXPECT_NE(nobody.exit_code, 0) << nobody.output;
  EXPECT_EQ(nobody.output.find("\"state\""), std::string::npos) << nobody.output;
}

TEST_F(DaemonLifecycleTest, D3_RepeatedFailuresNeverMoveTheTpmTowardsLockout) {
  DaemonOptions options = OptionsFor(*tpm_);
  options.ek_algorithm = "ecc256";  // swtpm has no certificate for it: every enrollment fails
  options.retry_max = "200ms";
  auto daemon = StartDaemon(options);
  ASSERT_TRUE(daemon);
  auto failing = daemon->WaitForState(DeviceState::kFailed, 20s);
  ASSERT_TRUE(failing) << failing.error().ToString();
  EXPECT_EQ(failing->last_error, "enrollment.unknown_ek");
  for (int i = 0; i < 20; ++i) {
    auto bad = daemon->client().Sign({Bytes(31, 1)});  // wrong digest size
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().reason, "signer.digest_size");
  }
  // Several more refused enrollments (each a TLS round trip; slow under sanitizers).
  int64_t attempts = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       attempts < 5 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(100ms);
    auto status = daemon->GetStatus();
    ASSERT_TRUE(status) << status.error().ToString();
    attempts = status->failed_attempts;
  }
  EXPECT_GE(attempts, 5);
  ASSERT_TRUE(daemon->Stop());  // swtpm serves one connection at a time

  auto lockout = RunCommand("tpm2_getcap -T " + ShellQuote(tpm_->tcti()) + " properties-variable");
  ASSERT_EQ(lockout.exit_code, 0) << lockout.output;
  EXPECT_NE(lockout.output.find("TPM2_PT_LOCKOUT_COUNTER: 0x0\n"), std::string::npos)
      << lockout.output;
  EXPECT_NE(lockout.output.find("inLockout:                 0"), std::string::npos)
      << lockout.output;
  // Every key the daemon made is noDA.
  for (const char* blob : {"ak.blob", "identity.blob"}) {
    auto key = attestation::LoadKeyBlob(daemon->state_dir() + "/" + blob);
    ASSERT_TRUE(key) << key.error().ToString();
    EXPECT_NE(key->public_area.publicArea.objectAttributes & TPMA_OBJECT_NODA, 0u) << blob;
  }
}

// libfaketime moves the daemon's wall clock (only: CLOCK_MONOTONIC stays real) while it runs.
std::string FaketimeLibrary() {
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib")) {
    std::filesystem::path candidate = entry.path() / "faketime/libfaketimeMT.so.1";
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  return "";
}

// UnderFaketime makes the daemon read its wall clock through libfaketime, offset by what
// `offset_file` says ("+0" to start; tests rewrite it while the daemon runs).
void UnderFaketime(DaemonOptions& options, const std::string& library,
                   const std::string& offset_file) {
  std::ofstream(offset_file) << "+0\n";
  options.env = {{"LD_PRELOAD", library},
                 {"FAKETIME_TIMESTAMP_FILE", offset_file},
                 {"FAKETIME_NO_CACHE", "1"},
                 {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
                 {"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}};
}

TEST_F(DaemonLifecycleTest, D6_SettingTheClockBackDoesNotMakeAnExpiredCertificateValid) {
  std::string library = FaketimeLibrary();
  ASSERT_FALSE(library.empty()) << "libfaketime missing (package faketime)";
  DaemonOptions options = ShortLived();
  options.renew_threshold = 0.95;
  std::string offset_file = tpm_->state_dir() + "/../faketime";
  UnderFaketime(options, library, offset_file);
  auto daemon = StartDaemon(options);
  ASSERT_TRUE(daemon);
  auto first = Enrolled(*daemon);
  ASSERT_TRUE(first.certificate);
  // The service goes away (no renewal can rescue the certificate), and the clock is set back
  // an hour: by the wall clock the certificate now has more than an hour left.
  ASSERT_TRUE(short_lived_->Stop());
  std::ofstream(offset_file) << "-3600\n";
  std::this_thread::sleep_for(22s);  // past the 20 s lifetime in real time
  auto chain = daemon->client().GetCertificateChainPem();
  short_lived_->Restart();
  ASSERT_FALSE(chain) << "an expired certificate was served after the clock was set back";
  EXPECT_EQ(chain.error().reason, "daemon.certificate_expired");
  auto status = daemon->GetStatus();
  ASSERT_TRUE(status);
  EXPECT_NE(status->state, DeviceState::kEnrolled) << DaemonLog(*daemon);
}

TEST_F(DaemonLifecycleTest, D6_SettingTheClockForwardCostsOneRenewalNotAStorm) {
  std::string library = FaketimeLibrary();
  ASSERT_FALSE(library.empty()) << "libfaketime missing (package faketime)";
  DaemonOptions options = OptionsFor(*tpm_);  // 30-day certificates from the main service
  std::string offset_file = tpm_->state_dir() + "/../faketime";
  UnderFaketime(options, library, offset_file);
  auto daemon = StartDaemon(options);
  ASSERT_TRUE(daemon);
  auto first = Enrolled(*daemon);
  ASSERT_TRUE(first.device_id);
  // 26 days forward: past 80% of the lifetime. The service's own clock is right, so what it
  // issues looks "too young" to the device; it must not loop on renewals.
  std::ofstream(offset_file) << "+26d\n";
  ASSERT_TRUE(daemon->client().Reenroll());  // wake it now rather than at the next deadline
  std::this_thread::sleep_for(6s);
  EXPECT_LE(CertificateCount(*first.device_id), 3) << daemon->OutputTail(60);
}

}  // namespace
}  // namespace edgetrust::e2e
