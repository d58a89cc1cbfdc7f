// Strict parsing of the device API bodies (THREATS E16): every malformed shape is a 4xx with a
// stable reason, never a crash or a silently different reading.
#include "enrollment/api/wire.h"

#include <gtest/gtest.h>

#include "enrollment/api/base64.h"

namespace edgetrust::enrollment::api {
namespace {

void ExpectReason(const Error& e, const std::string& reason, int status) {
  EXPECT_EQ(e.reason, reason) << e.ToString();
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument) << e.ToString();
  EXPECT_EQ(HttpStatusFor(e), status) << e.ToString();
}

template <typename T>
void ExpectRejected(const Result<T>& r, const std::string& reason, int status = 400) {
  ASSERT_FALSE(r.has_value()) << "expected " << reason;
  ExpectReason(r.error(), reason, status);
}

ChallengeRequest SampleChallenge() {
  return ChallengeRequest{"device-0001", Bytes{0, 2, 1, 2}, Bytes{0x30, 0x03}, Bytes{0, 1, 9}};
}

CompleteRequest SampleComplete() {
  CompleteRequest r;
  r.challenge_id = Bytes(16, 7);
  r.proof = Bytes(32, 8);
  r.evidence.quote.attest = Bytes{1, 2, 3};
  r.evidence.quote.signature = Bytes{4, 5};
  r.evidence.quote.pcrs["sha256"][0] = Bytes(32, 0);
  r.evidence.quote.pcrs["sha256"][7] = Bytes(32, 7);
  r.evidence.certify.attest = Bytes{9};
  r.evidence.certify.signature = Bytes{10};
  r.evidence.certify.identity_public = Bytes{0, 1, 11};
  r.evidence.csr = Bytes{0x30, 0};
  return r;
}

TEST(Base64UrlTest, RoundTripsAndIsStrict) {
  for (size_t n = 0; n < 10; ++n) {
    Bytes data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(0xf0 + i);
    auto back = Base64UrlDecode(Base64UrlEncode(data));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, data);
    auto std_back = Base64StdDecode(Base64StdEncode(data));
    ASSERT_TRUE(std_back.has_value());
    EXPECT_EQ(*std_back, data);
  }
  EXPECT_EQ(Base64UrlEncode(Bytes{0xfb, 0xff}), "-_8");
  EXPECT_EQ(Base64StdEncode(Bytes{0xfb, 0xff}), "+/8=");
  for (const char* bad : {"-_8=", "+/8", "A", "AB CD", "AB\nC", "AB=C", "QR"}) {
    EXPECT_FALSE(Base64UrlDecode(bad).has_value()) << bad;
  }
  EXPECT_EQ(Base64UrlDecode("QR").error().reason, "request.bad_base64");  // non-zero trailing bits
  for (const char* bad : {"-_8=", "+/8", "Zg=", "Zg===", "Z===", "Zh=="}) {
    EXPECT_FALSE(Base64StdDecode(bad).has_value()) << bad;
  }
}

TEST(RegistrationIdTest, FollowsTheProtocol) {
  EXPECT_TRUE(ValidRegistrationId("device-0001"));
  EXPECT_TRUE(ValidRegistrationId("a.b_c:d-e"));
  EXPECT_TRUE(ValidRegistrationId(std::string(128, 'a')));
  EXPECT_FALSE(ValidRegistrationId(""));
  EXPECT_FALSE(ValidRegistrationId(std::string(129, 'a')));
  EXPECT_FALSE(ValidRegistrationId(".hidden"));
  EXPECT_FALSE(ValidRegistrationId("-flag"));
  EXPECT_FALSE(ValidRegistrationId("a/b"));
  EXPECT_FALSE(ValidRegistrationId("caf\xc3\xa9"));
}

