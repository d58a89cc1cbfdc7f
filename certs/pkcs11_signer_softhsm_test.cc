// Pkcs11Signer and GeneratePkcs11EcKey against a private SoftHSM token, with pkcs11-tool and
// openssl as independent judges.
#include "certs/pkcs11_signer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "certs/certificate_authority.h"
#include "certs/pkcs11_key.h"
#include "certs/pkcs11_uri.h"
#include "certs/testing/softhsm_token.h"
#include "common/file.h"
#include "common/openssl.h"

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

// SignWithEvp signs SHA-256(message) with an EVP_PKEY the way OpenSSL's TLS code does.
Result<Bytes> SignWithEvp(EVP_PKEY* key, ByteView message) {
  OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return Fail(ErrorCode::kInternal, "test.sign", "EVP_DigestSignInit");
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    return Fail(ErrorCode::kInternal, "test.sign", "EVP_DigestSign");
  }
  sig.resize(len);
  return sig;
}

// The device-CA signer and the TLS key come from one token through one libp11 context; both
// sign, and either may be released first without disturbing the other.
TEST_F(Pkcs11SignerTest, CaSignerAndPrivateKeyShareTheTokenInEitherOrder) {
  ASSERT_TRUE(GeneratePkcs11EcKey(token_->ConfigFor("device-ca")).has_value());
  ASSERT_TRUE(GeneratePkcs11EcKey(token_->ConfigFor("tls")).has_value());
  Bytes message = ToBytes("client hello transcript");
  auto digest = Digest(HashAlgorithm::kSha256, message);
  ASSERT_TRUE(digest.has_value());
  for (bool signer_first : {true, false}) {
    SCOPED_TRACE(signer_first ? "signer released first" : "key released first");
    auto signer = OpenPkcs11Signer(token_->ConfigFor("device-ca"));
    ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
    auto key = OpenPkcs11PrivateKey(token_->ConfigFor("tls"));
    ASSERT_TRUE(key.has_value()) << key.error().ToString();
    EXPECT_NE(*(*key)->public_key().ToSpkiDer(), *(*signer)->public_key().ToSpkiDer());

    auto ca_sig = (*signer)->Sign(*digest);
    ASSERT_TRUE(ca_sig.has_value()) << ca_sig.error().ToString();
    auto tls_sig = SignWithEvp((*key)->get0_pkey(), message);
    ASSERT_TRUE(tls_sig.has_value()) << tls_sig.error().ToString();
    EXPECT_TRUE((*signer)
                    ->public_key()
                    .Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, *ca_sig)
                    .has_value());
    EXPECT_TRUE((*key)
                    ->public_key()
                    .Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, *tls_sig)
                    .has_value());

    if (signer_first) {
      signer->reset();
      auto again = SignWithEvp((*key)->get0_pkey(), message);
      ASSERT_TRUE(again.has_value()) << again.error().ToString();
      EXPECT_TRUE((*key)
                      ->public_key()
                      .Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha256, message, *again)
                      .has_value());
      key->reset();
    } else {
      key->reset();
      auto again = (*signer)->Sign(*digest);
      ASSERT_TRUE(again.has_value()) << again.error().ToString();
      signer->reset();
    }
  }
}

// Signing from several threads at once with the lent EVP_PKEY (as TLS handshakes on cpprest
// I/O threads do) while the CA signer signs too.
TEST_F(Pkcs11SignerTest, PrivateKeySignsConcurrentlyWithTheSigner) {
  ASSERT_TRUE(GeneratePkcs11EcKey(token_->ConfigFor("device-ca")).has_value());
  ASSERT_TRUE(GeneratePkcs11EcKey(token_->ConfigFor("tls")).has_value());
  auto signer = OpenPkcs11Signer(token_->ConfigFor("device-ca"));
  ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
  auto key = OpenPkcs11PrivateKey(token_->ConfigFor("tls"));
  ASSERT_TRUE(key.has_value()) << key.error().ToString();
  Bytes message = ToBytes("m");
  auto digest = Digest(HashAlgorithm::kSha256, message);
  ASSERT_TRUE(digest.has_value());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        bool ok = t == 0 ? (*signer)->Sign(*digest).has_value()
                         : SignWithEvp((*key)->get0_pkey(), message).has_value();
        if (!ok) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// Opening a key reports the same errors as opening a signer.
TEST_F(Pkcs11SignerTest, PrivateKeyReportsMissingKeyAndBadUri) {
  auto missing = OpenPkcs11PrivateKey(token_->ConfigFor("nope"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().reason, "pkcs11.no_key");
  Pkcs11Config bad = token_->ConfigFor("tls");
  bad.key_uri = "pkcs11:token=edgetrust-ca;object=tls;type=cert";
  auto uri = OpenPkcs11PrivateKey(bad);
  ASSERT_FALSE(uri.has_value());
  EXPECT_EQ(uri.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(uri.error().reason, "pkcs11.bad_uri");
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
