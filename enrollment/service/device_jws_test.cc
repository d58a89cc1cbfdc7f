// Signed device requests (THREATS E15) through EnrollmentService::Renew: the JWS checks of
// device_jws.h, each with its reason, nothing issued, and an audit record; plus the renewal's
// own fresh evidence.
#include "enrollment/service/device_jws.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "certs/testing/software_signer.h"
#include "common/crypto.h"
#include "enrollment/api/base64.h"
#include "enrollment/api/jws.h"
#include "enrollment/service/testing/service_fixture.h"

namespace edgetrust::enrollment::service {
namespace {

using testing::DefaultPcrs;
using testing::SimDevice;

class DeviceJwsTest : public testing::ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    AddIndividual(device_);
    auto enrolled = Enroll(device_);
    ASSERT_TRUE(enrolled.has_value()) << enrolled.error().ToString();
    serial_ = enrolled->serial;
    auto leaf = certs::Certificate::FromPem(enrolled->certificate_chain_pem);
    ASSERT_TRUE(leaf.has_value());
    leaf_der_ = leaf->der();
  }

  std::string Path(const std::string& id) const { return "/v1/devices/" + id + "/renew"; }

  // Craft signs an arbitrary protected header (JSON text) and payload with `signer`.
  static std::string Craft(const certs::Signer& signer, const std::string& header,
                           const std::string& payload, size_t coordinate = 32) {
    api::FlattenedJws jws;
    jws.protected_b64 = api::Base64UrlEncode(AsBytes(header));
    jws.payload_b64 = api::Base64UrlEncode(AsBytes(payload));
    auto digest = Digest(SignatureHash(signer.algorithm()), AsBytes(api::SigningInput(jws)));
    auto der = signer.Sign(*digest);
    auto raw = api::EcdsaDerToRaw(*der, coordinate);
    jws.signature_b64 = api::Base64UrlEncode(*raw);
    return api::ToJson(jws);
  }

  std::string Header(const std::string& alg, const std::string& nonce, const std::string& url,
                     const Bytes& leaf) const {
    return nlohmann::json{
        {"alg", alg}, {"nonce", nonce}, {"url", url}, {"x5c", {api::Base64StdEncode(leaf)}}}
        .dump();
  }

  std::string RenewPayload(const std::string& nonce) const {
    const Bytes q = *Digest(HashAlgorithm::kSha256,
                            Concat({AsBytes("edgetrust-renew-v1"), *api::Base64UrlDecode(nonce)}));
    return api::ToJson(api::RenewPayload{device_.Evidence(q, DefaultPcrs())});
  }

  void ExpectRenewRejected(const std::string& body, ErrorCode code, const std::string& reason,
                           const std::string& id = "device-jws") {
    ExpectRejected(service_->Renew(id, Path(id), body), code, reason, "device-jws", serial_);
  }

  SimDevice device_{"device-jws"};
  std::string serial_;
  Bytes leaf_der_;
};

TEST_F(DeviceJwsTest, RenewIssuesANewCurrentCertificate) {
  const std::string body = SignedRenew(device_, leaf_der_, Path("device-jws"));
  auto renewed = service_->Renew("device-jws", Path("device-jws"), body);
  ASSERT_TRUE(renewed.has_value()) << renewed.error().ToString();
  EXPECT_NE(renewed->serial, serial_);
  EXPECT_EQ(store_->GetDevice("device-jws")->current_serial, renewed->serial);
  // The old certificate stays valid but is no longer current.
  const std::string old = SignedRenew(device_, leaf_der_, Path("device-jws"));
  ExpectRejected(service_->Renew("device-jws", Path("device-jws"), old),
                 ErrorCode::kPermissionDenied, "jws.not_current_cert", "device-jws",
                 renewed->serial);
  EXPECT_EQ(metrics_->decisions().Value({"renew", "ok", "ok"}), 1);
}

TEST_F(DeviceJwsTest, E15_ReusedNonce) {
  const std::string body = SignedRenew(device_, leaf_der_, Path("device-jws"));
  auto first = service_->Renew("device-jws", Path("device-jws"), body);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  serial_ = first->serial;
  ExpectRenewRejected(body, ErrorCode::kPermissionDenied, "jws.bad_nonce");
}