TEST(WireTest, ChallengeRequestRoundTrips) {
  const ChallengeRequest in = SampleChallenge();
  auto out = ParseChallengeRequest(ToJson(in));
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  EXPECT_EQ(out->registration_id, in.registration_id);
  EXPECT_EQ(out->ek_public, in.ek_public);
  EXPECT_EQ(out->ek_certificate, in.ek_certificate);
  EXPECT_EQ(out->ak_public, in.ak_public);

  ChallengeRequest no_cert = in;
  no_cert.ek_certificate.reset();
  auto out2 = ParseChallengeRequest(ToJson(no_cert));
  ASSERT_TRUE(out2.has_value());
  EXPECT_FALSE(out2->ek_certificate.has_value());
}

TEST(WireTest, CompleteRequestRoundTrips) {
  const CompleteRequest in = SampleComplete();
  auto out = ParseCompleteRequest(ToJson(in));
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  EXPECT_EQ(out->challenge_id, in.challenge_id);
  EXPECT_EQ(out->proof, in.proof);
  EXPECT_EQ(out->evidence.quote.pcrs, in.evidence.quote.pcrs);
  EXPECT_EQ(out->evidence.certify.identity_public, in.evidence.certify.identity_public);
  EXPECT_EQ(out->evidence.csr, in.evidence.csr);

  RenewPayload renew{in.evidence};
  auto renewed = ParseRenewPayload(ToJson(renew));
  ASSERT_TRUE(renewed.has_value()) << renewed.error().ToString();
  EXPECT_EQ(renewed->evidence.quote.attest, in.evidence.quote.attest);
  // A renew payload must not carry the complete-only members.
  ExpectRejected(ParseRenewPayload(ToJson(in)), "request.unknown_field");
}

TEST(WireTest, ResponsesRoundTrip) {
  ChallengeResponse c{Bytes(16, 1), Bytes{0, 1, 2},           Bytes{0, 1, 3},
                      Bytes(32, 4), "sha256:0,1,2,3,4,5,6,7", 60};
  auto c2 = ParseChallengeResponse(ToJson(c));
  ASSERT_TRUE(c2.has_value()) << c2.error().ToString();
  EXPECT_EQ(c2->pcr_selection, c.pcr_selection);
  EXPECT_EQ(c2->expires_in, 60);
  EXPECT_EQ(c2->encrypted_secret, c.encrypted_secret);

  EnrollmentResponse e{"device-0001", "-----BEGIN CERTIFICATE-----\n", "0a",
                       "2026-12-26T08:00:00Z"};
  auto e2 = ParseEnrollmentResponse(ToJson(e));
  ASSERT_TRUE(e2.has_value());
  EXPECT_EQ(e2->serial, "0a");

  auto err = ParseErrorBody(ToJson(ErrorBody{"quote.nonce_mismatch", "not trusted"}));
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->error, "quote.nonce_mismatch");
}

// --- E16 ---

TEST(WireTest, RejectsTruncatedJson) {
  const std::string body = ToJson(SampleComplete());
  for (size_t cut : {size_t{0}, size_t{1}, body.size() / 2, body.size() - 1}) {
    ExpectRejected(ParseCompleteRequest(body.substr(0, cut)), "request.malformed_json");
  }
}

TEST(WireTest, RejectsBadBase64) {
  ExpectRejected(
      ParseChallengeRequest(R"({"registration_id":"d","ek_public":"AA==","ak_public":"AAE"})"),
      "request.bad_base64");
  ExpectRejected(
      ParseChallengeRequest(R"({"registration_id":"d","ek_public":"AA+/","ak_public":"AAE"})"),
      "request.bad_base64");
  auto body = ToJson(SampleComplete());
  body.replace(body.find("\"proof\":\"") + 9, 1, "*");
  ExpectRejected(ParseCompleteRequest(body), "request.bad_base64");
}

