#include "enrollment/api/jws.h"

#include <openssl/ecdsa.h>

#include "common/crypto.h"
#include "common/openssl.h"
#include "enrollment/api/base64.h"
#include "enrollment/api/json_reader.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::api {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxX5c = 4;

std::unexpected<Error> Malformed(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "jws.malformed", std::move(message));
}

std::unexpected<Error> BadAlg(std::string message) {
  return Fail(ErrorCode::kPermissionDenied, "jws.bad_alg", std::move(message));
}

// AsMalformed keeps "request.too_large" and turns every other wire error into jws.malformed.
std::unexpected<Error> AsMalformed(const Error& e) {
  if (e.reason == "request.too_large") return Fail(e);
  return Malformed(e.message);
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
  }
  return "";
}

Result<JwsAlg> ParseJwsAlg(std::string_view name) {
  for (JwsAlg alg : {JwsAlg::kEs256, JwsAlg::kEs384, JwsAlg::kPs256}) {
    if (name == JwsAlgName(alg)) return alg;
  }
  return BadAlg("alg is not one of ES256, ES384, PS256");
}

Result<JwsAlg> JwsAlgForKey(const PublicKey& key) {
  switch (key.type()) {
    case KeyType::kEcP256:
      return JwsAlg::kEs256;
    case KeyType::kEcP384:
      return JwsAlg::kEs384;
    case KeyType::kRsa:
      return JwsAlg::kPs256;
    default:
      return BadAlg("no JWS algorithm for this key type");
  }
}

Result<FlattenedJws> ParseFlattenedJws(std::string_view body) {
  auto doc = internal::ParseStrictJson(body);
  if (!doc) return AsMalformed(doc.error());
  internal::ObjectReader r(*doc, "jws");
  FlattenedJws out;
  for (auto [name, field] :
       {std::pair{"protected", &out.protected_b64}, std::pair{"payload", &out.payload_b64},
        std::pair{"signature", &out.signature_b64}}) {
    auto v = r.String(name);
    if (!v) return AsMalformed(v.error());
    *field = std::move(*v);
  }
  if (auto done = r.Finish(); !done) return AsMalformed(done.error());
  return out;
}

std::string ToJson(const FlattenedJws& jws) {
  return internal::DumpJson(json{{"protected", jws.protected_b64},
                                 {"payload", jws.payload_b64},
                                 {"signature", jws.signature_b64}});
}

Result<JwsProtectedHeader> ParseProtectedHeader(const FlattenedJws& jws) {
  auto header_bytes = Base64UrlDecode(jws.protected_b64);
  if (!header_bytes) return Malformed("protected header is not base64url");
  const std::string header_text(header_bytes->begin(), header_bytes->end());
  auto doc = internal::ParseStrictJson(header_text);
  if (!doc) return AsMalformed(doc.error());
  if (doc->contains("crit")) {
    return Fail(ErrorCode::kPermissionDenied, "jws.unknown_crit", "crit extensions not supported");
  }
  internal::ObjectReader r(*doc, "protected");
  JwsProtectedHeader out;
  auto alg_name = r.String("alg");
  if (!alg_name) return AsMalformed(alg_name.error());
  auto alg = ParseJwsAlg(*alg_name);
  if (!alg) return Fail(alg.error());
  out.alg = *alg;
  auto nonce = r.String("nonce");
  if (!nonce) return AsMalformed(nonce.error());
  out.nonce = std::move(*nonce);
  auto url = r.String("url");
  if (!url) return AsMalformed(url.error());
  out.url = std::move(*url);
  auto x5c = r.Array("x5c");
  if (!x5c) return AsMalformed(x5c.error());
  if ((*x5c)->empty() || (*x5c)->size() > kMaxX5c) return Malformed("x5c must hold 1 to 4 entries");
  for (const json& entry : **x5c) {
    if (!entry.is_string()) return Malformed("x5c entries must be strings");
    auto der = Base64StdDecode(entry.get<std::string>());
    if (!der) return Malformed("x5c entry is not base64");
    out.x5c.push_back(std::move(*der));
  }
  if (auto done = r.Finish(); !done) return AsMalformed(done.error());
  return out;
}

std::string SigningInput(const FlattenedJws& jws) {
  return jws.protected_b64 + "." + jws.payload_b64;
}

Result<std::string> DecodePayload(const FlattenedJws& jws) {
  auto bytes = Base64UrlDecode(jws.payload_b64);
  if (!bytes) return Malformed("payload is not base64url");
  return std::string(bytes->begin(), bytes->end());
}

Result<Bytes> EcdsaDerToRaw(ByteView der, size_t coordinate_size) {
  const unsigned char* p = der.data();
  OpenSslPtr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    return Fail(ErrorCode::kInvalidArgument, "signature.malformed", "not a DER ECDSA signature");
  }
  Bytes raw(2 * coordinate_size);
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  const int n = static_cast<int>(coordinate_size);
  if (BN_bn2binpad(r, raw.data(), n) != n || BN_bn2binpad(s, raw.data() + n, n) != n) {
    return Fail(ErrorCode::kInvalidArgument, "signature.malformed", "ECDSA value too large");
  }
  return raw;
}

Result<Bytes> EcdsaRawToDer(ByteView raw, size_t coordinate_size) {
  if (raw.size() != 2 * coordinate_size) {
    return Fail(ErrorCode::kPermissionDenied, "jws.bad_signature", "ES signature of wrong length");
  }
  const int n = static_cast<int>(coordinate_size);
  OpenSslPtr<BIGNUM> r(BN_bin2bn(raw.data(), n, nullptr));
  OpenSslPtr<BIGNUM> s(BN_bin2bn(raw.data() + n, n, nullptr));
  OpenSslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
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

Result<std::string> SignJws(const certs::Signer& signer, std::string_view nonce,
                            std::string_view url, const std::vector<Bytes>& x5c_der,
                            std::string_view payload) {
  auto key_alg = JwsAlgForKey(signer.public_key());
  if (!key_alg) return Fail(key_alg.error());
  // Device requests never use RS256: ParseJwsAlg refuses it ("jws.bad_alg").
  auto parsed = ParseJwsAlg(certs::JwsAlgorithmName(signer.algorithm()));
  if (!parsed) return BadAlg("the signer's algorithm has no JWS form here");
  const JwsAlg alg = *parsed;
  const HashAlgorithm hash = certs::SignatureHash(signer.algorithm());
  if (alg != *key_alg) return BadAlg("signer algorithm does not fit its key");
  json x5c = json::array();
  for (const Bytes& der : x5c_der) x5c.push_back(Base64StdEncode(der));
  const json header = {{"alg", JwsAlgName(alg)}, {"nonce", nonce}, {"url", url}, {"x5c", x5c}};
  FlattenedJws jws;
  jws.protected_b64 = Base64UrlEncode(AsBytes(internal::DumpJson(header)));
  jws.payload_b64 = Base64UrlEncode(AsBytes(payload));
  auto digest = Digest(hash, AsBytes(SigningInput(jws)));
  if (!digest) return Fail(digest.error());
  auto signature = signer.Sign(*digest);
  if (!signature) return Fail(signature.error());
  if (alg != JwsAlg::kPs256) {
    auto raw = EcdsaDerToRaw(*signature, alg == JwsAlg::kEs256 ? 32 : 48);
    if (!raw) return Fail(raw.error());
    *signature = std::move(*raw);
  }
  jws.signature_b64 = Base64UrlEncode(*signature);
  return ToJson(jws);
}

}  // namespace edgetrust::enrollment::api