TEST_F(DeviceJwsTest, E15_NonceNotIssuedHere) {
  const std::string nonce = api::Base64UrlEncode(Bytes(16, 0x42));
  ExpectRenewRejected(
      Craft(device_.identity_signer(), Header("ES256", nonce, Path("device-jws"), leaf_der_),
            RenewPayload(nonce)),
      ErrorCode::kPermissionDenied, "jws.bad_nonce");
}

TEST_F(DeviceJwsTest, E15_ExpiredNonce) {
  const std::string body = SignedRenew(device_, leaf_der_, Path("device-jws"));
  Advance(301);
  ExpectRenewRejected(body, ErrorCode::kPermissionDenied, "jws.bad_nonce");
}

TEST_F(DeviceJwsTest, E15_MissingNonce) {
  const std::string header =
      nlohmann::json{
          {"alg", "ES256"}, {"url", Path("device-jws")}, {"x5c", {api::Base64StdEncode(leaf_der_)}}}
          .dump();
  ExpectRenewRejected(Craft(device_.identity_signer(), header, "{}"), ErrorCode::kInvalidArgument,
                      "jws.malformed");
}

TEST_F(DeviceJwsTest, E15_UrlOfAnotherEndpoint) {
  const std::string body = SignedRenew(device_, leaf_der_, "/v1/devices/device-jws/report");
  ExpectRenewRejected(body, ErrorCode::kPermissionDenied, "jws.url_mismatch");
}

TEST_F(DeviceJwsTest, E15_AnotherDevicesCertificate) {
  SimDevice other("device-other");
  AddIndividual(other);
  auto enrolled = Enroll(other);
  ASSERT_TRUE(enrolled.has_value());
  auto other_leaf = certs::Certificate::FromPem(enrolled->certificate_chain_pem);
  // `other` signs a renewal of device-jws with its own, valid certificate.
  const std::string body = SignedRenew(other, other_leaf->der(), Path("device-jws"));
  ExpectRenewRejected(body, ErrorCode::kPermissionDenied, "jws.not_current_cert");
}

TEST_F(DeviceJwsTest, E15_RevokedCertificate) {
  store::AuditRecord audit;
  audit.actor = "operator:test";
  audit.action = "revoke";
  audit.subject = serial_;
  audit.outcome = "ok";
  audit.reason = "ok";
  ASSERT_TRUE(store_->RevokeCertificate(serial_, audit).has_value());
  ExpectRenewRejected(SignedRenew(device_, leaf_der_, Path("device-jws")),
                      ErrorCode::kPermissionDenied, "jws.revoked");
}

TEST_F(DeviceJwsTest, E15_RevokedDevice) {
  SetDeviceStatus("device-jws", store::DeviceStatus::kDisabled);
  ExpectRenewRejected(SignedRenew(device_, leaf_der_, Path("device-jws")),
                      ErrorCode::kPermissionDenied, "device.disabled");
}

TEST_F(DeviceJwsTest, E15_UnknownDevice) {
  ExpectRejected(
      service_->Renew("ghost", Path("ghost"), SignedRenew(device_, leaf_der_, Path("ghost"))),
      ErrorCode::kNotFound, "device.unknown", "device-jws", serial_);
}

TEST_F(DeviceJwsTest, E15_SelfMadeCertificate) {
  // A certificate the device CA never issued, for the device's own key.
  auto rogue_signer = certs::testing::SoftwareSigner::Create(KeyType::kEcP256);
  ASSERT_TRUE(rogue_signer.has_value());
  auto rogue_ca = certs::MakeSelfSignedCa(**rogue_signer, "rogue", std::chrono::hours(24), now());
  ASSERT_TRUE(rogue_ca.has_value());
  auto authority = certs::CertificateAuthority::Create(
      std::shared_ptr<const certs::Signer>(std::move(*rogue_signer)), {*rogue_ca});
  ASSERT_TRUE(authority.has_value());
  auto rogue_leaf =
      authority->Issue(device_.identity_signer().public_key(),
                       certs::LeafProfile{"device-jws", {}, {}, std::chrono::hours(1)}, now());
  ASSERT_TRUE(rogue_leaf.has_value());
  ExpectRenewRejected(SignedRenew(device_, rogue_leaf->der(), Path("device-jws")),
                      ErrorCode::kPermissionDenied, "jws.untrusted_cert");
}

