#include "manifest/jws/jws_alg.h"

#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

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
  OpenSslPtr<EC_GROUP> group(EC_GROUP_new_by_curve_name(curve->nid));
  const int n = static_cast<int>(curve->size);
  OpenSslPtr<BIGNUM> r(BN_bin2bn(raw.data(), n, nullptr));
  OpenSslPtr<BIGNUM> s(BN_bin2bn(raw.data() + n, n, nullptr));
  OpenSslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  if (!group || !r || !s || !sig) {
    return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "ECDSA_SIG"));
  }
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  for (const BIGNUM* v : {r.get(), s.get()}) {
    if (BN_is_zero(v) == 1 || BN_cmp(v, order) >= 0) {
      return BadSignature(ErrorCode::kPermissionDenied, "ECDSA r or s is zero or not below n");
    }
  }
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "ECDSA_SIG_set0"));
  }
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return Fail(OpenSslError(ErrorCode::kInternal, "crypto.openssl", "i2d_ECDSA_SIG"));
  Bytes der(out, out + len);
  OPENSSL_free(out);
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
