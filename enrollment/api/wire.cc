// The request/response bodies of the device API (docs/enrollment-protocol.md).
#include "enrollment/api/wire.h"

#include "enrollment/api/json_reader.h"

namespace edgetrust::enrollment::api {
namespace {

using internal::ObjectReader;
using internal::WireError;
using json = nlohmann::json;

constexpr size_t kMaxRegistrationId = 128;
constexpr uint32_t kPcrCount = 24;

bool IsBankName(std::string_view name) {
  return name == "sha1" || name == "sha256" || name == "sha384" || name == "sha512";
}

// ParsePcrIndex accepts "0".."23" without leading zeros or signs.
std::optional<uint32_t> ParsePcrIndex(std::string_view text) {
  if (text.empty() || text.size() > 2 || (text.size() == 2 && text[0] == '0')) return std::nullopt;
  uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v >= kPcrCount) return std::nullopt;
  return v;
}

Result<PcrMap> ReadPcrs(const json& pcrs) {
  PcrMap out;
  for (const auto& [bank, indices] : pcrs.items()) {
    if (!IsBankName(bank)) return WireError("request.bad_value", "quote.pcrs: unknown PCR bank");
    if (!indices.is_object())
      return WireError("request.wrong_type", "quote.pcrs bank must be an object");
    auto& bank_out = out[bank];
    for (const auto& [index_text, value] : indices.items()) {
      auto index = ParsePcrIndex(index_text);
      if (!index) return WireError("request.bad_value", "quote.pcrs: PCR index out of range");
      if (!value.is_string()) return WireError("request.wrong_type", "PCR value must be a string");
      auto digest = Base64UrlDecode(value.get<std::string>());
      if (!digest) return WireError("request.bad_base64", "PCR value is not base64url");
      bank_out[*index] = std::move(*digest);
    }
  }
  return out;
}

json PcrsToJson(const PcrMap& pcrs) {
  json out = json::object();
  for (const auto& [bank, indices] : pcrs) {
    json b = json::object();
    for (const auto& [index, digest] : indices) b[std::to_string(index)] = Base64UrlEncode(digest);
    out[bank] = std::move(b);
  }
  return out;
}

Result<QuoteEvidence> ReadQuote(const json& object) {
  ObjectReader r(object, "quote");
  QuoteEvidence q;
  auto attest = r.Base64Url("attest");
  if (!attest) return Fail(attest.error());
  auto signature = r.Base64Url("signature");
  if (!signature) return Fail(signature.error());
  auto pcrs_json = r.Object("pcrs");
  if (!pcrs_json) return Fail(pcrs_json.error());
  auto pcrs = ReadPcrs(**pcrs_json);
  if (!pcrs) return Fail(pcrs.error());
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return QuoteEvidence{std::move(*attest), std::move(*signature), std::move(*pcrs)};
}

Result<CertifyEvidence> ReadCertify(const json& object) {
  ObjectReader r(object, "certify");
  auto attest = r.Base64Url("attest");
  if (!attest) return Fail(attest.error());
  auto signature = r.Base64Url("signature");
  if (!signature) return Fail(signature.error());
  auto identity = r.Base64Url("identity_public");
  if (!identity) return Fail(identity.error());
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return CertifyEvidence{std::move(*attest), std::move(*signature), std::move(*identity)};
}

// ReadEvidence reads quote, certify and csr from `r` (the caller finishes the reader).
Result<Evidence> ReadEvidence(ObjectReader& r) {
  auto quote_json = r.Object("quote");
  if (!quote_json) return Fail(quote_json.error());
  auto quote = ReadQuote(**quote_json);
  if (!quote) return Fail(quote.error());
  auto certify_json = r.Object("certify");
  if (!certify_json) return Fail(certify_json.error());
  auto certify = ReadCertify(**certify_json);
  if (!certify) return Fail(certify.error());
  auto csr = r.Base64Url("csr");
  if (!csr) return Fail(csr.error());
  return Evidence{std::move(*quote), std::move(*certify), std::move(*csr)};
}

void WriteEvidence(const Evidence& e, json& out) {
  out["quote"] = {{"attest", Base64UrlEncode(e.quote.attest)},
                  {"signature", Base64UrlEncode(e.quote.signature)},
                  {"pcrs", PcrsToJson(e.quote.pcrs)}};
  out["certify"] = {{"attest", Base64UrlEncode(e.certify.attest)},
                    {"signature", Base64UrlEncode(e.certify.signature)},
                    {"identity_public", Base64UrlEncode(e.certify.identity_public)}};
  out["csr"] = Base64UrlEncode(e.csr);
}

}  // namespace

bool ValidRegistrationId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRegistrationId || id[0] == '.' || id[0] == '-') return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<ChallengeRequest> ParseChallengeRequest(std::string_view body) {
  auto doc = internal::ParseStrictJson(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "request");
  ChallengeRequest out;
  auto id = r.String("registration_id");
  if (!id) return Fail(id.error());
  if (!ValidRegistrationId(*id)) {
    return WireError("request.bad_registration_id", "registration_id is not a valid id");
  }
  out.registration_id = std::move(*id);
  auto ek = r.Base64Url("ek_public");
  if (!ek) return Fail(ek.error());
  out.ek_public = std::move(*ek);
  auto cert = r.OptionalBase64Url("ek_certificate");
  if (!cert) return Fail(cert.error());
  out.ek_certificate = std::move(*cert);
  auto ak = r.Base64Url("ak_public");
  if (!ak) return Fail(ak.error());
  out.ak_public = std::move(*ak);
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return out;
}

