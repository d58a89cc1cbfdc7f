// Strict parsing of the local API's bodies: what ToJson writes, Parse reads back unchanged;
// every other shape is kInvalidArgument with a stable "request.*" reason.
#include "daemon/api/wire.h"

#include <gtest/gtest.h>

#include <string>

namespace edgetrust::daemon::api {
namespace {

template <typename T>
void ExpectRejected(const Result<T>& r, const std::string& reason) {
  ASSERT_FALSE(r.has_value()) << "expected " << reason;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().ToString();
  EXPECT_EQ(r.error().reason, reason) << r.error().ToString();
}

StatusResponse FullStatus() {
  StatusResponse s;
  s.state = DeviceState::kOffline;
  s.registration_id = "line7-0042";
  s.device_id = "dev-1";
  s.certificate =
      CertificateInfo{"0a1b", "CN=line7-0042", "2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z"};
  s.renew_after = "2026-10-01T00:00:00Z";
  s.last_error = "service.unreachable";
  s.failed_attempts = 3;
  s.next_attempt_in_ms = 8000;
  return s;
}

void ExpectSameStatus(const StatusResponse& a, const StatusResponse& b) {
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.registration_id, b.registration_id);
  EXPECT_EQ(a.device_id, b.device_id);
  ASSERT_EQ(a.certificate.has_value(), b.certificate.has_value());
  if (a.certificate) {
    EXPECT_EQ(a.certificate->serial, b.certificate->serial);
    EXPECT_EQ(a.certificate->subject, b.certificate->subject);
    EXPECT_EQ(a.certificate->not_before, b.certificate->not_before);
    EXPECT_EQ(a.certificate->not_after, b.certificate->not_after);
  }
  EXPECT_EQ(a.renew_after, b.renew_after);
  EXPECT_EQ(a.last_error, b.last_error);
  EXPECT_EQ(a.failed_attempts, b.failed_attempts);
  EXPECT_EQ(a.next_attempt_in_ms, b.next_attempt_in_ms);
}

TEST(DaemonWireTest, NamesRoundTrip) {
  for (auto s : {DeviceState::kEnrolling, DeviceState::kOffline, DeviceState::kEnrolled,
                 DeviceState::kRevoked, DeviceState::kFailed}) {
    auto back = ParseDeviceState(DeviceStateName(s));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(DeviceStateName(DeviceState::kEnrolled), "enrolled");
  ExpectRejected(ParseDeviceState("Enrolled"), "request.bad_value");
  for (auto e : {Endpoint::kStatus, Endpoint::kCertificate, Endpoint::kSign, Endpoint::kReenroll,
                 Endpoint::kFactoryReset}) {
    EXPECT_EQ(ParseEndpoint(EndpointName(e)), e);
  }
  EXPECT_EQ(EndpointName(Endpoint::kFactoryReset), "factory-reset");
  EXPECT_EQ(ParseEndpoint("factory_reset"), std::nullopt);
  EXPECT_EQ(ParseEndpoint(""), std::nullopt);
}

TEST(DaemonWireTest, StatusRoundTrips) {
  StatusResponse full = FullStatus();
  auto back = ParseStatusResponse(ToJson(full));
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  ExpectSameStatus(*back, full);

  StatusResponse minimal;  // enrolling, nothing known yet
  std::string json = ToJson(minimal);
  EXPECT_EQ(json, R"({"failed_attempts":0,"registration_id":"","state":"enrolling"})");
  auto min_back = ParseStatusResponse(json);
  ASSERT_TRUE(min_back.has_value()) << min_back.error().ToString();
  ExpectSameStatus(*min_back, minimal);
}

TEST(DaemonWireTest, StatusIsStrict) {
  const std::string ok = R"("registration_id":"r","failed_attempts":0)";
  ExpectRejected(ParseStatusResponse(R"({"state":"asleep",)" + ok + "}"), "request.bad_value");
  ExpectRejected(ParseStatusResponse(R"({"state":"enrolled",)" + ok + R"(,"extra":1})"),
                 "request.unknown_field");
  ExpectRejected(ParseStatusResponse(R"({"state":"enrolled","failed_attempts":0})"),
                 "request.missing_field");
  ExpectRejected(ParseStatusResponse(R"({"state":"enrolled",)" + ok + R"(,"device_id":null})"),
                 "request.wrong_type");
  ExpectRejected(
      ParseStatusResponse(R"({"state":"enrolled","registration_id":"r","failed_attempts":-1})"),
      "request.bad_value");
  ExpectRejected(
      ParseStatusResponse(R"({"state":"enrolled",)" + ok + R"(,"next_attempt_in_ms":-5})"),
      "request.bad_value");
  ExpectRejected(
      ParseStatusResponse(R"({"state":"enrolled",)" + ok + R"(,"next_attempt_in_ms":"5"})"),
      "request.wrong_type");
  ExpectRejected(ParseStatusResponse(R"({"state":"enrolled",)" + ok +
                                     R"(,"certificate":{"serial":"1","subject":"s",)"
                                     R"("not_before":"a","not_after":"b","issuer":"x"}})"),
                 "request.unknown_field");
  ExpectRejected(
      ParseStatusResponse(R"({"state":"enrolled",)" + ok + R"(,"certificate":{"serial":"1"}})"),
      "request.missing_field");
  ExpectRejected(ParseStatusResponse(R"({"state":"enrolled","state":"failed",)" + ok + "}"),
                 "request.malformed_json");
  ExpectRejected(ParseStatusResponse(R"(["state"])"), "request.wrong_type");
  ExpectRejected(ParseStatusResponse("{"), "request.malformed_json");
  ExpectRejected(ParseStatusResponse("{\"state\":\"\xff\"}"), "request.malformed_json");
}

TEST(DaemonWireTest, BodiesOverTheLocalLimitAreTooLarge) {
  // Larger than the local API's bound, smaller than the enrollment protocol's.
  std::string big = R"({"digest":")" + std::string(kMaxLocalBodySize, 'A') + R"("})";
  ExpectRejected(ParseSignRequest(big), "request.too_large");
  ExpectRejected(ParseStatusResponse(big), "request.too_large");
  ExpectRejected(ParseErrorResponse(big), "request.too_large");
}

TEST(DaemonWireTest, SignRoundTripsAndIsStrict) {
  SignRequest request{Bytes(32, 0xab)};
  auto back = ParseSignRequest(ToJson(request));
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->digest, request.digest);
  ExpectRejected(ParseSignRequest(R"({"digest":"q83v+w=="})"), "request.bad_base64");
  ExpectRejected(ParseSignRequest(R"({})"), "request.missing_field");
  ExpectRejected(ParseSignRequest(R"({"digest":"AAAA","algorithm":"ES256"})"),
                 "request.unknown_field");
  ExpectRejected(ParseSignRequest(R"({"digest":123})"), "request.wrong_type");

  for (const char* alg : {"ES256", "ES384", "PS256", "RS256"}) {
    SignResponse response{alg, Bytes{0x30, 2, 1, 0}};
    auto r = ParseSignResponse(ToJson(response));
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    EXPECT_EQ(r->algorithm, alg);
    EXPECT_EQ(r->signature, response.signature);
  }
  ExpectRejected(ParseSignResponse(R"({"algorithm":"none","signature":"AA"})"),
                 "request.bad_value");
  ExpectRejected(ParseSignResponse(R"({"algorithm":"es256","signature":"AA"})"),
                 "request.bad_value");
}

TEST(DaemonWireTest, ErrorRoundTripsAndIsStrict) {
  ErrorResponse e{"api.forbidden", "this caller may not use this endpoint"};
  auto back = ParseErrorResponse(ToJson(e));
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->error, e.error);
  EXPECT_EQ(back->message, e.message);
  ExpectRejected(ParseErrorResponse(R"({"error":"x"})"), "request.missing_field");
  ExpectRejected(ParseErrorResponse(R"({"error":"x","message":"m","detail":"d"})"),
                 "request.unknown_field");
}

}  // namespace
}  // namespace edgetrust::daemon::api
