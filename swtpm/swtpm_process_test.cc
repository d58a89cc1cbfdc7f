#include "swtpm/swtpm_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "swtpm/temp_dir.h"
#include "swtpm/tpm_probe.h"

namespace edgetrust::swtpm {
namespace {

using std::chrono::milliseconds;

// Shell executes a shell command and returns its exit status and combined output.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::unique_ptr<SwtpmProcess> StartOrDie(const SwtpmOptions& options = {}) {
  auto tpm = SwtpmProcess::Start(options);
  EXPECT_TRUE(tpm.has_value()) << tpm.error().ToString();
  return tpm ? std::move(*tpm) : nullptr;
}

// ReadEkCertPem reads the EK certificate at `nv_index` into `dir`/<name>.pem.
std::string ReadEkCertPem(const SwtpmProcess& tpm, const std::string& nv_index,
                          const std::string& dir, const std::string& name) {
  std::string der = dir + "/" + name + ".der";
  std::string pem = dir + "/" + name + ".pem";
  auto [rc, out] = Shell("tpm2_nvread -T '" + tpm.tcti() + "' -C o " + nv_index + " -o " + der);
  EXPECT_EQ(rc, 0) << out;
  auto [rc2, out2] = Shell("openssl x509 -inform der -in " + der + " -out " + pem);
  EXPECT_EQ(rc2, 0) << out2;
  return pem;
}

TEST(SwtpmProcessTest, TwoAtOnceGetDifferentPortsAndBothAnswer) {
  auto a = StartOrDie();
  auto b = StartOrDie();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->tcti(), b->tcti());
  EXPECT_NE(a->command_port(), b->command_port());
  EXPECT_NE(a->command_port() + 1, b->command_port());
  EXPECT_NE(a->command_port(), b->command_port() + 1);
  EXPECT_NE(a->pid(), b->pid());
  EXPECT_EQ(a->tcti(), "swtpm:host=127.0.0.1,port=" + std::to_string(a->command_port()));
  EXPECT_TRUE(ProbeTpm(a->command_port(), milliseconds(2000)).has_value());
  EXPECT_TRUE(ProbeTpm(b->command_port(), milliseconds(2000)).has_value());
  auto [rc, out] = Shell("tpm2_getrandom -T '" + b->tcti() + "' --hex 8");
  EXPECT_EQ(rc, 0) << out;
}

TEST(SwtpmProcessTest, EkCertificatesChainToTheManufacturerCa) {
  auto tpm = StartOrDie();
  ASSERT_TRUE(tpm);
  EXPECT_EQ(ReadText(tpm->ca_bundle_path()),
            ReadText(tpm->root_ca_path()) + ReadText(tpm->intermediate_ca_path()));
  auto [rc, handles] = Shell("tpm2_getcap -T '" + tpm->tcti() + "' handles-persistent");
  ASSERT_EQ(rc, 0) << handles;
  EXPECT_NE(handles.find("0x81010001"), std::string::npos) << handles;
  EXPECT_NE(handles.find("0x81010016"), std::string::npos) << handles;

  auto dir = TempDir::Create("edgetrust-swtpm-test.");
  ASSERT_TRUE(dir.has_value());
  std::string rsa = ReadEkCertPem(*tpm, "0x01c00002", dir->path(), "ek_rsa");
  std::string ecc = ReadEkCertPem(*tpm, "0x01c00016", dir->path(), "ek_ecc");
  for (const std::string& pem : {rsa, ecc}) {
    auto [vrc, vout] = Shell("openssl verify -CAfile " + tpm->root_ca_path() + " -untrusted " +
                             tpm->intermediate_ca_path() + " " + pem);
    EXPECT_EQ(vrc, 0) << vout;
  }
  auto [trc, text] = Shell("openssl x509 -noout -text -in " + ecc);
  EXPECT_NE(text.find("NIST CURVE: P-384"), std::string::npos) << text;
  auto [rrc, rsa_text] = Shell("openssl x509 -noout -text -in " + rsa);
  EXPECT_NE(rsa_text.find("(2048 bit)"), std::string::npos) << rsa_text;
}

