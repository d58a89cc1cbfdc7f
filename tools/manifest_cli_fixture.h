// Shared fixture of the `edgetrust manifest ...` CLI tests (TEST ONLY): a scratch directory, an
// in-process test PKI (root → intermediate → signers) whose files the real binary reads, and a
// runner for the binary (EDGETRUST_CLI). Not thread-safe.
#ifndef EDGETRUST_TOOLS_MANIFEST_CLI_FIXTURE_H_
#define EDGETRUST_TOOLS_MANIFEST_CLI_FIXTURE_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/testing/shell.h"
#include "manifest/jws/testing/test_pki.h"

namespace edgetrust::tools::testing {

using manifest::jws::testing::TestPki;
using manifest::jws::testing::TestSigner;
using test_util::CommandResult;
using test_util::RunCommand;
using test_util::ShellQuote;

// The PKI is made at kNow (certificates valid from an hour before to 30 days after); the
// default manifest (ValidManifestJson) is issued 2026-11-26T10:00:00Z, expires 2026-12-26T10:00Z.
inline constexpr std::time_t kNow = 1796083200;
inline constexpr char kAt[] = "2026-12-01T00:00:00Z";

// SignerFiles are the --key-file and --cert files of one test signer.
struct SignerFiles {
  TestSigner signer;
  std::string key;    // PEM private key (a development key file)
  std::string chain;  // PEM: leaf, then the intermediate
};

class ManifestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/edgetrust-manifest-cli-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto pki = TestPki::Create(kNow);
    ASSERT_TRUE(pki.has_value()) << pki.error().ToString();
    pki_.emplace(std::move(*pki));
    roots_ = WritePem("roots.pem", {pki_->root});
    manifest_ = Write("manifest.json", manifest::jws::testing::ValidManifestJson());
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(Path(name), std::ios::binary) << content;
    return Path(name);
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string WritePem(const std::string& name, const std::vector<certs::Certificate>& certs) {
    std::string pem;
    for (const auto& c : certs) pem += c.ToPem().value_or("");
    return Write(name, pem);
  }

  // NewSigner makes a code-signing certificate under the intermediate and writes its files.
  SignerFiles NewSigner(const std::string& name, KeyType type = KeyType::kEcP256) {
    auto s = pki_->NewSigner(type);
    EXPECT_TRUE(s.has_value()) << s.error().ToString();
    auto key_pem = s->key.signer->PrivateKeyPemForTests();
    EXPECT_TRUE(key_pem.has_value());
    SignerFiles files{*s, Write(name + "-key.pem", key_pem.value_or("")), ""};
    files.chain = WritePem(name + "-chain.pem", s->chain);
    return files;
  }

  // Cli runs the edgetrust binary with `args` (already shell-quoted where needed).
  static CommandResult Cli(const std::string& args) {
    return RunCommand(std::string(EDGETRUST_CLI) + " " + args);
  }
  // Sign signs --manifest `manifest` with a key file into `out`.
  CommandResult Sign(const SignerFiles& s, const std::string& out,
                     const std::string& extra = "") const {
    return Cli("manifest sign --manifest " + ShellQuote(manifest_) + " --cert " +
               ShellQuote(s.chain) + " --key-file " + ShellQuote(s.key) + " --out " +
               ShellQuote(out) + extra);
  }
  // Verify verifies `jws` against the pinned root at kAt, unless `extra` gives --roots or --at.
  CommandResult Verify(const std::string& jws, const std::string& extra = "") const {
    std::string args = "manifest verify --jws " + ShellQuote(jws);
    if (extra.find("--roots") == std::string::npos) args += " --roots " + ShellQuote(roots_);
    if (extra.find("--at") == std::string::npos) args += std::string(" --at ") + kAt;
    return Cli(args + extra);
  }
  // VerifyJson runs Verify with --json, stderr discarded, and parses stdout.
  nlohmann::json VerifyJson(const std::string& jws, const std::string& extra = "",
                            int* exit_code = nullptr) const {
    CommandResult r = Verify(jws, extra + " --json 2>/dev/null");
    if (exit_code != nullptr) *exit_code = r.exit_code;
    auto parsed = nlohmann::json::parse(r.output, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << r.output;
    return parsed;
  }

  // ExpectInvalid asserts exit 1 with `reason` on stderr and in the --json verdict.
  void ExpectInvalid(const std::string& jws, const std::string& extra, const std::string& reason) {
    CommandResult r = Verify(jws, extra);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("edgetrust: manifest verify: " + reason + ":"), std::string::npos)
        << r.output;
    int code = -1;
    nlohmann::json verdict = VerifyJson(jws, extra, &code);
    EXPECT_EQ(code, 1);
    EXPECT_EQ(verdict["valid"], false) << verdict;
    EXPECT_EQ(verdict["error"], reason) << verdict;
  }

  std::string dir_;
  std::optional<TestPki> pki_;
  std::string roots_;
  std::string manifest_;
};

}  // namespace edgetrust::tools::testing

#endif  // EDGETRUST_TOOLS_MANIFEST_CLI_FIXTURE_H_
