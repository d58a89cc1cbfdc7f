// ParseJwsEnvelope: the strict structural checks that run before any cryptography
// (THREATS M4, M9, M13), and the strict base64 of the envelope.
#include "manifest/jws/envelope.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "manifest/jws/base64.h"

namespace edgetrust::manifest::jws {
namespace {

using json = nlohmann::json;

std::string B64(const std::string& s) { return internal::Base64UrlEncode(AsBytes(s)); }

// A DER-ish x5c entry: the envelope does not parse certificates, only base64.
const std::string kCert = internal::Base64StdEncode(ToBytes("certificate"));

std::string Header(json h) { return B64(h.dump()); }
std::string GoodHeader() { return Header({{"alg", "ES256"}, {"x5c", {kCert}}}); }

json General(const std::string& header = GoodHeader()) {
  return {{"payload", B64("{}")},
          {"signatures", {{{"protected", header}, {"signature", B64("sig")}}}}};
}

void ExpectRejected(const std::string& text, const std::string& reason, const std::string& label,
                    ErrorCode code = ErrorCode::kInvalidArgument) {
  auto r = ParseJwsEnvelope(text);
  ASSERT_FALSE(r.has_value()) << label;
  EXPECT_EQ(r.error().reason, reason) << label << ": " << r.error().ToString();
  EXPECT_EQ(r.error().code, code) << label;
}

TEST(EnvelopeTest, GeneralAndFlattenedParse) {
  auto general = ParseJwsEnvelope(General().dump());
  ASSERT_TRUE(general.has_value()) << general.error().ToString();
  EXPECT_EQ(general->payload, ToBytes("{}"));
  ASSERT_EQ(general->signatures.size(), 1u);
  EXPECT_EQ(general->signatures[0].header.alg, JwsAlg::kEs256);
  EXPECT_EQ(general->signatures[0].header.x5c[0], ToBytes("certificate"));
  EXPECT_EQ(general->signatures[0].signature, ToBytes("sig"));
  EXPECT_EQ(SigningInput(*general, general->signatures[0]), GoodHeader() + "." + B64("{}"));
  json flat = {{"payload", B64("{}")}, {"protected", GoodHeader()}, {"signature", B64("sig")}};
  auto flattened = ParseJwsEnvelope(flat.dump());
  ASSERT_TRUE(flattened.has_value()) << flattened.error().ToString();
  EXPECT_EQ(ToGeneralJson(*flattened), ToGeneralJson(*general));
  // Optional informational members are allowed.
  EXPECT_TRUE(ParseJwsEnvelope(General(Header({{"alg", "PS256"},
                                               {"x5c", {kCert}},
                                               {"typ", "JOSE+JSON"},
                                               {"cty", "json"},
                                               {"kid", "release-1"}}))
                                   .dump())
                  .has_value());
}

TEST(EnvelopeTest, ShapeErrors) {
  json mixed = General();
  mixed["signature"] = B64("sig");
  ExpectRejected(mixed.dump(), "jws.malformed", "general + flattened members");
  json unknown = General();
  unknown["extra"] = 1;
  ExpectRejected(unknown.dump(), "jws.malformed", "unknown top-level member");
  json no_payload = General();
  no_payload.erase("payload");
  ExpectRejected(no_payload.dump(), "jws.malformed", "detached payload");
  json entry_unknown = General();
  entry_unknown["signatures"][0]["x"] = 1;
  ExpectRejected(entry_unknown.dump(), "jws.malformed", "unknown signature member");
  json no_protected = General();
  no_protected["signatures"][0].erase("protected");
  ExpectRejected(no_protected.dump(), "jws.malformed", "missing protected");
  json not_array = General();
  not_array["signatures"] = json::object();
  ExpectRejected(not_array.dump(), "jws.malformed", "signatures not an array");
  ExpectRejected("[]", "jws.malformed", "not an object");
  ExpectRejected("{", "jws.malformed", "truncated");
  ExpectRejected("{\"payload\":\"\xff\"}", "jws.malformed", "invalid UTF-8");
}

TEST(EnvelopeTest, DuplicateMembersRejected) {
  const std::string dup_top = R"({"payload":"e30","payload":"e30","signatures":[]})";
  ExpectRejected(dup_top, "jws.malformed", "duplicate top-level member");
  const std::string header = B64(R"({"alg":"ES256","alg":"none","x5c":[")" + kCert + R"("]})");
  ExpectRejected(General(header).dump(), "jws.malformed", "duplicate header member");
}

TEST(EnvelopeTest, CountsAndSizes) {
  json none = General();
  none["signatures"] = json::array();
  ExpectRejected(none.dump(), "jws.no_signatures", "zero signatures");
  json nine = General();
  for (int i = 0; i < 8; ++i) nine["signatures"].push_back(nine["signatures"][0]);
  ExpectRejected(nine.dump(), "jws.too_many_signatures", "nine signatures");
  json eight = General();
  for (int i = 0; i < 7; ++i) eight["signatures"].push_back(eight["signatures"][0]);
  EXPECT_TRUE(ParseJwsEnvelope(eight.dump()).has_value());
  ExpectRejected(std::string(kMaxJwsSize + 1, ' '), "jws.too_large", "huge JWS");
  json five_certs = General(Header({{"alg", "ES256"}, {"x5c", json::array()}}));
  ExpectRejected(five_certs.dump(), "jws.malformed", "empty x5c");
  five_certs = General(Header({{"alg", "ES256"}, {"x5c", {kCert, kCert, kCert, kCert, kCert}}}));
  ExpectRejected(five_certs.dump(), "jws.malformed", "five x5c certificates");
  const std::string big_cert(kMaxCertificateSize * 2, 'A');
  ExpectRejected(General(Header({{"alg", "ES256"}, {"x5c", {big_cert}}})).dump(), "jws.too_large",
                 "huge certificate");
}

TEST(EnvelopeTest, Base64IsStrict) {
  json padded = General();
  padded["payload"] = "e30=";
  ExpectRejected(padded.dump(), "jws.malformed", "padded payload");
  json std_alphabet = General();
  std_alphabet["payload"] = internal::Base64UrlEncode(ToBytes("\xfb\xff")) + "+/";
  ExpectRejected(std_alphabet.dump(), "jws.malformed", "standard alphabet in base64url");
  json trailing_bits = General();
  trailing_bits["payload"] = "e31";  // "{}" is e30
  ExpectRejected(trailing_bits.dump(), "jws.malformed", "non-zero trailing bits");
  json spaces = General();
  spaces["signatures"][0]["signature"] = "c2 ln";
  ExpectRejected(spaces.dump(), "jws.malformed", "whitespace in signature");
  ExpectRejected(General(Header({{"alg", "ES256"}, {"x5c", {"Y2VydGlmaWNhdGU"}}})).dump(),
                 "jws.malformed", "unpadded x5c");
  ExpectRejected(General(Header({{"alg", "ES256"}, {"x5c", {"Y2VydGlm-WNhdGU="}}})).dump(),
                 "jws.malformed", "url alphabet in x5c");
  // Round trips.
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(*internal::Base64UrlDecode(internal::Base64UrlEncode(AsBytes(s))), ToBytes(s));
    EXPECT_EQ(*internal::Base64StdDecode(internal::Base64StdEncode(AsBytes(s))), ToBytes(s));
  }
  EXPECT_EQ(internal::Base64StdEncode(ToBytes("fo")), "Zm8=");
}

TEST(EnvelopeTest, ProtectedHeaderRules) {
  const auto denied = ErrorCode::kPermissionDenied;
  ExpectRejected(General(Header({{"alg", "none"}, {"x5c", {kCert}}})).dump(), "jws.bad_alg",
                 "alg none", denied);
  ExpectRejected(General(Header({{"alg", "HS256"}, {"x5c", {kCert}}})).dump(), "jws.bad_alg",
                 "alg HS256", denied);
  ExpectRejected(General(Header({{"alg", 7}, {"x5c", {kCert}}})).dump(), "jws.malformed",
                 "alg not a string");
  ExpectRejected(General(Header({{"x5c", {kCert}}})).dump(), "jws.malformed", "alg missing");
  ExpectRejected(General(Header({{"alg", "ES256"}})).dump(), "jws.malformed", "x5c missing");
  ExpectRejected(
      General(Header({{"alg", "ES256"}, {"x5c", {kCert}}, {"crit", {"exp"}}, {"exp", 1}})).dump(),
      "jws.unknown_crit", "crit", denied);
  ExpectRejected(General(Header({{"alg", "ES256"}, {"x5c", {kCert}}, {"b64", false}})).dump(),
                 "jws.malformed", "b64 without crit");
  ExpectRejected(General(Header({{"alg", "ES256"}, {"x5c", {kCert}}, {"jku", "https://x"}})).dump(),
                 "jws.malformed", "jku");
  ExpectRejected(
      General(Header({{"alg", "ES256"}, {"x5c", {kCert}}, {"jwk", json::object()}})).dump(),
      "jws.malformed", "embedded jwk");
  ExpectRejected(General(B64("[1]")).dump(), "jws.malformed", "header not an object");
  ExpectRejected(General("!!").dump(), "jws.malformed", "header not base64url");
  json unprotected = General();
  unprotected["signatures"][0]["header"] = {{"kid", "x"}};
  ExpectRejected(unprotected.dump(), "jws.malformed", "unprotected header member");
  unprotected["signatures"][0]["header"] = json::object();
  EXPECT_TRUE(ParseJwsEnvelope(unprotected.dump()).has_value());
}

}  // namespace
}  // namespace edgetrust::manifest::jws
