#include "manifest/jws/jws_alg.h"

#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include <algorithm>

#include "common/openssl.h"

namespace edgetrust::manifest::jws {
namespace {

constexpr JwsAlg kAllAlgs[] = {JwsAlg::kEs256, JwsAlg::kEs384, JwsAlg::kPs256, JwsAlg::kRs256};

std::unexpected<Error> BadAlg(std::string message) {
  return Fail(ErrorCode::kPermissionDenied, "jws.bad_alg", std::move(message));
}

std::unexpected<Error> BadSignature(ErrorCode code, std::string message) {
  return Fail(code, "jws.bad_signature", std::move(message));
}

// Curve facts of an ES algorithm: coordinate size and OpenSSL curve NID.
struct Curve {
  size_t size;
  int nid;
};

Result<Curve> CurveOf(JwsAlg alg) {
  if (alg == JwsAlg::kEs256) return Curve{32, NID_X9_62_prime256v1};
  if (alg == JwsAlg::kEs384) return Curve{48, NID_secp384r1};
  return Fail(ErrorCode::kInternal, "jws.internal", "not an ECDSA algorithm");
}

// CurveOrder is the group order n of an ES algorithm's curve, big-endian, the curve's size.
ByteView CurveOrder(JwsAlg alg) {
  static constexpr uint8_t kP256Order[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
                                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
                                             0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
  static constexpr uint8_t kP384Order[48] = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2,
      0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};
  return alg == JwsAlg::kEs384 ? ByteView(kP384Order) : ByteView(kP256Order);
}

}  // namespace

std::string_view JwsAlgName(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kEs256:
      return "ES256";
    case JwsAlg::kEs384:
      return "ES384";
    case JwsAlg::kPs256:
      return "PS256";
    case JwsAlg::kRs256:
      return "RS256";
  }
  return "";
}

Result<JwsAlg> ParseJwsAlg(std::string_view name) {
  for (JwsAlg alg : kAllAlgs) {
    if (name == JwsAlgName(alg)) return alg;
  }
  return BadAlg("alg is not one of ES256, ES384, PS256, RS256");
}

HashAlgorithm JwsAlgHash(JwsAlg alg) {
  return alg == JwsAlg::kEs384 ? HashAlgorithm::kSha384 : HashAlgorithm::kSha256;
}

Status CheckJwsAlgFitsKey(JwsAlg alg, const PublicKey& key) {
  bool fits = false;
  switch (key.type()) {
    case KeyType::kEcP256:
      fits = alg == JwsAlg::kEs256;
      break;
    case KeyType::kEcP384:
      fits = alg == JwsAlg::kEs384;
      break;
    case KeyType::kRsa:
      fits = alg == JwsAlg::kPs256 || alg == JwsAlg::kRs256;
      break;
    case KeyType::kEcP521:
      break;
  }
  if (!fits) {
    return BadAlg("alg " + std::string(JwsAlgName(alg)) + " does not fit the signer's key");
  }
  return Ok();
}

Result<JwsAlg> JwsAlgForSigner(const certs::Signer& signer) {
  auto alg = ParseJwsAlg(certs::JwsAlgorithmName(signer.algorithm()));
  if (!alg) return Fail(alg.error());
  if (auto fits = CheckJwsAlgFitsKey(*alg, signer.public_key()); !fits) return Fail(fits.error());
  return alg;
}

namespace internal {

Result<Bytes> EcdsaJoseToDer(ByteView raw, JwsAlg alg) {
  auto curve = CurveOf(alg);
  if (!curve) return Fail(curve.error());
  if (raw.size() != 2 * curve->size) {
    return BadSignature(ErrorCode::kPermissionDenied,
                        "ECDSA signature must be " + std::to_string(2 * curve->size) + " bytes");
  }
  // Fixed-size big-endian values compare like numbers, byte by byte (no EC_GROUP, which
  // OpenSSL 3.0 takes ~10 µs to build).
  const ByteView order = CurveOrder(alg);
  const ByteView r = raw.first(curve->size);
  const ByteView s = raw.subspan(curve->size);
  for (ByteView v : {r, s}) {
    const bool zero = std::all_of(v.begin(), v.end(), [](uint8_t b) { return b == 0; });
    if (zero || !std::lexicographical_compare(v.begin(), v.end(), order.begin(), order.end())) {
      return BadSignature(ErrorCode::kPermissionDenied, "ECDSA r or s is zero or not below n");
    }
  }
  // ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }: minimal big-endian integers, with a
  // 0x00 in front of a high bit. At most 2 * (2 + 49) content bytes: short-form lengths.
  auto append_integer = [](Bytes& out, ByteView v) {
    while (v.size() > 1 && v.front() == 0) v = v.subspan(1);
    const bool pad = (v.front() & 0x80) != 0;
    out.push_back(0x02);
    out.push_back(static_cast<uint8_t>(v.size() + (pad ? 1 : 0)));
    if (pad) out.push_back(0x00);
    out.insert(out.end(), v.begin(), v.end());
  };
  Bytes body;
  body.reserve(2 * (curve->size + 3));
  append_integer(body, r);
  append_integer(body, s);
  Bytes der;
  der.reserve(body.size() + 2);
  der.push_back(0x30);
  der.push_back(static_cast<uint8_t>(body.size()));
  der.insert(der.end(), body.begin(), body.end());
  return der;
}

Result<Bytes> EcdsaDerToJose(ByteView der, JwsAlg alg) {
  auto curve = CurveOf(alg);
  if (!curve) return Fail(curve.error());
  const unsigned char* p = der.data();
  OpenSslPtr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    return BadSignature(ErrorCode::kInvalidArgument, "not one DER ECDSA signature");
  }
  Bytes raw(2 * curve->size);
  const int n = static_cast<int>(curve->size);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), n) != n ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + n, n) != n) {
    return BadSignature(ErrorCode::kInvalidArgument, "ECDSA value larger than the curve");
  }
  return raw;
}

}  // namespace internal
}  // namespace edgetrust::manifest::jws
