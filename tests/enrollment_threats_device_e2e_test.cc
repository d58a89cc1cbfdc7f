// THREATS E14-E17 against the running edgetrust-enrolld: blocked devices, signed device
// requests, malformed input and the operator API without operator credentials.
#include <gtest/gtest.h>

#include "tests/enrollment_threats_e2e.h"

namespace edgetrust::e2e {
namespace {

// ---------------------------------------------------------------- E14: blocked devices

class E14 : public ThreatsE2e {
 protected:
  void CheckBlocked(const std::string& action, const std::string& reason) {
    auto device = EnrolledDevice("e14-" + action);
    ASSERT_NE(device, nullptr);
    ASSERT_TRUE(DeviceAction(device->id(), action));
    CheckChallengeRejected(*device, 403, reason, 1, device->enrollment().serial);
  }
};

TEST_F(E14, E14_DisabledDeviceCannotReEnroll) { CheckBlocked("disable", "device.disabled"); }
TEST_F(E14, E14_RevokedDeviceCannotReEnroll) { CheckBlocked("revoke", "device.revoked"); }
TEST_F(E14, E14_RetiredDeviceCannotReEnroll) { CheckBlocked("retire", "device.retired"); }

TEST_F(E14, E14_DisabledIndividualEnrollment) {
  auto device = RegisteredDevice("e14-enrollment");
  ASSERT_NE(device, nullptr);
  nlohmann::json body{{"registration_id", device->id()},
                      {"ek_public", api::Base64UrlEncode(device->ek_public().Marshal())},
                      {"enabled", false}};
  OperatorAnswer put =
      Operator("PUT", "/v1/operator/enrollments/individual/" + device->id(), body.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  CheckChallengeRejected(*device, 403, "enrollment.disabled");
}

// ---------------------------------------------------------------- E15: signed requests

class E15 : public ThreatsE2e {
 protected:
  void CheckRenewRejected(const TpmDevice& device, const std::string& body, int status,
                          const std::string& reason, const std::string& path = "") {
    CheckRejected(path.empty() ? "/v1/devices/" + device.id() + "/renew" : path, body, status,
                  reason, device.id(), "renew", 1, device.enrollment().serial);
  }
};

TEST_F(E15, E15_NonceNeverIssued) {
  auto device = EnrolledDevice("e15-bad");
  ASSERT_NE(device, nullptr);
  auto body = device->RenewBody(api::Base64UrlEncode(*RandomBytes(16)));
  ASSERT_TRUE(body.has_value());
  CheckRenewRejected(*device, *body, 403, "jws.bad_nonce");
}

TEST_F(E15, E15_NonceReused) {
  auto device = EnrolledDevice("e15-reuse");
  ASSERT_NE(device, nullptr);
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  auto body = device->RenewBody(*nonce);
  ASSERT_TRUE(body.has_value());
  Answer first = Post("/v1/devices/" + device->id() + "/renew", *body);
  ASSERT_EQ(first.status, 200) << first.body;
  auto renewed = api::ParseEnrollmentResponse(first.body);
  ASSERT_TRUE(renewed.has_value());
  device->set_enrollment(*renewed);
  CheckRejected("/v1/devices/" + device->id() + "/renew", *body, 403, "jws.bad_nonce", device->id(),
                "renew", 2, renewed->serial);
}

TEST_F(E15, E15_NonceMissing) {
  auto device = EnrolledDevice("e15-missing");
  ASSERT_NE(device, nullptr);
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  auto body = device->RenewBody(*nonce);
  ASSERT_TRUE(body.has_value());
  // Re-sign a header without "nonce" with the TPM identity key.
  auto jws = api::ParseFlattenedJws(*body);
  ASSERT_TRUE(jws.has_value());
  Bytes header_bytes = *api::Base64UrlDecode(jws->protected_b64);
  auto header = nlohmann::json::parse(std::string(header_bytes.begin(), header_bytes.end()));
  header.erase("nonce");
  jws->protected_b64 = api::Base64UrlEncode(AsBytes(header.dump()));
  {
    auto keys = device->Load();
    ASSERT_TRUE(keys.has_value());
    auto signer = attestation::TpmSigner::Create(tpm(), keys->identity, device->identity_public());
    ASSERT_TRUE(signer.has_value());
    auto digest = Digest(HashAlgorithm::kSha256, AsBytes(api::SigningInput(*jws)));
    auto der = (*signer)->Sign(*digest);
    ASSERT_TRUE(der.has_value());
    jws->signature_b64 = api::Base64UrlEncode(*api::EcdsaDerToRaw(*der, 32));
  }
  Answer answer = Post("/v1/devices/" + device->id() + "/renew", api::ToJson(*jws));
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(answer.reason, "jws.malformed") << answer.body;
  EXPECT_TRUE(NothingIssued(device->id(), 1, device->enrollment().serial));
  EXPECT_TRUE(AuditHas(device->id(), "renew", "jws.malformed"));
}

TEST_F(E15, E15_AnotherDevicesCertificate) {
  auto victim = EnrolledDevice("e15-victim");
  ASSERT_NE(victim, nullptr);
  auto attacker = EnrolledDevice("e15-attacker");
  ASSERT_NE(attacker, nullptr);
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  const std::string path = "/v1/devices/" + victim->id() + "/renew";
  auto body = attacker->RenewBody(*nonce, "", path);
  ASSERT_TRUE(body.has_value());
  CheckRenewRejected(*victim, *body, 403, "jws.not_current_cert", path);
}

TEST_F(E15, E15_RevokedCertificate) {
  auto device = EnrolledDevice("e15-revoked");
  ASSERT_NE(device, nullptr);
  ASSERT_TRUE(DeviceAction(device->id(), "revoke"));
  auto nonce = client().NewNonce();
  ASSERT_TRUE(nonce.has_value());
  auto body = device->RenewBody(*nonce);
  ASSERT_TRUE(body.has_value());
  CheckRenewRejected(*device, *body, 403, "jws.revoked");
}

// ---------------------------------------------------------------- E16: malformed input

class E16 : public ThreatsE2e {
 protected:
  void TearDown() override {
    Answer health = Get("/healthz");
    EXPECT_EQ(health.status, 200) << "service no longer healthy: " << health.body;
    EXPECT_NE(health.body.find("ok"), std::string::npos);
    ThreatsE2e::TearDown();
  }
  // A valid challenge request (registered device) whose EK public `mangle` damages.
  template <typename Mangle>
  void CheckBadEk(std::string_view prefix, Mangle mangle, const std::string& reason) {
    auto device = RegisteredDevice(prefix);
    ASSERT_NE(device, nullptr);
    auto request = device->ChallengeRequest();
    ASSERT_TRUE(request.has_value());
    mangle(request->ek_public);
    CheckRejected(kChallenge, api::ToJson(*request), 400, reason, device->id(), "challenge");
  }
  void CheckBadBody(const std::string& body, int status, const std::string& reason) {
    const int64_t before = CertificateCount();
    Answer answer = Post(kChallenge, body);
    EXPECT_TRUE(Rejected(answer, status, reason));
    EXPECT_EQ(CertificateCount(), before);
  }
};

TEST_F(E16, E16_TruncatedTpm2bPublic) {
  CheckBadEk(
      "e16-truncated", [](Bytes& ek) { ek.resize(ek.size() / 2); }, "tpm.malformed");
}

TEST_F(E16, E16_SizeFieldPastTheBuffer) {
  CheckBadEk(
      "e16-length",
      [](Bytes& ek) {
        ek[0] = 0xff;
        ek[1] = 0xff;
      },
      "tpm.malformed");
}

TEST_F(E16, E16_InvalidBase64) {
  CheckBadBody(R"({"registration_id":"e16-b64","ek_public":"!!not base64!!","ak_public":"AAAA"})",
               400, "request.bad_base64");
}

TEST_F(E16, E16_JsonOfTheWrongShape) {
  CheckBadBody(R"(["registration_id","e16"])", 400, "request.wrong_type");
  CheckBadBody(R"({"registration_id":42,"ek_public":"AAAA","ak_public":"AAAA"})", 400,
               "request.wrong_type");
  CheckBadBody(R"({"registration_id":"e16-x","ek_public":"AAAA","ak_public":"AAAA","x":1})", 400,
               "request.unknown_field");
  CheckBadBody(R"({"registration_id":"e16-x")", 400, "request.malformed_json");
}

TEST_F(E16, E16_DuplicateKeys) {
  CheckBadBody(
      R"({"registration_id":"e16-a","registration_id":"e16-b","ek_public":"AAAA","ak_public":"AAAA"})",
      400, "request.malformed_json");
}

TEST_F(E16, E16_HundredKibBody) {
  std::string body = R"({"registration_id":")" + std::string(100 * 1024, 'a') + R"("})";
  CheckBadBody(body, 413, "request.too_large");
  Answer complete = Post(kComplete, body);
  EXPECT_TRUE(Rejected(complete, 413, "request.too_large"));
}

TEST_F(E16, E16_MalformedAttestInComplete) {
  CheckTamperedComplete(
      "e16-attest",
      [](TpmDevice&, const api::ChallengeResponse&, api::CompleteRequest& c) {
        c.evidence.quote.attest.resize(10);
      },
      400, "quote.malformed");
}

// ---------------------------------------------------------------- E17: operator credentials

TEST_F(ThreatsE2e, E17_OperatorApiWithoutClientCertificate) {
  const std::string id = UniqueId("e17-none");
  nlohmann::json body{{"group_id", id}, {"manufacturer_ca_pem", "x"}};
  OperatorAnswer list = Operator("GET", "/v1/operator/devices", "", nullptr, "-");
  EXPECT_TRUE(list.curl_exit != 0 || list.status / 100 != 2)
      << "curl " << list.curl_exit << " HTTP " << list.status << " " << list.body;
  OperatorAnswer write =
      Operator("POST", "/v1/operator/enrollments/groups", body.dump(), nullptr, "-");
  EXPECT_TRUE(write.curl_exit != 0 || write.status / 100 != 2) << write.status << write.body;
  EXPECT_EQ(Operator("GET", "/v1/operator/enrollments/groups/" + id).status, 404);
}

TEST_F(ThreatsE2e, E17_OperatorApiWithAnUntrustedClientCertificate) {
  const std::string id = UniqueId("e17-untrusted");
  nlohmann::json body{{"group_id", id}, {"manufacturer_ca_pem", "x"}};
  OperatorAnswer list =
      Operator("GET", "/v1/operator/devices", "", nullptr, enrolld().untrusted_client_cert_path(),
               enrolld().untrusted_client_key_path());
  EXPECT_TRUE(list.curl_exit != 0 || list.status / 100 != 2)
      << "curl " << list.curl_exit << " HTTP " << list.status << " " << list.body;
  OperatorAnswer write =
      Operator("POST", "/v1/operator/enrollments/groups", body.dump(), nullptr,
               enrolld().untrusted_client_cert_path(), enrolld().untrusted_client_key_path());
  EXPECT_TRUE(write.curl_exit != 0 || write.status / 100 != 2) << write.status << write.body;
  EXPECT_EQ(Operator("GET", "/v1/operator/enrollments/groups/" + id).status, 404);
  // The device listener does not serve the operator API either.
  Answer device_side = Get("/v1/operator/devices");
  EXPECT_EQ(device_side.status, 404) << device_side.body;
}

}  // namespace
}  // namespace edgetrust::e2e
