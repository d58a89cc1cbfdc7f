#include "manifest/jws/envelope.h"

#include "manifest/core/manifest_parser.h"
#include "manifest/jws/base64.h"
#include "manifest/jws/strict_json.h"

namespace edgetrust::manifest::jws {
namespace {

using json = nlohmann::json;
using internal::Base64StdDecode;
using internal::Base64UrlDecode;

constexpr int kMaxEnvelopeDepth = 8;
constexpr int kMaxHeaderDepth = 4;
constexpr size_t kMaxSignatureSize = 2048;  // RSA-16384; every supported key is smaller

std::unexpected<Error> Malformed(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "jws.malformed", std::move(message));
}

// StringMember returns the string member `name` of `object`, or nullptr when it is absent.
Result<const std::string*> StringMember(const json& object, const char* name, bool required,
                                        std::string_view where) {
  auto it = object.find(name);
  if (it == object.end()) {
    if (required) return Malformed(std::string(where) + "." + name + " is missing");
    return nullptr;
  }
  if (!it->is_string()) return Malformed(std::string(where) + "." + name + " must be a string");
  return it->get_ptr<const std::string*>();
}

Result<Bytes> DecodeUrl(const std::string& text, std::string_view what) {
  auto bytes = Base64UrlDecode(text);
  if (!bytes) return Malformed(std::string(what) + " is not base64url");
  return bytes;
}

Result<JwsProtectedHeader> ParseProtectedHeader(const std::string& protected_b64) {
  if (protected_b64.size() > kMaxProtectedHeaderSize) {
    return Fail(ErrorCode::kInvalidArgument, "jws.too_large", "protected header too large");
  }
  auto bytes = DecodeUrl(protected_b64, "protected header");
  if (!bytes) return Fail(bytes.error());
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  auto doc =
      internal::ParseStrictJson(text, kMaxProtectedHeaderSize, kMaxHeaderDepth, "protected header");
  if (!doc) return Fail(doc.error());
  if (doc->contains("crit")) {
    return Fail(ErrorCode::kPermissionDenied, "jws.unknown_crit",
                "the protected header names critical extensions; none is supported");
  }
  if (auto members =
          internal::CheckMembers(*doc, {"alg", "x5c", "typ", "cty", "kid"}, "protected header");
      !members) {
    return Fail(members.error());
  }
  for (const char* info : {"typ", "cty", "kid"}) {
    if (auto v = StringMember(*doc, info, false, "protected"); !v) return Fail(v.error());
  }
  auto alg_name = StringMember(*doc, "alg", true, "protected");
  if (!alg_name) return Fail(alg_name.error());
  auto alg = ParseJwsAlg(**alg_name);
  if (!alg) return Fail(alg.error());
  JwsProtectedHeader header{*alg, {}};
  auto x5c = doc->find("x5c");
  if (x5c == doc->end()) return Malformed("protected.x5c is missing");
  if (!x5c->is_array() || x5c->empty() || x5c->size() > kMaxX5c) {
    return Malformed("protected.x5c must be an array of 1 to " + std::to_string(kMaxX5c) +
                     " certificates");
  }
  for (const json& entry : *x5c) {
    if (!entry.is_string()) return Malformed("protected.x5c entries must be strings");
    const auto& text64 = entry.get_ref<const std::string&>();
    if (text64.size() > kMaxCertificateSize / 3 * 4 + 4) {
      return Fail(ErrorCode::kInvalidArgument, "jws.too_large", "x5c certificate too large");
    }
    auto der = Base64StdDecode(text64);
    if (!der || der->empty()) return Malformed("protected.x5c entry is not base64 DER");
    header.x5c.push_back(std::move(*der));
  }
  return header;
}

Result<JwsSignature> ParseSignature(const json& entry, std::string_view where) {
  if (!entry.is_object()) return Malformed(std::string(where) + " must be an object");
  if (auto members = internal::CheckMembers(entry, {"protected", "header", "signature"}, where);
      !members) {
    return Fail(members.error());
  }
  if (auto header = entry.find("header"); header != entry.end()) {
    if (!header->is_object() || !header->empty()) {
      return Malformed(std::string(where) +
                       ".header (unprotected) must be absent or empty: parameters we act on "
                       "must be protected");
    }
  }
  auto protected_b64 = StringMember(entry, "protected", true, where);
  if (!protected_b64) return Fail(protected_b64.error());
  auto signature_b64 = StringMember(entry, "signature", true, where);
  if (!signature_b64) return Fail(signature_b64.error());
  if ((*signature_b64)->size() > kMaxSignatureSize / 3 * 4 + 4) {
    return Fail(ErrorCode::kInvalidArgument, "jws.too_large", "signature too large");
  }
  auto header = ParseProtectedHeader(**protected_b64);
  if (!header) return Fail(header.error());
  auto signature = DecodeUrl(**signature_b64, "signature");
  if (!signature) return Fail(signature.error());
  return JwsSignature{**protected_b64, **signature_b64, std::move(*header), std::move(*signature)};
}

}  // namespace