std::string ToJson(const ChallengeRequest& request) {
  json out = {{"registration_id", request.registration_id},
              {"ek_public", Base64UrlEncode(request.ek_public)},
              {"ak_public", Base64UrlEncode(request.ak_public)}};
  if (request.ek_certificate) out["ek_certificate"] = Base64UrlEncode(*request.ek_certificate);
  return internal::DumpJson(out);
}

Result<ChallengeResponse> ParseChallengeResponse(std::string_view body) {
  auto doc = internal::ParseStrictJson(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "response");
  ChallengeResponse out;
  auto id = r.Base64Url("challenge_id");
  if (!id) return Fail(id.error());
  out.challenge_id = std::move(*id);
  auto credential = r.Object("credential");
  if (!credential) return Fail(credential.error());
  ObjectReader c(**credential, "credential");
  auto id_object = c.Base64Url("id_object");
  if (!id_object) return Fail(id_object.error());
  out.id_object = std::move(*id_object);
  auto secret = c.Base64Url("encrypted_secret");
  if (!secret) return Fail(secret.error());
  out.encrypted_secret = std::move(*secret);
  if (auto done = c.Finish(); !done) return Fail(done.error());
  auto nonce = r.Base64Url("nonce");
  if (!nonce) return Fail(nonce.error());
  out.nonce = std::move(*nonce);
  auto selection = r.String("pcr_selection");
  if (!selection) return Fail(selection.error());
  out.pcr_selection = std::move(*selection);
  auto expires = r.Integer("expires_in");
  if (!expires) return Fail(expires.error());
  if (*expires < 0 || *expires > 86400)
    return WireError("request.bad_value", "expires_in out of range");
  out.expires_in = static_cast<int>(*expires);
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return out;
}

std::string ToJson(const ChallengeResponse& response) {
  json out = {{"challenge_id", Base64UrlEncode(response.challenge_id)},
              {"credential",
               {{"id_object", Base64UrlEncode(response.id_object)},
                {"encrypted_secret", Base64UrlEncode(response.encrypted_secret)}}},
              {"nonce", Base64UrlEncode(response.nonce)},
              {"pcr_selection", response.pcr_selection},
              {"expires_in", response.expires_in}};
  return internal::DumpJson(out);
}

Result<CompleteRequest> ParseCompleteRequest(std::string_view body) {
  auto doc = internal::ParseStrictJson(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "request");
  auto id = r.Base64Url("challenge_id");
  if (!id) return Fail(id.error());
  auto proof = r.Base64Url("proof");
  if (!proof) return Fail(proof.error());
  auto evidence = ReadEvidence(r);
  if (!evidence) return Fail(evidence.error());
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return CompleteRequest{std::move(*id), std::move(*proof), std::move(*evidence)};
}

std::string ToJson(const CompleteRequest& request) {
  json out = {{"challenge_id", Base64UrlEncode(request.challenge_id)},
              {"proof", Base64UrlEncode(request.proof)}};
  WriteEvidence(request.evidence, out);
  return internal::DumpJson(out);
}

Result<EnrollmentResponse> ParseEnrollmentResponse(std::string_view body) {
  auto doc = internal::ParseStrictJson(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "response");
  EnrollmentResponse out;
  for (auto [name, field] :
       {std::pair{"device_id", &out.device_id},
        std::pair{"certificate_chain_pem", &out.certificate_chain_pem},
        std::pair{"serial", &out.serial}, std::pair{"not_after", &out.not_after}}) {
    auto v = r.String(name);
    if (!v) return Fail(v.error());
    *field = std::move(*v);
  }
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return out;
}

std::string ToJson(const EnrollmentResponse& response) {
  json out = {{"device_id", response.device_id},
              {"certificate_chain_pem", response.certificate_chain_pem},
              {"serial", response.serial},
              {"not_after", response.not_after}};
  return internal::DumpJson(out);
}

Result<RenewPayload> ParseRenewPayload(std::string_view body) {
  auto doc = internal::ParseStrictJson(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "payload");
  auto evidence = ReadEvidence(r);
  if (!evidence) return Fail(evidence.error());
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return RenewPayload{std::move(*evidence)};
}

std::string ToJson(const RenewPayload& payload) {
  json out = json::object();
  WriteEvidence(payload.evidence, out);
  return internal::DumpJson(out);
}

Result<ErrorBody> ParseErrorBody(std::string_view body) {
  auto doc = internal::ParseStrictJson(body);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "error");
  auto error = r.String("error");
  if (!error) return Fail(error.error());
  auto message = r.String("message");
  if (!message) return Fail(message.error());
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return ErrorBody{std::move(*error), std::move(*message)};
}

std::string ToJson(const ErrorBody& body) {
  return internal::DumpJson(json{{"error", body.error}, {"message", body.message}});
}

}  // namespace edgetrust::enrollment::api
