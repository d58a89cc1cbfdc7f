// `edgetrust tpm ...` as an operator runs it, against a private swtpm, with tpm2-tools as the
// independent judge of what it prints and writes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "attestation/primary_keys.h"
#include "common/file.h"
#include "swtpm/tpm_test.h"

namespace edgetrust {
namespace {

using swtpm::CommandResult;
using swtpm::RunCommand;
using swtpm::ShellQuote;

class TpmCliTest : public swtpm::TpmTest {
 protected:
  CommandResult Cli(const std::string& args) {
    return RunCommand("env -u EDGETRUST_TCTI -u TPM2TOOLS_TCTI " + std::string(EDGETRUST_CLI) +
                      " " + args);
  }
  std::string Tcti() { return " --tcti " + ShellQuote(swtpm().tcti()); }
  std::string ReadText(const std::string& name) {
    auto bytes = ReadFile(Path(name));
    return bytes ? std::string(bytes->begin(), bytes->end()) : "<missing " + name + ">";
  }
};

TEST_F(TpmCliTest, InfoReportsEksCertificatesAndHandles) {
  CommandResult r = Cli("tpm info --json" + Tcti());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto info = nlohmann::json::parse(r.output);
  EXPECT_EQ(info["manufacturer"], "IBM");
  EXPECT_EQ(info["spec"]["family"], "2.0");
  std::map<std::string, nlohmann::json> eks;
  for (const auto& ek : info["endorsement_keys"]) eks[ek["type"]] = ek;
  for (const char* type : {"rsa2048", "ecc384"}) {
    SCOPED_TRACE(type);
    EXPECT_TRUE(eks[type]["persistent"].get<bool>());
    EXPECT_TRUE(eks[type]["certificate"]["present"].get<bool>());
    EXPECT_TRUE(eks[type]["certificate"]["matches_ek"].get<bool>());
    EXPECT_EQ(eks[type]["certificate"]["issuer"], "CN=swtpm-localca");
  }
  EXPECT_FALSE(eks["ecc256"]["certificate"]["present"].get<bool>());
  auto handles = info["persistent_handles"].dump();
  EXPECT_NE(handles.find("0x81010001"), std::string::npos) << handles;

  CommandResult text = Cli("tpm info" + Tcti());
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("key matches EK"), std::string::npos) << text.output;
}

TEST_F(TpmCliTest, EkExportEqualsTpm2CreateEk) {
  CommandResult pem = Cli("tpm ek --alg rsa2048 --format pem" + Tcti());
  ASSERT_EQ(pem.exit_code, 0) << pem.output;
  auto r = Tpm2Tools("tpm2_createek -c ek.ctx -G rsa -u ek.pem -f pem");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(pem.output, ReadText("ek.pem"));

  CommandResult tss =
      Cli("tpm ek --alg ecc384 --format tss --out " + ShellQuote(Path("ek.tss")) + Tcti());
  ASSERT_EQ(tss.exit_code, 0) << tss.output;
  auto ours = ReadFile(Path("ek.tss"));
  ASSERT_TRUE(ours.has_value());
  auto expected = attestation::ComputeEkPublic(tpm(), attestation::EkType::kEccP384);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(*ours, expected->Marshal());
}

TEST_F(TpmCliTest, QuotePassesTpm2CheckQuote) {
  const std::string nonce = "00112233445566778899aabbccddeeff";
  CommandResult q = Cli("tpm quote --nonce " + nonce + " --pcrs sha256:0,1,16 --out-dir " +
                        ShellQuote(Path("q")) + Tcti());
  ASSERT_EQ(q.exit_code, 0) << q.output;
  std::string check = "cd " + ShellQuote(Path("q")) +
                      " && tpm2_checkquote -u ak.pub.pem -m quote.attest -s quote.sig"
                      " -f quote.pcrs -l sha256:0,1,16 -g sha256 -q ";
  CommandResult ok = RunCommand(check + nonce);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  CommandResult wrong = RunCommand(check + "ffeeddccbbaa99887766554433221100");
  EXPECT_NE(wrong.exit_code, 0) << wrong.output;
}

TEST_F(TpmCliTest, ClearErrorsForBadInput) {
  CommandResult no_tcti = Cli("tpm info");
  EXPECT_EQ(no_tcti.exit_code, 2);
  EXPECT_NE(no_tcti.output.find("tpm.tcti_empty"), std::string::npos) << no_tcti.output;
  CommandResult bad_alg = Cli("tpm ek --alg dsa1024" + Tcti());
  EXPECT_EQ(bad_alg.exit_code, 2);
  EXPECT_NE(bad_alg.output.find("tpm.ek_type"), std::string::npos) << bad_alg.output;
  CommandResult bad_nonce =
      Cli("tpm quote --nonce xyz --out-dir " + ShellQuote(Path("q")) + Tcti());
  EXPECT_EQ(bad_nonce.exit_code, 2);
  EXPECT_NE(bad_nonce.output.find("hex.invalid"), std::string::npos) << bad_nonce.output;
  CommandResult bad_pcrs =
      Cli("tpm quote --nonce 00 --pcrs sha256:99 --out-dir " + ShellQuote(Path("q")) + Tcti());
  EXPECT_EQ(bad_pcrs.exit_code, 2);
  EXPECT_NE(bad_pcrs.output.find("pcr.selection"), std::string::npos) << bad_pcrs.output;
}

}  // namespace
}  // namespace edgetrust