Result<JwsEnvelope> ParseJwsEnvelope(std::string_view text) {
  auto doc = internal::ParseStrictJson(text, kMaxJwsSize, kMaxEnvelopeDepth, "JWS");
  if (!doc) return Fail(doc.error());
  // One flattened signature is treated as a general JWS with a one-element list.
  json flattened_list;
  const json* entries = nullptr;
  if (doc->contains("signatures")) {
    if (auto m = internal::CheckMembers(*doc, {"payload", "signatures"}, "JWS"); !m) {
      return Fail(m.error());
    }
    entries = &(*doc)["signatures"];
    if (!entries->is_array()) return Malformed("JWS.signatures must be an array");
  } else {
    if (auto m =
            internal::CheckMembers(*doc, {"payload", "protected", "header", "signature"}, "JWS");
        !m) {
      return Fail(m.error());
    }
    if (!doc->contains("signature") && !doc->contains("protected")) {
      return Fail(ErrorCode::kInvalidArgument, "jws.no_signatures", "the JWS has no signature");
    }
    json entry = json::object();
    for (const char* name : {"protected", "header", "signature"}) {
      if (auto it = doc->find(name); it != doc->end()) entry[name] = *it;
    }
    flattened_list = json::array({std::move(entry)});
    entries = &flattened_list;
  }
  if (entries->empty()) {
    return Fail(ErrorCode::kInvalidArgument, "jws.no_signatures", "the JWS has no signature");
  }
  if (entries->size() > kMaxSignatures) {
    return Fail(ErrorCode::kInvalidArgument, "jws.too_many_signatures",
                "at most " + std::to_string(kMaxSignatures) + " signatures");
  }
  auto payload_b64 = StringMember(*doc, "payload", true, "JWS");
  if (!payload_b64) return Fail(payload_b64.error());
  if ((*payload_b64)->size() > manifest::kMaxManifestSize / 3 * 4 + 4) {
    return Fail(ErrorCode::kInvalidArgument, "jws.too_large", "payload too large");
  }
  JwsEnvelope envelope;
  envelope.payload_b64 = **payload_b64;
  auto payload = DecodeUrl(envelope.payload_b64, "payload");
  if (!payload) return Fail(payload.error());
  if (payload->size() > manifest::kMaxManifestSize) {
    return Fail(ErrorCode::kInvalidArgument, "jws.too_large", "payload too large");
  }
  envelope.payload = std::move(*payload);
  for (size_t i = 0; i < entries->size(); ++i) {
    auto signature = ParseSignature((*entries)[i], "signatures[" + std::to_string(i) + "]");
    if (!signature) return Fail(signature.error());
    envelope.signatures.push_back(std::move(*signature));
  }
  return envelope;
}

std::string SigningInput(const JwsEnvelope& envelope, const JwsSignature& signature) {
  return signature.protected_b64 + "." + envelope.payload_b64;
}

std::string ToGeneralJson(const JwsEnvelope& envelope) {
  json signatures = json::array();
  for (const JwsSignature& s : envelope.signatures) {
    signatures.push_back({{"protected", s.protected_b64}, {"signature", s.signature_b64}});
  }
  return internal::DumpJson(json{{"payload", envelope.payload_b64}, {"signatures", signatures}});
}

}  // namespace edgetrust::manifest::jws