TEST_F(DeviceJwsTest, E15_AlgNone) {
  const std::string nonce = *service_->NewNonce();
  const std::string header = Header("none", nonce, Path("device-jws"), leaf_der_);
  api::FlattenedJws jws{api::Base64UrlEncode(AsBytes(header)),
                        api::Base64UrlEncode(AsBytes(RenewPayload(nonce))), ""};
  ExpectRenewRejected(api::ToJson(jws), ErrorCode::kPermissionDenied, "jws.bad_alg");
}

TEST_F(DeviceJwsTest, E15_AlgHmac) {
  const std::string nonce = *service_->NewNonce();
  ExpectRenewRejected(
      Craft(device_.identity_signer(), Header("HS256", nonce, Path("device-jws"), leaf_der_),
            RenewPayload(nonce)),
      ErrorCode::kPermissionDenied, "jws.bad_alg");
}

TEST_F(DeviceJwsTest, E15_AlgThatDoesNotFitTheKey) {
  const std::string nonce = *service_->NewNonce();
  ExpectRenewRejected(
      Craft(device_.identity_signer(), Header("ES384", nonce, Path("device-jws"), leaf_der_),
            RenewPayload(nonce)),
      ErrorCode::kPermissionDenied, "jws.bad_alg");
}

TEST_F(DeviceJwsTest, E15_UnknownCrit) {
  const std::string nonce = *service_->NewNonce();
  const std::string header = nlohmann::json{
      {"alg", "ES256"},
      {"nonce", nonce},
      {"url", Path("device-jws")},
      {"x5c", {api::Base64StdEncode(leaf_der_)}},
      {"crit", {"exp"}},
      {"exp", 1}}.dump();
  ExpectRenewRejected(Craft(device_.identity_signer(), header, RenewPayload(nonce)),
                      ErrorCode::kPermissionDenied, "jws.unknown_crit");
}

TEST_F(DeviceJwsTest, E15_TamperedPayload) {
  const std::string nonce = *service_->NewNonce();
  const std::string body =
      Craft(device_.identity_signer(), Header("ES256", nonce, Path("device-jws"), leaf_der_),
            RenewPayload(nonce));
  auto jws = api::ParseFlattenedJws(body);
  ASSERT_TRUE(jws.has_value());
  jws->payload_b64 = api::Base64UrlEncode(AsBytes(RenewPayload(*service_->NewNonce())));
  ExpectRenewRejected(api::ToJson(*jws), ErrorCode::kPermissionDenied, "jws.bad_signature");
}

TEST_F(DeviceJwsTest, E15_SignatureByAnotherKey) {
  SimDevice other("device-jws");
  const std::string nonce = *service_->NewNonce();
  ExpectRenewRejected(
      Craft(other.identity_signer(), Header("ES256", nonce, Path("device-jws"), leaf_der_),
            RenewPayload(nonce)),
      ErrorCode::kPermissionDenied, "jws.bad_signature");
}

TEST_F(DeviceJwsTest, E15_DerSignatureInsteadOfRaw) {
  const std::string nonce = *service_->NewNonce();
  api::FlattenedJws jws;
  jws.protected_b64 =
      api::Base64UrlEncode(AsBytes(Header("ES256", nonce, Path("device-jws"), leaf_der_)));
  jws.payload_b64 = api::Base64UrlEncode(AsBytes(RenewPayload(nonce)));
  auto digest = Digest(HashAlgorithm::kSha256, AsBytes(api::SigningInput(jws)));
  jws.signature_b64 = api::Base64UrlEncode(*device_.identity_signer().Sign(*digest));
  ExpectRenewRejected(api::ToJson(jws), ErrorCode::kPermissionDenied, "jws.bad_signature");
}

