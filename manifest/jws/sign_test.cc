// SignManifest and AddSignature: the general serialization they write, their argument checks,
// and k-of-n signing one signer at a time.
#include "manifest/jws/sign.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "manifest/jws/base64.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/testing/test_pki.h"

namespace edgetrust::manifest::jws {
namespace {

using json = nlohmann::json;
using testing::TestPki;
using testing::TestSigner;

constexpr std::time_t kNow = 1790000000;

class SignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = TestPki::Create(kNow);
    ASSERT_TRUE(p.has_value());
    pki_.emplace(std::move(*p));
  }
  TestSigner NewSigner(KeyType type = KeyType::kEcP256) {
    auto s = pki_->NewSigner(type);
    EXPECT_TRUE(s.has_value());
    return std::move(*s);
  }
  std::optional<TestPki> pki_;
};

TEST_F(SignTest, WritesGeneralSerializationOverTheExactBytes) {
  TestSigner s = NewSigner(KeyType::kEcP384);
  const std::string payload = "{ \"any\" : \"bytes\" }\n";
  auto jws = SignManifest(AsBytes(payload), *s.key.signer, s.chain);
  ASSERT_TRUE(jws.has_value()) << jws.error().ToString();
  json doc = json::parse(*jws);
  EXPECT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc["payload"], internal::Base64UrlEncode(AsBytes(payload)));
  ASSERT_EQ(doc["signatures"].size(), 1u);
  auto header_bytes =
      internal::Base64UrlDecode(doc["signatures"][0]["protected"].get<std::string>());
  ASSERT_TRUE(header_bytes.has_value());
  json header = json::parse(header_bytes->begin(), header_bytes->end());
  EXPECT_EQ(header["alg"], "ES384");
  ASSERT_EQ(header["x5c"].size(), 2u);
  EXPECT_EQ(header["x5c"][0], internal::Base64StdEncode(s.chain[0].der()));
  auto envelope = ParseJwsEnvelope(*jws);
  ASSERT_TRUE(envelope.has_value());
  EXPECT_EQ(envelope->signatures[0].signature.size(), 96u);  // raw r||s, not DER
}

TEST_F(SignTest, ChecksItsArguments) {
  TestSigner a = NewSigner();
  TestSigner b = NewSigner();
  const Bytes payload = ToBytes("{}");
  EXPECT_EQ(SignManifest(payload, *a.key.signer, b.chain).error().reason, "jws.key_mismatch");
  EXPECT_EQ(SignManifest(payload, *a.key.signer, {}).error().reason, "jws.bad_chain");
  std::vector<certs::Certificate> five(5, a.chain[0]);
  EXPECT_EQ(SignManifest(payload, *a.key.signer, five).error().reason, "jws.bad_chain");
  EXPECT_EQ(SignManifest(Bytes(300 * 1024, ' '), *a.key.signer, a.chain).error().reason,
            "jws.too_large");
}

TEST_F(SignTest, AddSignatureAppendsAndKeepsExistingMembers) {
  TestSigner a = NewSigner();
  TestSigner b = NewSigner(KeyType::kRsa);
  auto one = SignManifest(ToBytes("{}"), *a.key.signer, a.chain);
  ASSERT_TRUE(one.has_value());
  auto two = AddSignature(*one, *b.key.signer, b.chain);
  ASSERT_TRUE(two.has_value()) << two.error().ToString();
  json before = json::parse(*one);
  json after = json::parse(*two);
  EXPECT_EQ(after["payload"], before["payload"]);
  ASSERT_EQ(after["signatures"].size(), 2u);
  EXPECT_EQ(after["signatures"][0], before["signatures"][0]);
  // A flattened JWS (as jose writes one) can be extended too.
  json flat = {{"payload", before["payload"]},
               {"protected", before["signatures"][0]["protected"]},
               {"signature", before["signatures"][0]["signature"]}};
  auto from_flat = AddSignature(flat.dump(), *b.key.signer, b.chain);
  ASSERT_TRUE(from_flat.has_value()) << from_flat.error().ToString();
  EXPECT_EQ(json::parse(*from_flat)["signatures"].size(), 2u);
}

TEST_F(SignTest, AddSignatureRefusesDuplicatesAndTooMany) {
  TestSigner a = NewSigner();
  auto one = SignManifest(ToBytes("{}"), *a.key.signer, a.chain);
  ASSERT_TRUE(one.has_value());
  auto again = AddSignature(*one, *a.key.signer, a.chain);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().reason, "jws.duplicate_signer");
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  std::string jws = *one;
  for (size_t i = 1; i < kMaxSignatures; ++i) {
    TestSigner s = NewSigner();
    auto next = AddSignature(jws, *s.key.signer, s.chain);
    ASSERT_TRUE(next.has_value()) << next.error().ToString();
    jws = *next;
  }
  TestSigner extra = NewSigner();
  EXPECT_EQ(AddSignature(jws, *extra.key.signer, extra.chain).error().reason,
            "jws.too_many_signatures");
  EXPECT_EQ(AddSignature("{}", *extra.key.signer, extra.chain).error().reason, "jws.no_signatures");
}

TEST_F(SignTest, EcdsaDerToJoseRefusesJunk) {
  EXPECT_EQ(internal::EcdsaDerToJose(ToBytes("junk"), JwsAlg::kEs256).error().reason,
            "jws.bad_signature");
}

}  // namespace
}  // namespace edgetrust::manifest::jws
