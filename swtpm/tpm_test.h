// TpmTest is the GoogleTest fixture for every test that talks to a TPM.
//
// Each test binary gets one private swtpm (started in SetUpTestSuite, stopped in
// TearDownTestSuite) with manufacturer-signed RSA-2048 and ECC P-384 EK certificates. Each test
// gets a fresh Tpm connection and a scratch directory; after the test the fixture fails it if
// any transient object or session is still loaded in the TPM (swtpm has three slots and no
// resource manager, so a leak breaks later commands), then flushes them so the next test starts
// clean. Not thread-safe: tests in one binary run one at a time.
#ifndef EDGETRUST_SWTPM_TPM_TEST_H_
#define EDGETRUST_SWTPM_TPM_TEST_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "attestation/primary_keys.h"
#include "attestation/tpm.h"
#include "common/testing/shell.h"
#include "swtpm/swtpm_process.h"

namespace edgetrust::swtpm {

// The shell oracles (common/testing/shell.h), under the names the swtpm tests use.
using test_util::CommandResult;
using test_util::RunCommand;
using test_util::ShellQuote;

class TpmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  // SetUpTestSuiteWith starts the binary's swtpm with `options` instead of the defaults: a
  // fixture that needs another TPM (say one without EK certificates) declares
  // `static void SetUpTestSuite()` that calls it with, say, `with_ek_certs = false`.
  static void SetUpTestSuiteWith(const SwtpmOptions& options);
  void SetUp() override;
  void TearDown() override;

  static SwtpmProcess& swtpm();
  attestation::Tpm& tpm() { return *tpm_; }
  // srk is the storage root key (0x81000001), created and persisted on first use; the test
  // fails if that is impossible.
  const attestation::PersistentKey& srk();
  // scratch is a per-test directory, removed after the test.
  const std::string& scratch() const { return scratch_; }
  // Path joins `name` to the scratch directory.
  std::string Path(const std::string& name) const { return scratch_ + "/" + name; }

  // RestartSwtpm closes the Tpm, restarts swtpm on the same state (PCRs reset, NV and
  // persistent objects kept) and opens a new Tpm.
  void RestartSwtpm();

  // Tpm2Tools runs one tpm2-tools command line (e.g. "tpm2_createek -G rsa -u ek.pem") in the
  // scratch directory against this swtpm, then flushes the transient objects tpm2-tools leave.
  CommandResult Tpm2Tools(const std::string& command_line);

 private:
  std::unique_ptr<attestation::Tpm> tpm_;
  std::unique_ptr<attestation::PersistentKey> srk_;
  std::string scratch_;
};

}  // namespace edgetrust::swtpm

#endif  // EDGETRUST_SWTPM_TPM_TEST_H_
