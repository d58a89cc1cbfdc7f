// Pkcs11Signer and GeneratePkcs11EcKey against a private SoftHSM token, with pkcs11-tool and
// openssl as independent judges.
#include "certs/pkcs11_signer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "certs/certificate_authority.h"
#include "certs/pkcs11_uri.h"
#include "certs/testing/softhsm_token.h"
#include "common/file.h"

namespace edgetrust::certs {
namespace {

using testing::RunShell;
using testing::ShellQuote;
using testing::SoftHsmToken;

class Pkcs11SignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto token = SoftHsmToken::Create("edgetrust-ca", "4321");
    ASSERT_TRUE(token.has_value()) << token.error().ToString();
    token_ = std::move(*token);
  }
  std::unique_ptr<SoftHsmToken> token_;
};

TEST_F(Pkcs11SignerTest, GeneratesNonExtractableKeyAndSigns) {
  Pkcs11Config config = token_->ConfigFor("ca-key");
  ASSERT_TRUE(GeneratePkcs11EcKey(config).has_value());
  auto again = GeneratePkcs11EcKey(config);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().reason, "pkcs11.key_exists");

  auto objects = RunShell("pkcs11-tool " + token_->Pkcs11ToolArgs() + " --list-objects");
  ASSERT_EQ(objects.exit_code, 0) << objects.output;
  size_t priv = objects.output.find("Private Key Object; EC");
  ASSERT_NE(priv, std::string::npos) << objects.output;
  std::string priv_text = objects.output.substr(priv, 400);
  EXPECT_NE(priv_text.find("label:      ca-key"), std::string::npos) << priv_text;
  EXPECT_NE(priv_text.find("sensitive"), std::string::npos) << priv_text;
  EXPECT_NE(priv_text.find("never extractable"), std::string::npos) << priv_text;

  auto signer = OpenPkcs11Signer(config);
  ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
  EXPECT_EQ((*signer)->algorithm(), SignatureAlgorithm::kEcdsaSha256);
  Bytes message = ToBytes("enrollment");
  auto digest = Digest(HashAlgorithm::kSha256, message);
  ASSERT_TRUE(digest.has_value());
  auto sig = (*signer)->Sign(*digest);
  ASSERT_TRUE(sig.has_value()) << sig.error().ToString();
  EXPECT_TRUE((*signer)
                  ->public_key()
                  .Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, *sig)
                  .has_value());
  auto short_digest = (*signer)->Sign(Bytes(20));
  ASSERT_FALSE(short_digest.has_value());
  EXPECT_EQ(short_digest.error().reason, "signer.digest_size");
}

TEST_F(Pkcs11SignerTest, HsmBackedCaIssuesLeafThatOpenSslVerifies) {
  Pkcs11Config config = token_->ConfigFor("ca-key");
  ASSERT_TRUE(GeneratePkcs11EcKey(config).has_value());
  auto opened = OpenPkcs11Signer(config);
  ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
  std::shared_ptr<const Signer> signer = std::move(*opened);
  std::time_t now = std::time(nullptr);
  auto cert = MakeSelfSignedCa(*signer, "HSM CA", std::chrono::hours(24 * 365), now);
  ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
  auto ca = CertificateAuthority::Create(signer, {*cert});
  ASSERT_TRUE(ca.has_value()) << ca.error().ToString();
  auto leaf = ca->Issue(signer->public_key(), LeafProfile{"device-1", {}, {}}, now);
  ASSERT_TRUE(leaf.has_value()) << leaf.error().ToString();
  std::string ca_path = token_->dir() + "/ca.pem";
  std::string leaf_path = token_->dir() + "/leaf.pem";
  ASSERT_TRUE(WriteFileAtomic(ca_path, AsBytes(*cert->ToPem())).has_value());
  ASSERT_TRUE(WriteFileAtomic(leaf_path, AsBytes(*leaf->ToPem())).has_value());
  auto verify =
      RunShell("openssl verify -CAfile " + ShellQuote(ca_path) + " " + ShellQuote(leaf_path));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST_F(Pkcs11SignerTest, ReportsWrongPinMissingKeyTokenAndPin) {
  Pkcs11Config config = token_->ConfigFor("ca-key");
  ASSERT_TRUE(GeneratePkcs11EcKey(config).has_value());

  std::string wrong_pin = token_->dir() + "/wrong-pin";
  ASSERT_TRUE(WriteFileAtomic(wrong_pin, AsBytes("0000\n")).has_value());
  Pkcs11Config bad_pin = config;
  bad_pin.pin = PinSource{PinSource::Kind::kFile, wrong_pin};
  auto login = OpenPkcs11Signer(bad_pin);
  ASSERT_FALSE(login.has_value());
  EXPECT_EQ(login.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(login.error().reason, "pkcs11.login");
  auto gen_login = GeneratePkcs11EcKey(token_->ConfigFor("x") /* right pin */);
  EXPECT_TRUE(gen_login.has_value());

  auto no_key = OpenPkcs11Signer(token_->ConfigFor("nope"));
  ASSERT_FALSE(no_key.has_value());
  EXPECT_EQ(no_key.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(no_key.error().reason, "pkcs11.no_key");

  Pkcs11Config no_token = config;
  no_token.key_uri = "pkcs11:token=absent;object=ca-key;type=private";
  auto missing = OpenPkcs11Signer(no_token);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().reason, "pkcs11.no_token");

  Pkcs11Config no_module = config;
  no_module.module_path = "/nonexistent/libpkcs11.so";
  auto module = OpenPkcs11Signer(no_module);
  ASSERT_FALSE(module.has_value());
  EXPECT_EQ(module.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(module.error().reason, "pkcs11.module");

  Pkcs11Config env_pin = config;
  env_pin.pin = PinSource{PinSource::Kind::kEnvironment, "EDGETRUST_TEST_UNSET_PIN"};
  auto pin = OpenPkcs11Signer(env_pin);
  ASSERT_FALSE(pin.has_value());
  EXPECT_EQ(pin.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(pin.error().reason, "pin.missing");
}

TEST(Pkcs11UriTest, ParsesRendersAndRefusesPinValue) {
  auto uri = Pkcs11Uri::Parse("pkcs11:token=edge%20ca;object=device-ca;id=%01%ff;type=private");
  ASSERT_TRUE(uri.has_value()) << uri.error().ToString();
  EXPECT_EQ(uri->token, "edge ca");
  EXPECT_EQ(uri->object, "device-ca");
  EXPECT_EQ(uri->id, (Bytes{0x01, 0xff}));
  EXPECT_EQ(uri->type, "private");
  EXPECT_EQ(uri->ToString(), "pkcs11:token=edge%20ca;object=device-ca;id=%01%FF;type=private");
  for (const char* bad : {"pkcs12:token=a", "pkcs11:token=a;token=b", "pkcs11:token=a;bogus=1",
                          "pkcs11:token=a;type=secret", "pkcs11:object=%zz", "pkcs11:object=%4",
                          "pkcs11:token=a?pin-value=1234"}) {
    auto r = Pkcs11Uri::Parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().reason, "pkcs11.bad_uri");
  }
}

}  // namespace
}  // namespace edgetrust::certs
