// PemKeySigner (the development --key-file path) with keys written by `openssl` in every PEM
// form it accepts, and the ones it must refuse. PublicKey::Verify judges the signatures.
#include "certs/pem_key_signer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/crypto.h"
#include "common/file.h"
#include "common/testing/shell.h"

namespace edgetrust::certs {
namespace {

using test_util::ShellQuote;

test_util::CommandResult RunShell(const std::string& command) {
  return test_util::RunCommand(command);
}

class PemKeySignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/edgetrust-pemkey-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Key runs `openssl <command> -out FILE <args>` and returns FILE.
  std::string Key(const std::string& name, const std::string& command_and_args) {
    const std::string path = dir_ + "/" + name;
    const size_t space = command_and_args.find(' ');
    auto r = RunShell("openssl " + command_and_args.substr(0, space) + " -out " + ShellQuote(path) +
                      command_and_args.substr(space) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return path;
  }

  static void ExpectSignsAndVerifies(const Signer& signer, SignatureAlgorithm alg) {
    EXPECT_EQ(signer.algorithm(), alg);
    const Bytes message = ToBytes("manifest bytes");
    auto digest = Digest(SignatureHash(alg), message);
    ASSERT_TRUE(digest.has_value());
    auto sig = signer.Sign(*digest);
    ASSERT_TRUE(sig.has_value()) << sig.error().ToString();
    auto ok = signer.public_key().Verify(SignatureSchemeOf(alg), SignatureHash(alg), message, *sig);
    EXPECT_TRUE(ok.has_value()) << ok.error().ToString();
    // The digest size is checked like every Signer's.
    EXPECT_EQ(signer.Sign(Bytes(20, 1)).error().reason, "signer.digest_size");
  }

  static void ExpectRefused(const std::string& path, const std::string& reason) {
    auto signer = OpenPemKeySigner(path);
    ASSERT_FALSE(signer.has_value()) << path << ": expected " << reason;
    EXPECT_EQ(signer.error().reason, reason) << signer.error().ToString();
  }

  std::string dir_;
};

TEST_F(PemKeySignerTest, Pkcs8P256SignsEs256) {
  auto s =
      OpenPemKeySigner(Key("p256.pem", "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256"));
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ((*s)->public_key().type(), KeyType::kEcP256);
  ExpectSignsAndVerifies(**s, SignatureAlgorithm::kEcdsaSha256);
}

TEST_F(PemKeySignerTest, Sec1P384SignsEs384) {
  auto s = OpenPemKeySigner(Key("p384.pem", "ecparam -name secp384r1 -genkey -noout"));
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  ExpectSignsAndVerifies(**s, SignatureAlgorithm::kEcdsaSha384);
}

TEST_F(PemKeySignerTest, Pkcs1RsaSignsPkcs1OrPss) {
  const std::string path = Key("rsa.pem", "genrsa -traditional 2048");
  auto pkcs1 = OpenPemKeySigner(path);
  ASSERT_TRUE(pkcs1.has_value()) << pkcs1.error().ToString();
  ExpectSignsAndVerifies(**pkcs1, SignatureAlgorithm::kRsaPkcs1Sha256);
  auto pss = OpenPemKeySigner(path, SignatureAlgorithm::kRsaPssSha256);
  ASSERT_TRUE(pss.has_value()) << pss.error().ToString();
  ExpectSignsAndVerifies(**pss, SignatureAlgorithm::kRsaPssSha256);
  EXPECT_EQ(OpenPemKeySigner(path, SignatureAlgorithm::kEcdsaSha256).error().reason,
            "signer.algorithm_mismatch");
}

TEST_F(PemKeySignerTest, RefusesWhatIsNotAnUnencryptedSupportedKey) {
  ExpectRefused(dir_ + "/absent.pem", "pemkey.missing");
  ExpectRefused(
      Key("enc.pem", "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:x"),
      "pemkey.encrypted");
  ExpectRefused(Key("p521.pem", "ecparam -name secp521r1 -genkey -noout"),
                "signer.unsupported_key");
  ExpectRefused(Key("ed25519.pem", "genpkey -algorithm ed25519"), "signer.unsupported_key");
  // A public key, a certificate-looking block and junk are not private keys.
  const std::string pub = dir_ + "/pub.pem";
  ASSERT_EQ(RunShell("openssl pkey -in " + ShellQuote(dir_ + "/p521.pem") + " -pubout -out " +
                     ShellQuote(pub))
                .exit_code,
            0);
  ExpectRefused(pub, "pemkey.malformed");
  const std::string junk = dir_ + "/junk.pem";
  ASSERT_TRUE(WriteFileAtomic(junk, AsBytes("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                            "-----END PRIVATE KEY-----\n"))
                  .has_value());
  ExpectRefused(junk, "pemkey.malformed");
}

TEST_F(PemKeySignerTest, ErrorsDoNotCarryKeyMaterial) {
  const std::string path = Key("p256.pem", "ecparam -name prime256v1 -genkey -noout");
  auto bytes = ReadFile(path);
  ASSERT_TRUE(bytes.has_value());
  std::string text(bytes->begin(), bytes->end());
  // Corrupt the body (not the armour): the error names the problem, never the bytes.
  const size_t body = text.find('\n') + 1;
  const std::string secret_line = text.substr(body, 40);
  text[body + 10] = text[body + 10] == 'A' ? 'B' : 'A';
  text.insert(body, "!");
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes(text)).has_value());
  auto s = OpenPemKeySigner(path);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().reason, "pemkey.malformed");
  EXPECT_EQ(s.error().ToString().find(secret_line.substr(12)), std::string::npos);
}

}  // namespace
}  // namespace edgetrust::certs