TEST_F(DeviceJwsTest, E15_MalformedBodies) {
  for (const std::string& body :
       {std::string("{"), std::string("[]"), std::string(R"({"protected":"e30"})"),
        std::string(R"({"protected":"e30","payload":"","signature":"","x":""})")}) {
    ExpectRenewRejected(body, ErrorCode::kInvalidArgument, "jws.malformed");
  }
}

TEST_F(DeviceJwsTest, RenewEvidenceMustUseTheRenewQualifyingData) {
  const std::string nonce = *service_->NewNonce();
  // Evidence over the bare nonce bytes instead of SHA-256("edgetrust-renew-v1" || nonce).
  const std::string payload =
      api::ToJson(api::RenewPayload{device_.Evidence(*api::Base64UrlDecode(nonce), DefaultPcrs())});
  auto body =
      api::SignJws(device_.identity_signer(), nonce, Path("device-jws"), {leaf_der_}, payload);
  ASSERT_TRUE(body.has_value());
  ExpectRenewRejected(*body, ErrorCode::kPermissionDenied, "quote.nonce_mismatch");
}

TEST_F(DeviceJwsTest, RenewWithADisabledEnrollment) {
  AddIndividual(device_, /*enabled=*/false);
  ExpectRenewRejected(SignedRenew(device_, leaf_der_, Path("device-jws")),
                      ErrorCode::kPermissionDenied, "enrollment.disabled");
}

TEST(JwsEncodingTest, EcdsaRawAndDerRoundTrip) {
  auto signer = certs::testing::SoftwareSigner::Create(KeyType::kEcP384);
  ASSERT_TRUE(signer.has_value());
  auto digest = Digest(HashAlgorithm::kSha384, AsBytes("x"));
  auto der = (*signer)->Sign(*digest);
  ASSERT_TRUE(der.has_value());
  auto raw = api::EcdsaDerToRaw(*der, 48);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 96u);
  auto back = api::EcdsaRawToDer(*raw, 48);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE((*signer)
                  ->public_key()
                  .Verify(SignatureScheme::kEcdsaDer, HashAlgorithm::kSha384, AsBytes("x"), *back)
                  .has_value());
  EXPECT_EQ(api::EcdsaRawToDer(Bytes(95), 48).error().reason, "jws.bad_signature");
}

TEST(JwsEncodingTest, SignJwsWithRsaPssAndP384) {
  for (auto [type, alg] : {std::pair{KeyType::kRsa, certs::SignatureAlgorithm::kRsaPssSha256},
                           std::pair{KeyType::kEcP384, certs::SignatureAlgorithm::kEcdsaSha384}}) {
    auto signer = certs::testing::SoftwareSigner::Create(type, alg);
    ASSERT_TRUE(signer.has_value()) << signer.error().ToString();
    auto body = api::SignJws(**signer, "nonce", "/v1/x", {Bytes{1, 2, 3}}, "{}");
    ASSERT_TRUE(body.has_value()) << body.error().ToString();
    auto jws = api::ParseFlattenedJws(*body);
    ASSERT_TRUE(jws.has_value());
    auto header = api::ParseProtectedHeader(*jws);
    ASSERT_TRUE(header.has_value()) << header.error().ToString();
    EXPECT_EQ(header->alg, type == KeyType::kRsa ? api::JwsAlg::kPs256 : api::JwsAlg::kEs384);
    EXPECT_EQ(header->x5c.front(), (Bytes{1, 2, 3}));
  }
  // RSA PKCS#1 v1.5 (RS256) has no place in this protocol.
  auto rs = certs::testing::SoftwareSigner::Create(KeyType::kRsa,
                                                   certs::SignatureAlgorithm::kRsaPkcs1Sha256);
  ASSERT_TRUE(rs.has_value());
  EXPECT_EQ(api::SignJws(**rs, "n", "/", {}, "{}").error().reason, "jws.bad_alg");
}

}  // namespace
}  // namespace edgetrust::enrollment::service