TEST(WireTest, RejectsWrongTypes) {
  ExpectRejected(
      ParseChallengeRequest(R"({"registration_id":1,"ek_public":"AA","ak_public":"AA"})"),
      "request.wrong_type");
  ExpectRejected(ParseChallengeRequest(R"(["registration_id"])"), "request.wrong_type");
  ExpectRejected(ParseChallengeRequest(R"("text")"), "request.wrong_type");
  ExpectRejected(
      ParseChallengeRequest(R"({"registration_id":"d","ek_public":null,"ak_public":"AA"})"),
      "request.wrong_type");
  auto body = ToJson(SampleComplete());
  body.replace(body.find("\"csr\":\""), 7, "\"csr\":[\"");
  body.replace(body.find("\",\"proof\""), 1, "\"]");
  ExpectRejected(ParseCompleteRequest(body), "request.wrong_type");
  ExpectRejected(ParseChallengeResponse(R"({"challenge_id":"AA","credential":{"id_object":"AA",)"
                                        R"("encrypted_secret":"AA"},"nonce":"AA",)"
                                        R"("pcr_selection":"","expires_in":"60"})"),
                 "request.wrong_type");
  ExpectRejected(ParseChallengeResponse(R"({"challenge_id":"AA","credential":{"id_object":"AA",)"
                                        R"("encrypted_secret":"AA"},"nonce":"AA",)"
                                        R"("pcr_selection":"","expires_in":1.5})"),
                 "request.wrong_type");
}

TEST(WireTest, RejectsMissingAndUnknownFields) {
  ExpectRejected(ParseChallengeRequest(R"({"registration_id":"d","ek_public":"AA"})"),
                 "request.missing_field");
  ExpectRejected(ParseChallengeRequest(
                     R"({"registration_id":"d","ek_public":"AA","ak_public":"AA","admin":true})"),
                 "request.unknown_field");
  auto body = ToJson(SampleComplete());
  body.replace(body.find("\"identity_public\""), 0, "\"extra\":\"AA\",");
  ExpectRejected(ParseCompleteRequest(body), "request.unknown_field");
}

TEST(WireTest, RejectsDuplicateKeys) {
  // nlohmann would keep the last one; two readers of this body could disagree, so refuse it.
  ExpectRejected(
      ParseChallengeRequest(R"({"registration_id":"device-1","registration_id":"device-2",)"
                            R"("ek_public":"AA","ak_public":"AA"})"),
      "request.malformed_json");
  auto body = ToJson(SampleComplete());
  body.replace(body.find("\"signature\""), 0, "\"signature\":\"AA\",");
  ExpectRejected(ParseCompleteRequest(body), "request.malformed_json");
  // Same name in different objects is fine.
  EXPECT_TRUE(ParseCompleteRequest(ToJson(SampleComplete())).has_value());
}

TEST(WireTest, RejectsInvalidUtf8) {
  ExpectRejected(ParseChallengeRequest("{\"registration_id\":\"d\xff\",\"ek_public\":\"AA\","
                                       "\"ak_public\":\"AA\"}"),
                 "request.malformed_json");
  ExpectRejected(ParseChallengeRequest("{\"registration_id\":\"\xc3\",\"ek_public\":\"AA\","
                                       "\"ak_public\":\"AA\"}"),
                 "request.malformed_json");
  // Valid UTF-8 that is not a valid id is a different, specific error.
  ExpectRejected(ParseChallengeRequest("{\"registration_id\":\"caf\xc3\xa9\",\"ek_public\":\"AA\","
                                       "\"ak_public\":\"AA\"}"),
                 "request.bad_registration_id");
}

TEST(WireTest, RejectsOversizeAndDeepBodies) {
  std::string big = R"({"registration_id":"d","ek_public":")" + std::string(kMaxBodySize, 'A') +
                    R"(","ak_public":"AA"})";
  ExpectRejected(ParseChallengeRequest(big), "request.too_large", 413);
  std::string deep = R"({"registration_id":"d","ek_public":"AA","ak_public":"AA","x":)" +
                     std::string(5000, '[') + std::string(5000, ']') + "}";
  ExpectRejected(ParseChallengeRequest(deep), "request.malformed_json");
}

