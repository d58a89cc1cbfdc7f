#include "manifest/jws/sign.h"

#include "common/crypto.h"
#include "manifest/core/manifest_parser.h"
#include "manifest/jws/base64.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/jws_alg.h"
#include "manifest/jws/strict_json.h"

namespace edgetrust::manifest::jws {
namespace {

using json = nlohmann::json;

Result<JwsSignature> MakeSignature(const std::string& payload_b64, const certs::Signer& signer,
                                   const std::vector<certs::Certificate>& chain) {
  if (chain.empty() || chain.size() > kMaxX5c) {
    return Fail(ErrorCode::kInvalidArgument, "jws.bad_chain",
                "the chain must hold 1 to " + std::to_string(kMaxX5c) + " certificates");
  }
  auto leaf_key = chain.front().public_key();
  if (!leaf_key || !leaf_key->Equals(signer.public_key())) {
    return Fail(ErrorCode::kInvalidArgument, "jws.key_mismatch",
                "the first certificate is not the signer's");
  }
  auto alg = JwsAlgForSigner(signer);
  if (!alg) return Fail(alg.error());
  json x5c = json::array();
  for (const certs::Certificate& cert : chain) x5c.push_back(internal::Base64StdEncode(cert.der()));
  const json header = {{"alg", JwsAlgName(*alg)}, {"x5c", std::move(x5c)}};
  JwsSignature out;
  out.protected_b64 = internal::Base64UrlEncode(AsBytes(internal::DumpJson(header)));
  const std::string input = out.protected_b64 + "." + payload_b64;
  auto digest = Digest(JwsAlgHash(*alg), AsBytes(input));
  if (!digest) return Fail(digest.error());
  auto signature = signer.Sign(*digest);
  if (!signature) return Fail(signature.error());
  if (*alg == JwsAlg::kEs256 || *alg == JwsAlg::kEs384) {
    auto raw = internal::EcdsaDerToJose(*signature, *alg);
    if (!raw) return Fail(raw.error());
    *signature = std::move(*raw);
  }
  out.signature_b64 = internal::Base64UrlEncode(*signature);
  return out;
}

}  // namespace

Result<std::string> SignManifest(ByteView payload, const certs::Signer& signer,
                                 const std::vector<certs::Certificate>& chain) {
  if (payload.size() > manifest::kMaxManifestSize) {
    return Fail(ErrorCode::kInvalidArgument, "jws.too_large", "payload too large");
  }
  JwsEnvelope envelope;
  envelope.payload_b64 = internal::Base64UrlEncode(payload);
  auto signature = MakeSignature(envelope.payload_b64, signer, chain);
  if (!signature) return Fail(signature.error());
  envelope.signatures.push_back(std::move(*signature));
  return ToGeneralJson(envelope);
}

Result<std::string> AddSignature(std::string_view jws_json, const certs::Signer& signer,
                                 const std::vector<certs::Certificate>& chain) {
  auto envelope = ParseJwsEnvelope(jws_json);
  if (!envelope) return Fail(envelope.error());
  if (envelope->signatures.size() >= kMaxSignatures) {
    return Fail(ErrorCode::kInvalidArgument, "jws.too_many_signatures",
                "the JWS already has " + std::to_string(kMaxSignatures) + " signatures");
  }
  for (const JwsSignature& s : envelope->signatures) {
    auto leaf = certs::Certificate::FromDer(s.header.x5c.front());
    if (!leaf) continue;
    auto key = leaf->public_key();
    if (key && key->Equals(signer.public_key())) {
      return Fail(ErrorCode::kAlreadyExists, "jws.duplicate_signer",
                  "this key has already signed the JWS");
    }
  }
  auto signature = MakeSignature(envelope->payload_b64, signer, chain);
  if (!signature) return Fail(signature.error());
  envelope->signatures.push_back(std::move(*signature));
  return ToGeneralJson(*envelope);
}

}  // namespace edgetrust::manifest::jws
