// `edgetrust manifest sign --key-uri` against a private SoftHSM token: the release key is made
// in the token (never extractable), certified for code signing by the test PKI, and the CLI
// signs through PKCS#11; `edgetrust manifest verify` judges the result.
#include <string>

#include "certs/pkcs11_signer.h"
#include "certs/testing/softhsm_token.h"
#include "common/file.h"
#include "tools/manifest_cli_fixture.h"

namespace edgetrust::tools::testing {
namespace {

using certs::testing::SoftHsmToken;
using json = nlohmann::json;

// Not hex, so that it cannot turn up inside a fingerprint by chance.
constexpr char kPin[] = "pin-Release";
constexpr char kKeyLabel[] = "release-key";

class ManifestCliSoftHsmTest : public ManifestCliTest {
 protected:
  void SetUp() override {
    ManifestCliTest::SetUp();
    auto token = SoftHsmToken::Create("edgetrust-signing", kPin);
    ASSERT_TRUE(token.has_value()) << token.error().ToString();
    token_ = std::move(*token);
    const certs::Pkcs11Config config = token_->ConfigFor(kKeyLabel);
    ASSERT_TRUE(certs::GeneratePkcs11EcKey(config).has_value());
    // Read the public key, then close the session before the CLI opens its own.
    auto signer = certs::OpenPkcs11Signer(config);
    ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
    key_ = (*signer)->public_key();
    signer->reset();
    auto leaf = manifest::jws::testing::IssueCertificate(*key_, {}, &pki_->intermediate,
                                                         pki_->intermediate_key, kNow);
    ASSERT_TRUE(leaf.has_value()) << leaf.error().ToString();
    chain_ = WritePem("hsm-chain.pem", {*leaf, pki_->intermediate});
  }
  void TearDown() override {
    token_.reset();
    ManifestCliTest::TearDown();
  }

  // Token is the PKCS#11 flags for the release key; SOFTHSM2_CONF is inherited.
  std::string Token(const std::string& pin_file) const {
    return " --module " + ShellQuote(token_->module_path()) + " --key-uri " +
           ShellQuote(token_->KeyUri(kKeyLabel)) + " --pin-file " + ShellQuote(pin_file);
  }

  std::unique_ptr<SoftHsmToken> token_;
  std::optional<PublicKey> key_;
  std::string chain_;
};

TEST_F(ManifestCliSoftHsmTest, SignsWithTheTokenKeyAndVerifies) {
  CommandResult sign =
      Cli("manifest sign --manifest " + ShellQuote(manifest_) + " --cert " + ShellQuote(chain_) +
          Token(token_->pin_file()) + " --out " + ShellQuote(Path("hsm.jws")));
  ASSERT_EQ(sign.exit_code, 0) << sign.output;
  EXPECT_EQ(sign.output.find(kPin), std::string::npos) << sign.output;
  EXPECT_EQ(sign.output.find("development only"), std::string::npos) << sign.output;
  EXPECT_NE(sign.output.find("key sha256 " + key_->Fingerprint()), std::string::npos)
      << sign.output;

  int code = -1;
  json v = VerifyJson(Path("hsm.jws"), " --device-id gw-0001", &code);
  ASSERT_EQ(code, 0) << v;
  ASSERT_EQ(v["signers"].size(), 1u) << v;
  EXPECT_EQ(v["signers"][0]["spki_sha256"], key_->Fingerprint());
  EXPECT_EQ(v["signers"][0]["alg"], "ES256");
}

TEST_F(ManifestCliSoftHsmTest, TokenAndKeyFileSignersMakeTwoOfN) {
  SignerFiles dev = NewSigner("dev");
  ASSERT_EQ(Sign(dev, Path("one.jws")).exit_code, 0);
  CommandResult add =
      Cli("manifest sign --add-to " + ShellQuote(Path("one.jws")) + " --cert " +
          ShellQuote(chain_) + Token(token_->pin_file()) + " --out " + ShellQuote(Path("two.jws")));
  ASSERT_EQ(add.exit_code, 0) << add.output;
  int code = -1;
  json v = VerifyJson(Path("two.jws"), " --min-signers 2", &code);
  ASSERT_EQ(code, 0) << v;
  EXPECT_EQ(v["signers"].size(), 2u) << v;
  ExpectInvalid(Path("one.jws"), " --min-signers 2", "jws.not_enough_signers");
}

TEST_F(ManifestCliSoftHsmTest, WrongPinFailsWithoutOutput) {
  const std::string wrong = Path("wrong-pin");
  ASSERT_TRUE(WriteFileAtomic(wrong, AsBytes("not-the-pin"), 0600).has_value());
  CommandResult sign =
      Cli("manifest sign --manifest " + ShellQuote(manifest_) + " --cert " + ShellQuote(chain_) +
          Token(wrong) + " --out " + ShellQuote(Path("never.jws")));
  EXPECT_EQ(sign.exit_code, 1) << sign.output;
  EXPECT_NE(sign.output.find("edgetrust: manifest sign: pkcs11.login:"), std::string::npos)
      << sign.output;
  EXPECT_EQ(sign.output.find("not-the-pin"), std::string::npos) << sign.output;
  EXPECT_FALSE(std::filesystem::exists(Path("never.jws")));
}

}  // namespace
}  // namespace edgetrust::tools::testing