TEST(WireTest, RejectsBadPcrMaps) {
  auto with_pcrs = [](const std::string& pcrs) {
    auto body = ToJson(SampleComplete());
    const size_t start = body.find("\"pcrs\":") + 7;
    const size_t end = body.find("},\"signature\"", start) + 1;  // then comes signature
    body.replace(start, end - start, pcrs);
    return body;
  };
  ASSERT_TRUE(ParseCompleteRequest(with_pcrs(R"({"sha256":{"0":"AA"}})")).has_value());
  ExpectRejected(ParseCompleteRequest(with_pcrs(R"({"md5":{"0":"AA"}})")), "request.bad_value");
  ExpectRejected(ParseCompleteRequest(with_pcrs(R"({"sha256":{"24":"AA"}})")), "request.bad_value");
  ExpectRejected(ParseCompleteRequest(with_pcrs(R"({"sha256":{"07":"AA"}})")), "request.bad_value");
  ExpectRejected(ParseCompleteRequest(with_pcrs(R"({"sha256":{"-1":"AA"}})")), "request.bad_value");
  ExpectRejected(ParseCompleteRequest(with_pcrs(R"({"sha256":{"0":5}})")), "request.wrong_type");
  ExpectRejected(ParseCompleteRequest(with_pcrs(R"({"sha256":["AA"]})")), "request.wrong_type");
}

TEST(HttpStatusTest, FollowsTheProtocolTable) {
  auto status = [](ErrorCode code, const char* reason) {
    return HttpStatusFor(Error{code, reason, "", 0});
  };
  EXPECT_EQ(status(ErrorCode::kInvalidArgument, "request.malformed_json"), 400);
  EXPECT_EQ(status(ErrorCode::kInvalidArgument, "tpm.malformed"), 400);
  EXPECT_EQ(status(ErrorCode::kInvalidArgument, "csr.malformed"), 400);
  EXPECT_EQ(status(ErrorCode::kPermissionDenied, "quote.nonce_mismatch"), 403);
  EXPECT_EQ(status(ErrorCode::kInvalidArgument, "credential.unsupported_ek"), 403);
  EXPECT_EQ(status(ErrorCode::kPermissionDenied, "jws.bad_nonce"), 403);
  EXPECT_EQ(status(ErrorCode::kNotFound, "challenge.unknown"), 404);
  EXPECT_EQ(status(ErrorCode::kNotFound, "device.unknown"), 404);
  EXPECT_EQ(status(ErrorCode::kFailedPrecondition, "enrollment.registration_id_taken"), 409);
  EXPECT_EQ(status(ErrorCode::kFailedPrecondition, "challenge.expired"), 410);
  EXPECT_EQ(status(ErrorCode::kFailedPrecondition, "challenge.used"), 410);
  EXPECT_EQ(status(ErrorCode::kInvalidArgument, "request.too_large"), 413);
  EXPECT_EQ(status(ErrorCode::kResourceExhausted, "challenge.capacity"), 503);
  EXPECT_EQ(status(ErrorCode::kUnavailable, "store.unavailable"), 503);
  EXPECT_EQ(status(ErrorCode::kInternal, "quote.whatever"), 500);
  EXPECT_EQ(status(ErrorCode::kFailedPrecondition, "ca.expired"), 500);
  EXPECT_EQ(status(ErrorCode::kInvalidArgument, "cert.malformed"), 400);
  EXPECT_EQ(status(ErrorCode::kPermissionDenied, "ek.cert_untrusted"), 403);
  const Error e{ErrorCode::kPermissionDenied, "quote.bad_signature", "TPM_RC 0x1234 secret", 0};
  EXPECT_EQ(ClientMessage(e).find("0x1234"), std::string::npos);
  EXPECT_FALSE(ClientMessage(e).empty());
}

}  // namespace
}  // namespace edgetrust::enrollment::api
