#include "enrollment/operator/operator_wire.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <optional>

#include "attestation/pcr_selection.h"
#include "certs/certificate.h"
#include "common/bytes.h"
#include "common/crypto.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::operator_api {
namespace {

using nlohmann::json;

std::unexpected<Error> Bad(std::string reason, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(reason), std::move(message));
}

// ObjectReader checks an object's field names against the allowed set once, then reads typed
// fields, naming the field in every error.
class ObjectReader {
 public:
  static Result<ObjectReader> Parse(std::string_view body,
                                    std::initializer_list<const char*> known) {
    if (body.size() > api::kMaxBodySize) return Bad("request.too_large", "body too large");
    json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Bad("request.malformed_json", "body is not valid JSON");
    if (!doc.is_object()) return Bad("request.wrong_type", "body must be a JSON object");
    for (const auto& item : doc.items()) {
      if (std::find_if(known.begin(), known.end(),
                       [&](const char* k) { return item.key() == k; }) == known.end()) {
        return Bad("request.unknown_field", "unknown field '" + item.key() + "'");
      }
    }
    return ObjectReader(std::move(doc));
  }

  bool Has(const char* name) const { return doc_.contains(name) && !doc_[name].is_null(); }

  Result<std::string> String(const char* name) const {
    if (!Has(name))
      return Bad("request.missing_field", std::string("missing field '") + name + "'");
    if (!doc_[name].is_string()) {
      return Bad("request.wrong_type", std::string("field '") + name + "' must be a string");
    }
    return doc_[name].get<std::string>();
  }
  Result<std::string> OptionalString(const char* name, std::string fallback) const {
    if (!Has(name)) return fallback;
    return String(name);
  }
  Result<bool> OptionalBool(const char* name, bool fallback) const {
    if (!Has(name)) return fallback;
    if (!doc_[name].is_boolean()) {
      return Bad("request.wrong_type", std::string("field '") + name + "' must be a boolean");
    }
    return doc_[name].get<bool>();
  }
  Result<std::vector<std::string>> OptionalStrings(const char* name) const {
    std::vector<std::string> out;
    if (!Has(name)) return out;
    if (!doc_[name].is_array()) {
      return Bad("request.wrong_type", std::string("field '") + name + "' must be an array");
    }
    for (const auto& v : doc_[name]) {
      if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 128) {
        return Bad("request.wrong_type",
                   std::string("field '") + name + "' must hold strings of 1-128 characters");
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  const json& doc() const { return doc_; }

 private:
  explicit ObjectReader(json doc) : doc_(std::move(doc)) {}
  json doc_;
};

Status CheckId(const std::string& id, const char* field) {
  if (!ValidObjectId(id)) {
    return Bad("request.bad_value", std::string("field '") + field +
                                        "' must be 1-128 of [A-Za-z0-9._:-], not starting "
                                        "with '.' or '-'");
  }
  return Ok();
}

Status CheckPolicyRef(const std::string& id) {
  if (!id.empty() && !ValidObjectId(id)) {
    return Bad("request.bad_value", "field 'pcr_policy_id' is not a valid id");
  }
  return Ok();
}

Result<store::PcrPolicy::Golden> ParseGolden(const json& entry,
                                             const attestation::PcrSelection& selection) {
  if (!entry.is_object() || entry.size() != 3 || !entry.contains("bank") ||
      !entry.contains("index") || !entry.contains("digest") || !entry["bank"].is_string() ||
      !entry["index"].is_number_unsigned() || !entry["digest"].is_string()) {
    return Bad("request.wrong_type",
               "each 'golden' entry must be {\"bank\": string, \"index\": uint, \"digest\": hex}");
  }
  store::PcrPolicy::Golden golden;
  golden.bank = entry["bank"].get<std::string>();
  auto alg = ParseHashAlgorithm(golden.bank);
  if (!alg) return Bad("request.bad_value", "golden bank '" + golden.bank + "' is unknown");
  uint64_t index = entry["index"].get<uint64_t>();
  if (index >= attestation::kPcrCount) return Bad("request.bad_value", "golden index out of range");
  golden.index = static_cast<uint32_t>(index);
  auto digest = HexDecode(entry["digest"].get<std::string>());
  if (!digest || digest->size() != DigestSize(*alg)) {
    return Bad("request.bad_value", "golden digest must be hex of the bank's digest size");
  }
  golden.digest_hex = HexEncode(*digest);
  bool selected = std::any_of(selection.begin(), selection.end(), [&](const auto& bank) {
    return bank.alg == *alg &&
           std::find(bank.indices.begin(), bank.indices.end(), golden.index) != bank.indices.end();
  });
  if (!selected) {
    return Bad("request.bad_value", "golden value for " + golden.bank + ":" +
                                        std::to_string(golden.index) + " outside the selection");
  }
  return golden;
}

json StringsJson(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& s : items) out.push_back(s);
  return out;
}

json PolicyJson(const store::PcrPolicy& p) {
  json golden = json::array();
  for (const auto& g : p.golden) {
    golden.push_back({{"bank", g.bank}, {"index", g.index}, {"digest", g.digest_hex}});
  }
  return {{"id", p.id}, {"selection", p.selection}, {"golden", golden}};
}

json IndividualJson(const store::IndividualEnrollment& e) {
  return {{"registration_id", e.registration_id},
          {"ek_digest", e.ek_digest_hex},
          {"enabled", e.enabled},
          {"pcr_policy_id", e.pcr_policy_id},
          {"tags", StringsJson(e.tags)},
          {"created_at", e.created_at}};
}

json GroupJson(const store::GroupEnrollment& g) {
  return {{"group_id", g.group_id},      {"manufacturer_ca_pem", g.manufacturer_ca_pem},
          {"enabled", g.enabled},        {"pcr_policy_id", g.pcr_policy_id},
          {"tags", StringsJson(g.tags)}, {"created_at", g.created_at}};
}

json DeviceJson(const store::Device& d) {
  return {{"device_id", d.device_id},           {"ek_digest", d.ek_digest_hex},
          {"enrollment", d.enrollment},         {"status", store::DeviceStatusName(d.status)},
          {"status_reason", d.status_reason},   {"current_serial", d.current_serial},
          {"cert_not_after", d.cert_not_after}, {"created_at", d.created_at},
          {"updated_at", d.updated_at}};
}

json AuditJson(const store::AuditRecord& r) {
  json details = json::parse(r.details, nullptr, false);
  if (details.is_discarded()) details = json::object();
  return {{"sequence", r.sequence}, {"time", r.time},       {"actor", r.actor},
          {"action", r.action},     {"subject", r.subject}, {"outcome", r.outcome},
          {"reason", r.reason},     {"details", details}};
}

template <typename T, typename F>
std::string ListJson(const char* key, const std::vector<T>& items, F to_json) {
  json list = json::array();
  for (const auto& item : items) list.push_back(to_json(item));
  return json{{key, list}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

bool ValidObjectId(std::string_view id) { return api::ValidRegistrationId(id); }

Result<store::PcrPolicy> ParsePcrPolicy(std::string_view body) {
  auto reader = ObjectReader::Parse(body, {"id", "selection", "golden"});
  if (!reader) return Fail(reader.error());
  store::PcrPolicy policy;
  auto id = reader->String("id");
  if (!id) return Fail(id.error());
  if (auto ok = CheckId(*id, "id"); !ok) return Fail(ok.error());
  policy.id = *id;
  auto selection_text = reader->OptionalString("selection", "");
  if (!selection_text) return Fail(selection_text.error());
  attestation::PcrSelection selection;
  if (!selection_text->empty()) {
    auto parsed = attestation::ParsePcrSelection(*selection_text);
    if (!parsed) return Bad("request.bad_value", "field 'selection': " + parsed.error().message);
    selection = *parsed;
    policy.selection = attestation::FormatPcrSelection(selection);
  }
  if (reader->Has("golden")) {
    const json& golden = reader->doc()["golden"];
    if (!golden.is_array()) return Bad("request.wrong_type", "field 'golden' must be an array");
    if (golden.size() > 24 * 4) return Bad("request.bad_value", "too many golden values");
    for (const auto& entry : golden) {
      auto g = ParseGolden(entry, selection);
      if (!g) return Fail(g.error());
      policy.golden.push_back(*g);
    }
  }
  return policy;
}

std::string ToJson(const store::PcrPolicy& policy) {
  return PolicyJson(policy).dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string ToJson(const std::vector<store::PcrPolicy>& policies) {
  return ListJson("pcr_policies", policies, PolicyJson);
}

Result<store::IndividualEnrollment> ParseIndividualEnrollment(std::string_view body) {
  auto reader = ObjectReader::Parse(body, {"registration_id", "ek_public", "ek_digest", "enabled",
                                           "pcr_policy_id", "tags", "created_at"});
  if (!reader) return Fail(reader.error());
  store::IndividualEnrollment e;
  auto id = reader->String("registration_id");
  if (!id) return Fail(id.error());
  if (auto ok = CheckId(*id, "registration_id"); !ok) return Fail(ok.error());
  e.registration_id = *id;
  if (reader->Has("ek_public") == reader->Has("ek_digest")) {
    return Bad("request.missing_field", "exactly one of 'ek_public' and 'ek_digest' is required");
  }
  if (reader->Has("ek_public")) {
    auto text = reader->String("ek_public");
    if (!text) return Fail(text.error());
    auto ek = api::Base64UrlDecode(*text);
    if (!ek || ek->size() < 4)
      return Bad("request.bad_base64", "field 'ek_public' is not base64url");
    auto digest = Digest(HashAlgorithm::kSha256, *ek);
    if (!digest) return Fail(digest.error());
    e.ek_digest_hex = HexEncode(*digest);
  } else {
    auto text = reader->String("ek_digest");
    if (!text) return Fail(text.error());
    auto digest = HexDecode(*text);
    if (!digest || digest->size() != 32) {
      return Bad("request.bad_value", "field 'ek_digest' must be 64 hex digits (SHA-256)");
    }
    e.ek_digest_hex = HexEncode(*digest);
  }
  auto enabled = reader->OptionalBool("enabled", true);
  if (!enabled) return Fail(enabled.error());
  e.enabled = *enabled;
  auto policy = reader->OptionalString("pcr_policy_id", "");
  if (!policy) return Fail(policy.error());
  if (auto ok = CheckPolicyRef(*policy); !ok) return Fail(ok.error());
  e.pcr_policy_id = *policy;
  auto tags = reader->OptionalStrings("tags");
  if (!tags) return Fail(tags.error());
  e.tags = *tags;
  return e;
}

std::string ToJson(const store::IndividualEnrollment& e) {
  return IndividualJson(e).dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string ToJson(const std::vector<store::IndividualEnrollment>& enrollments) {
  return ListJson("enrollments", enrollments, IndividualJson);
}

Result<store::GroupEnrollment> ParseGroupEnrollment(std::string_view body) {
  auto reader = ObjectReader::Parse(
      body, {"group_id", "manufacturer_ca_pem", "enabled", "pcr_policy_id", "tags", "created_at"});
  if (!reader) return Fail(reader.error());
  store::GroupEnrollment g;
  auto id = reader->String("group_id");
  if (!id) return Fail(id.error());
  if (auto ok = CheckId(*id, "group_id"); !ok) return Fail(ok.error());
  g.group_id = *id;
  auto pem = reader->String("manufacturer_ca_pem");
  if (!pem) return Fail(pem.error());
  auto chain = certs::Certificate::ChainFromPem(*pem);
  if (!chain || chain->empty()) {
    return Bad("request.bad_value", "field 'manufacturer_ca_pem' holds no valid certificate");
  }
  g.manufacturer_ca_pem = *pem;
  auto enabled = reader->OptionalBool("enabled", true);
  if (!enabled) return Fail(enabled.error());
  g.enabled = *enabled;
  auto policy = reader->OptionalString("pcr_policy_id", "");
  if (!policy) return Fail(policy.error());
  if (auto ok = CheckPolicyRef(*policy); !ok) return Fail(ok.error());
  g.pcr_policy_id = *policy;
  auto tags = reader->OptionalStrings("tags");
  if (!tags) return Fail(tags.error());
  g.tags = *tags;
  return g;
}

std::string ToJson(const store::GroupEnrollment& g) {
  return GroupJson(g).dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string ToJson(const std::vector<store::GroupEnrollment>& groups) {
  return ListJson("groups", groups, GroupJson);
}

std::string ToJson(const store::Device& device) {
  return DeviceJson(device).dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string ToJson(const std::vector<store::Device>& devices, const std::string& next_after) {
  json list = json::array();
  for (const auto& d : devices) list.push_back(DeviceJson(d));
  return json{{"devices", list},
              {"next_after", next_after.empty() ? json(nullptr) : json(next_after)}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ToJson(const std::vector<store::AuditRecord>& records) {
  json list = json::array();
  for (const auto& r : records) list.push_back(AuditJson(r));
  return json{{"records", list}, {"next_after", records.empty() ? 0 : records.back().sequence}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::string> ParseStatusReason(std::string_view body, std::string_view default_reason) {
  if (body.empty()) return std::string(default_reason);
  auto reader = ObjectReader::Parse(body, {"reason"});
  if (!reader) return Fail(reader.error());
  auto reason = reader->OptionalString("reason", std::string(default_reason));
  if (!reason) return Fail(reason.error());
  bool ok =
      !reason->empty() && reason->size() <= 64 &&
      std::all_of(reason->begin(), reason->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      });
  if (!ok) return Bad("request.bad_value", "field 'reason' must be 1-64 of [a-z0-9._-]");
  return *reason;
}

std::string ErrorJson(std::string_view reason, std::string_view message) {
  return json{{"error", reason}, {"message", message}}.dump(-1, ' ', false,
                                                            json::error_handler_t::replace);
}

}  // namespace edgetrust::enrollment::operator_api
