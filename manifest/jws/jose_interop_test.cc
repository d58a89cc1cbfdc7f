// Interop with an independent JWS implementation, the `jose` CLI (Debian package jose): what
// `jose jws sig` signs, ManifestVerifier accepts; what SignManifest/AddSignature produce,
// `jose jws ver` accepts. Skipped only when jose is not installed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/testing/shell.h"
#include "manifest/jws/base64.h"
#include "manifest/jws/sign.h"
#include "manifest/jws/testing/test_pki.h"
#include "manifest/jws/verifier.h"

namespace edgetrust::manifest::jws {
namespace {

using json = nlohmann::json;
using test_util::RunCommand;
using test_util::ShellQuote;
using testing::TestPki;
using testing::TestSigner;

constexpr std::time_t kNow = 1790000000;

struct AlgCase {
  const char* alg;
  KeyType type;
  certs::SignatureAlgorithm signature;
};

const AlgCase kAlgs[] = {
    {"ES256", KeyType::kEcP256, certs::SignatureAlgorithm::kEcdsaSha256},
    {"ES384", KeyType::kEcP384, certs::SignatureAlgorithm::kEcdsaSha384},
    {"PS256", KeyType::kRsa, certs::SignatureAlgorithm::kRsaPssSha256},
    {"RS256", KeyType::kRsa, certs::SignatureAlgorithm::kRsaPkcs1Sha256},
};

class JoseInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunCommand("command -v jose").exit_code != 0) GTEST_SKIP() << "jose CLI not installed";
    char pattern[] = "/tmp/edgetrust-jose-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto p = TestPki::Create(kNow);
    ASSERT_TRUE(p.has_value());
    pki_.emplace(std::move(*p));
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  TestSigner NewSigner(const AlgCase& c) {
    auto s = pki_->NewSigner(c.type, {}, 2048, c.signature);
    EXPECT_TRUE(s.has_value());
    return std::move(*s);
  }

  // SignatureTemplate is jose's -s template: a protected header with our x5c.
  static std::string SignatureTemplate(const TestSigner& s, const char* alg) {
    json x5c = json::array();
    for (const auto& c : s.chain) x5c.push_back(internal::Base64StdEncode(c.der()));
    return json{{"protected", {{"alg", alg}, {"x5c", x5c}}}}.dump();
  }

  ManifestVerifier Verifier(size_t k = 1) {
    TrustPolicy policy = pki_->Policy();
    policy.min_signers = k;
    auto v = ManifestVerifier::Create(policy);
    EXPECT_TRUE(v.has_value());
    return std::move(*v);
  }

  std::string dir_;
  std::optional<TestPki> pki_;
};

TEST_F(JoseInteropTest, JoseSignedManifestVerifiesWithOurs) {
  const std::string manifest = testing::ValidManifestJson();
  const std::string payload = Write("manifest.json", manifest);
  for (const AlgCase& c : kAlgs) {
    SCOPED_TRACE(c.alg);
    TestSigner s = NewSigner(c);
    auto jwk = testing::PrivateJwk(s.key, c.alg);
    ASSERT_TRUE(jwk.has_value()) << jwk.error().ToString();
    const std::string out = dir_ + "/jose-" + c.alg + ".json";
    auto r = RunCommand("jose jws sig -I " + ShellQuote(payload) + " -k " +
                        ShellQuote(Write("key.jwk", *jwk)) + " -s " +
                        ShellQuote(Write("sig.json", SignatureTemplate(s, c.alg))) + " -o " +
                        ShellQuote(out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto verified = Verifier().Verify(Read(out), kNow);
    ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
    EXPECT_EQ(verified->payload, ToBytes(manifest));
    EXPECT_EQ(JwsAlgName(verified->signers.at(0).alg), c.alg);
  }
}

TEST_F(JoseInteropTest, JoseTwoSignerGeneralJwsMeetsTwoOfN) {
  TestSigner a = NewSigner(kAlgs[0]);
  TestSigner b = NewSigner(kAlgs[2]);
  auto ka = testing::PrivateJwk(a.key, "ES256");
  auto kb = testing::PrivateJwk(b.key, "PS256");
  ASSERT_TRUE(ka.has_value() && kb.has_value());
  const std::string out = dir_ + "/two.json";
  auto r = RunCommand(
      "jose jws sig -I " + ShellQuote(Write("m.json", testing::ValidManifestJson())) + " -k " +
      ShellQuote(Write("a.jwk", *ka)) + " -k " + ShellQuote(Write("b.jwk", *kb)) + " -s " +
      ShellQuote(Write("sa.json", SignatureTemplate(a, "ES256"))) + " -s " +
      ShellQuote(Write("sb.json", SignatureTemplate(b, "PS256"))) + " -o " + ShellQuote(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(json::parse(Read(out))["signatures"].size(), 2u);  // general serialization
  auto verified = Verifier(2).Verify(Read(out), kNow);
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_EQ(verified->signers.size(), 2u);
}

TEST_F(JoseInteropTest, OurJwsVerifiesWithJose) {
  const std::string manifest = testing::ValidManifestJson();
  for (const AlgCase& c : kAlgs) {
    SCOPED_TRACE(c.alg);
    TestSigner s = NewSigner(c);
    auto jws = SignManifest(AsBytes(manifest), *s.key.signer, s.chain);
    ASSERT_TRUE(jws.has_value()) << jws.error().ToString();
    auto pub = testing::PublicJwk(s.key, c.alg);
    ASSERT_TRUE(pub.has_value());
    const std::string pub_path = Write("pub.jwk", *pub);
    auto r = RunCommand("jose jws ver -i " + ShellQuote(Write("ours.json", *jws)) + " -k " +
                        ShellQuote(pub_path) + " -O -");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output, manifest);
    // The oracle is not a rubber stamp: a changed payload fails with jose too.
    json tampered = json::parse(*jws);
    tampered["payload"] = internal::Base64UrlEncode(AsBytes(testing::ValidManifestJson(43)));
    auto bad = RunCommand("jose jws ver -i " + ShellQuote(Write("bad.json", tampered.dump())) +
                          " -k " + ShellQuote(pub_path));
    EXPECT_NE(bad.exit_code, 0);
  }
}

TEST_F(JoseInteropTest, OurTwoSignerJwsVerifiesWithJoseForAllKeys) {
  TestSigner a = NewSigner(kAlgs[1]);
  TestSigner b = NewSigner(kAlgs[3]);
  auto one = SignManifest(AsBytes(testing::ValidManifestJson()), *a.key.signer, a.chain);
  ASSERT_TRUE(one.has_value());
  auto two = AddSignature(*one, *b.key.signer, b.chain);
  ASSERT_TRUE(two.has_value());
  auto pa = testing::PublicJwk(a.key, "ES384");
  auto pb = testing::PublicJwk(b.key, "RS256");
  ASSERT_TRUE(pa.has_value() && pb.has_value());
  const std::string set = R"({"keys":[)" + *pa + "," + *pb + "]}";
  auto r = RunCommand("jose jws ver -a -i " + ShellQuote(Write("two.json", *two)) + " -k " +
                      ShellQuote(Write("set.jwk", set)));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Verifier(2).Verify(*two, kNow).has_value());
}

}  // namespace
}  // namespace edgetrust::manifest::jws
