// Fuzzes every parser of the enrollment service's device API bodies (THREATS E16): the JSON
// request and response shapes, the flattened JWS of signed device requests with its protected
// header, and the ECDSA signature conversions. Accepted bodies must survive a ToJson round trip.
#include <cstdlib>
#include <string>
#include <string_view>

#include "enrollment/api/jws.h"
#include "enrollment/api/wire.h"
#include "tests/fuzz/fuzz_seeds.h"

using namespace edgetrust;
using namespace edgetrust::enrollment::api;

namespace {

template <typename T, typename Parse>
void RoundTrip(std::string_view body, Parse parse) {
  Result<T> parsed = parse(body);
  if (!parsed) return;
  Result<T> again = parse(ToJson(*parsed));
  if (!again || ToJson(*again) != ToJson(*parsed)) std::abort();
}

std::vector<uint8_t> Seed(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace

std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds() {
  ChallengeRequest challenge{"device-0001", Bytes(60, 1), Bytes(40, 2), Bytes(90, 3)};
  CompleteRequest complete;
  complete.challenge_id = Bytes(16, 4);
  complete.proof = Bytes(32, 5);
  complete.evidence.quote = {Bytes(100, 6), Bytes(70, 7), {{"sha256", {{0, Bytes(32, 0)}}}}};
  complete.evidence.certify = {Bytes(90, 8), Bytes(70, 9), Bytes(90, 10)};
  complete.evidence.csr = Bytes(200, 11);
  ChallengeResponse response{Bytes(16, 1), Bytes(50, 2),   Bytes(258, 3),
                             Bytes(32, 4), "sha256:0,1,2", 60};
  FlattenedJws jws{"eyJhbGciOiJFUzI1NiJ9", "e30", "AAAA"};
  return {Seed(ToJson(challenge)), Seed(ToJson(complete)), Seed(ToJson(response)),
          Seed(ToJson(jws)), Seed(ToJson(ErrorBody{"quote.bad_magic", "rejected"}))};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  RoundTrip<ChallengeRequest>(body, ParseChallengeRequest);
  RoundTrip<ChallengeResponse>(body, ParseChallengeResponse);
  RoundTrip<CompleteRequest>(body, ParseCompleteRequest);
  RoundTrip<EnrollmentResponse>(body, ParseEnrollmentResponse);
  RoundTrip<RenewPayload>(body, ParseRenewPayload);
  RoundTrip<ErrorBody>(body, ParseErrorBody);
  if (auto jws = ParseFlattenedJws(body)) {
    (void)ParseProtectedHeader(*jws);
    (void)DecodePayload(*jws);
    (void)SigningInput(*jws);
  }
  (void)Base64UrlDecode(body);
  ByteView bytes(data, size);
  if (auto raw = EcdsaDerToRaw(bytes, 32)) {
    if (!EcdsaRawToDer(*raw, 32)) std::abort();
  }
  (void)EcdsaRawToDer(bytes, 48);
  return 0;
}
