// Fuzzes the JWS envelope parser of signed deployment manifests (THREATS M4, M9, M13, E16): no
// input may crash it, every refusal carries a "jws.*" reason of the documented codes, and
// whatever it accepts must satisfy the contract of envelope.h — bounded counts and sizes, an
// allowed alg, x5c present — and re-serialize (ToGeneralJson) to a document that parses to the
// same envelope, so that a signature never covers something other than what was parsed.
#include <cstdlib>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "manifest/core/manifest_parser.h"
#include "manifest/jws/envelope.h"
#include "tests/fuzz/fuzz_seeds.h"

using namespace edgetrust;
using namespace edgetrust::manifest::jws;

namespace {

std::vector<uint8_t> Seed(const std::string& text) { return {text.begin(), text.end()}; }

void Check(bool ok) {
  if (!ok) std::abort();
}

// Base64url (no padding) of a short ASCII string, for readable seeds.
std::string B64u(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (in.size() - i == 1) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63]};
  } else if (in.size() - i == 2) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63]};
  }
  return out;
}

bool SameEnvelope(const JwsEnvelope& a, const JwsEnvelope& b) {
  if (a.payload_b64 != b.payload_b64 || a.payload != b.payload ||
      a.signatures.size() != b.signatures.size()) {
    return false;
  }
  for (size_t i = 0; i < a.signatures.size(); ++i) {
    const JwsSignature& x = a.signatures[i];
    const JwsSignature& y = b.signatures[i];
    if (x.protected_b64 != y.protected_b64 || x.signature_b64 != y.signature_b64 ||
        x.signature != y.signature || x.header.alg != y.header.alg ||
        x.header.x5c != y.header.x5c) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<std::vector<uint8_t>> EdgetrustFuzzSeeds() {
  // x5c entries are not parsed as certificates here, only decoded: short stand-ins will do.
  const std::string payload = B64u(R"({"schemaVersion":"1.0","version":1})");
  const std::string es256 = B64u(R"({"alg":"ES256","x5c":["MIIBAA==","AQID"]})");
  const std::string ps256 = B64u(R"({"alg":"PS256","x5c":["AAAA"],"typ":"JOSE+JSON","kid":"k1"})");
  const std::string crit = B64u(R"({"alg":"ES384","x5c":["AAAA"],"crit":["exp"],"exp":1})");
  const std::string sig = B64u(std::string(64, 'S'));
  const std::string general = R"({"payload":")" + payload + R"(","signatures":[{"protected":")" +
                              es256 + R"(","signature":")" + sig + R"("},{"protected":")" + ps256 +
                              R"(","header":{},"signature":")" + sig + R"("}]})";
  const std::string flattened = R"({"payload":")" + payload + R"(","protected":")" + es256 +
                                R"(","header":{},"signature":")" + sig + R"("})";
  const std::string critical = R"({"payload":")" + payload + R"(","protected":")" + crit +
                               R"(","signature":")" + sig + R"("})";
  return {Seed(general), Seed(flattened), Seed(critical)};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto envelope = ParseJwsEnvelope(text);
  if (!envelope) {
    const Error& e = envelope.error();
    Check(e.reason.starts_with("jws."));
    if (e.code == ErrorCode::kPermissionDenied) {
      Check(e.reason == "jws.bad_alg" || e.reason == "jws.unknown_crit");
    } else {
      Check(e.code == ErrorCode::kInvalidArgument);
    }
    return 0;
  }
  Check(size <= kMaxJwsSize);
  Check(envelope->payload.size() <= manifest::kMaxManifestSize);
  Check(!envelope->signatures.empty() && envelope->signatures.size() <= kMaxSignatures);
  for (const JwsSignature& s : envelope->signatures) {
    Check(!s.header.x5c.empty() && s.header.x5c.size() <= kMaxX5c);
    for (const Bytes& der : s.header.x5c) Check(der.size() <= kMaxCertificateSize);
    Check(s.protected_b64.size() <= kMaxProtectedHeaderSize);
    Check(SigningInput(*envelope, s) == s.protected_b64 + "." + envelope->payload_b64);
    Check(s.header.alg == JwsAlg::kEs256 || s.header.alg == JwsAlg::kEs384 ||
          s.header.alg == JwsAlg::kPs256 || s.header.alg == JwsAlg::kRs256);
  }
  // The general serialization of what was accepted parses back to the same envelope.
  auto again = ParseJwsEnvelope(ToGeneralJson(*envelope));
  Check(again.has_value() && SameEnvelope(*envelope, *again));
  return 0;
}
