// `edgetrust tpm enroll` against the running edgetrust-enrolld: the swtpm's P-384 EK (with its
// manufacturer certificate, group enrollment) enrolls, the chain it writes passes openssl
// verify, state files are private, and a second run reuses the keys it made.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "common/file.h"
#include "tests/enrollment_e2e_fixture.h"

namespace edgetrust::e2e {
namespace {

using swtpm::RunCommand;
using swtpm::ShellQuote;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class TpmEnrollCliTest : public EnrollmentE2eTest {
 protected:
  swtpm::CommandResult Enroll(const std::string& id, const std::string& state_dir) {
    return RunCommand(std::string(EDGETRUST_CLI) + " tpm enroll --tcti " +
                      ShellQuote(swtpm().tcti()) + " --service " + enrolld().device_url() +
                      " --ca-bundle " + ShellQuote(enrolld().ca_bundle_path()) +
                      " --registration-id " + id + " --state-dir " + ShellQuote(state_dir) +
                      " --ek-alg ecc384");
  }
};

TEST_F(TpmEnrollCliTest, EnrollsWithTheGroupAndReusesItsKeys) {
  ASSERT_TRUE(EnsureSwtpmGroup());
  const std::string id = UniqueId("cli");
  const std::string state = Path("state");

  auto first = Enroll(id, state);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("enrolled: device " + id), std::string::npos) << first.output;
  auto verify = RunCommand("openssl verify -CAfile " + ShellQuote(enrolld().ca_bundle_path()) +
                           " " + ShellQuote(state + "/device-chain.pem"));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_EQ(ModeOf(state), 0700u);
  for (const char* file : {"/ak.blob", "/identity.blob", "/device-chain.pem"}) {
    EXPECT_EQ(ModeOf(state + file), 0600u) << file;
  }
  auto ak_before = ReadFile(state + "/ak.blob");
  ASSERT_TRUE(ak_before.has_value());
  auto serial_before = CurrentSerial(id);
  ASSERT_TRUE(serial_before.has_value());

  auto second = Enroll(id, state);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(*ReadFile(state + "/ak.blob"), *ak_before);  // same AK, no new key
  EXPECT_NE(CurrentSerial(id), serial_before);           // a fresh certificate
}

TEST_F(TpmEnrollCliTest, UnknownDeviceIsRefusedWithTheServiceReason) {
  // The P-256 EK has no manufacturer certificate and no individual enrollment.
  auto result = RunCommand(std::string(EDGETRUST_CLI) + " tpm enroll --tcti " +
                           ShellQuote(swtpm().tcti()) + " --service " + enrolld().device_url() +
                           " --ca-bundle " + ShellQuote(enrolld().ca_bundle_path()) +
                           " --registration-id " + UniqueId("stranger") + " --state-dir " +
                           ShellQuote(Path("s2")) + " --ek-alg ecc256");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("enrollment.unknown_ek"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace edgetrust::e2e