TEST(SwtpmProcessTest, RestartKeepsPortsAndStateAndResetsPcrs) {
  auto tpm = StartOrDie();
  ASSERT_TRUE(tpm);
  std::string tcti = tpm->tcti();
  pid_t old_pid = tpm->pid();
  std::string pcr16 = "tpm2_pcrread -T '" + tcti + "' sha256:16";
  auto [rc0, before] = Shell(pcr16);
  ASSERT_EQ(rc0, 0) << before;
  auto [rc1, out1] = Shell("tpm2_pcrextend -T '" + tcti + "' 16:sha256=" + std::string(64, 'a'));
  ASSERT_EQ(rc1, 0) << out1;
  auto [rc2, extended] = Shell(pcr16);
  ASSERT_NE(extended, before);

  auto restarted = tpm->Restart();
  ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString();
  EXPECT_EQ(tpm->tcti(), tcti);
  EXPECT_NE(tpm->pid(), old_pid);
  EXPECT_EQ(::kill(old_pid, 0), -1);
  EXPECT_TRUE(ProbeTpm(tpm->command_port(), milliseconds(2000)).has_value());
  auto [rc3, after] = Shell(pcr16);
  EXPECT_EQ(after, before) << "TPM2_Startup(CLEAR) must reset PCR 16";
  auto [rc4, handles] = Shell("tpm2_getcap -T '" + tcti + "' handles-persistent");
  EXPECT_NE(handles.find("0x81010016"), std::string::npos) << handles;
}

TEST(SwtpmProcessTest, StopKeepsStateAndRestartResumes) {
  auto tpm = StartOrDie();
  ASSERT_TRUE(tpm);
  ASSERT_TRUE(tpm->Stop().has_value());
  EXPECT_EQ(tpm->pid(), -1);
  EXPECT_TRUE(std::filesystem::exists(tpm->state_dir() + "/tpm2-00.permall"));
  ASSERT_TRUE(tpm->Stop().has_value());  // idempotent
  auto restarted = tpm->Restart();
  ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString();
  EXPECT_GT(tpm->pid(), 0);
  EXPECT_TRUE(ProbeTpm(tpm->command_port(), milliseconds(2000)).has_value());
}

TEST(SwtpmProcessTest, DestructorLeavesNoProcessAndNoState) {
  auto tpm = StartOrDie();
  ASSERT_TRUE(tpm);
  pid_t pid = tpm->pid();
  std::string state = tpm->state_dir();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(std::filesystem::exists(state));
  tpm.reset();
  errno = 0;
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_FALSE(std::filesystem::exists(state));
}

TEST(SwtpmProcessTest, WithoutEkCertsHasEksButNoCertificates) {
  auto tpm = StartOrDie({.ca_dir = "", .with_ek_certs = false});
  ASSERT_TRUE(tpm);
  EXPECT_EQ(tpm->ca_bundle_path(), "");
  auto [rc, handles] = Shell("tpm2_getcap -T '" + tpm->tcti() + "' handles-persistent");
  EXPECT_NE(handles.find("0x81010001"), std::string::npos) << handles;
  auto [nrc, nv] = Shell("tpm2_getcap -T '" + tpm->tcti() + "' handles-nv-index");
  EXPECT_EQ(nv.find("0x1C00002"), std::string::npos) << nv;
}

TEST(SwtpmProcessTest, UncreatableCaDirIsAnError) {
  auto dir = TempDir::Create("edgetrust-swtpm-test.");
  ASSERT_TRUE(dir.has_value());
  std::string file = dir->path() + "/not-a-dir";
  std::ofstream(file) << "x";
  auto tpm = SwtpmProcess::Start({.ca_dir = file + "/ca"});
  ASSERT_FALSE(tpm.has_value());
  EXPECT_EQ(tpm.error().reason, "swtpm.ca_failed") << tpm.error().ToString();
  EXPECT_EQ(tpm.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace edgetrust::swtpm
