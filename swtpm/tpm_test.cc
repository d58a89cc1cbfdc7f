#include "swtpm/tpm_test.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "attestation/capabilities.h"

namespace edgetrust::swtpm {
namespace {

std::unique_ptr<SwtpmProcess>& Process() {
  static std::unique_ptr<SwtpmProcess> process;
  return process;
}

std::string HandleList(const std::vector<TPM2_HANDLE>& handles) {
  std::string out;
  for (TPM2_HANDLE h : handles) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), " 0x%08x", h);
    out += buf;
  }
  return out;
}

}  // namespace

void TpmTest::SetUpTestSuite() { SetUpTestSuiteWith({}); }

void TpmTest::SetUpTestSuiteWith(const SwtpmOptions& options) {
  auto started = SwtpmProcess::Start(options);
  ASSERT_TRUE(started.has_value()) << started.error().ToString();
  Process() = std::move(*started);
}

void TpmTest::TearDownTestSuite() { Process().reset(); }

SwtpmProcess& TpmTest::swtpm() { return *Process(); }

void TpmTest::SetUp() {
  ASSERT_NE(Process(), nullptr) << "swtpm did not start";
  char tmpl[] = "/tmp/edgetrust-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  scratch_ = tmpl;
  auto opened = attestation::Tpm::Open(swtpm().tcti());
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  tpm_ = std::move(*opened);
}

const attestation::PersistentKey& TpmTest::srk() {
  if (srk_ == nullptr) {
    auto key = attestation::EnsureSrk(*tpm_);
    EXPECT_TRUE(key.has_value()) << key.error().ToString();
    // A test cannot go on without its SRK; gtest reports the exception as the test's failure.
    if (!key) throw std::runtime_error("no SRK: " + key.error().ToString());
    srk_ = std::make_unique<attestation::PersistentKey>(std::move(*key));
  }
  return *srk_;
}

void TpmTest::TearDown() {
  srk_.reset();
  if (tpm_ != nullptr) {
    bool leaked = false;
    for (auto kind :
         {attestation::HandleKind::kTransient, attestation::HandleKind::kLoadedSession}) {
      auto handles = attestation::ListHandles(*tpm_, kind);
      ASSERT_TRUE(handles.has_value()) << handles.error().ToString();
      EXPECT_TRUE(handles->empty())
          << "the test left handles loaded in the TPM:" << HandleList(*handles);
      leaked = leaked || !handles->empty();
    }
    tpm_.reset();
    // Flush what leaked so that one failure does not cascade into the next tests.
    if (leaked)
      RunCommand("TPM2TOOLS_TCTI=" + ShellQuote(swtpm().tcti()) + " tpm2_flushcontext -t -l");
  }
  if (!scratch_.empty()) std::filesystem::remove_all(scratch_);
}

void TpmTest::RestartSwtpm() {
  srk_.reset();
  tpm_.reset();
  auto restarted = swtpm().Restart();
  ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString();
  auto opened = attestation::Tpm::Open(swtpm().tcti());
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  tpm_ = std::move(*opened);
}

CommandResult TpmTest::Tpm2Tools(const std::string& command_line) {
  std::string env = "cd " + ShellQuote(scratch_) +
                    " && export TPM2TOOLS_TCTI=" + ShellQuote(swtpm().tcti()) + " && ";
  CommandResult result = RunCommand(env + command_line);
  RunCommand(env + "tpm2_flushcontext -t");
  return result;
}

}  // namespace edgetrust::swtpm
