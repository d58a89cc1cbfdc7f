#include "enrollment/store/sqlite_codec.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace edgetrust::enrollment::store {
namespace {

using nlohmann::json;

Error InvalidRecord(std::string message) {
  return Error{ErrorCode::kInvalidArgument, "store.invalid_record", std::move(message)};
}

// Dump serialises `value`; nlohmann throws on strings that are not UTF-8, and no exception
// leaves this library.
Result<std::string> Dump(const json& value, std::string_view what) {
  try {
    return value.dump();
  } catch (const json::exception&) {
    return Fail(InvalidRecord(std::string(what) + " must be UTF-8"));
  }
}

}  // namespace

Error CorruptError(std::string message) {
  return Error{ErrorCode::kInternal, "store.corrupt", std::move(message)};
}

Error NotFoundError(std::string_view what, const std::string& id) {
  return Error{ErrorCode::kNotFound, "store.not_found", std::string(what) + " '" + id + "'"};
}

Status CheckId(std::string_view what, const std::string& id) {
  if (id.empty()) return Fail(InvalidRecord(std::string(what) + " is empty"));
  return Ok();
}

Status CheckEkDigest(const std::string& hex) {
  bool ok = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            });
  if (!ok) return Fail(InvalidRecord("ek_digest_hex must be 64 lowercase hex digits"));
  return Ok();
}

Result<int> CheckLimit(int limit) {
  if (limit < 1) {
    return Fail(ErrorCode::kInvalidArgument, "store.invalid_argument", "limit must be >= 1");
  }
  return std::min(limit, kMaxListLimit);
}

Status InsertAudit(SqliteDb& db, const AuditRecord& audit) {
  for (auto [what, value] :
       {std::pair{"audit actor", &audit.actor}, std::pair{"audit action", &audit.action},
        std::pair{"audit outcome", &audit.outcome}, std::pair{"audit reason", &audit.reason}}) {
    if (auto s = CheckId(what, *value); !s) return s;
  }
  std::string details = audit.details.empty() ? std::string("{}") : audit.details;
  json parsed = json::parse(details, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return Fail(InvalidRecord("audit details must be a JSON object"));
  std::time_t time = audit.time != 0 ? audit.time : std::time(nullptr);

  auto stmt = db.Prepare(
      "INSERT INTO audit(time, actor, action, subject, outcome, reason, details) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, ToSql(time))
      .Bind(2, audit.actor)
      .Bind(3, audit.action)
      .Bind(4, audit.subject)
      .Bind(5, audit.outcome)
      .Bind(6, audit.reason)
      .Bind(7, details);
  return stmt->Run();
}

Result<std::string> EncodeTags(const std::vector<std::string>& tags) {
  return Dump(json(tags), "tags");
}

Result<std::vector<std::string>> DecodeTags(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  if (!parsed.is_array()) return Fail(CorruptError("stored tags are not a JSON array"));
  std::vector<std::string> tags;
  for (const json& tag : parsed) {
    if (!tag.is_string()) return Fail(CorruptError("stored tag is not a string"));
    tags.push_back(tag.get<std::string>());
  }
  return tags;
}

Result<std::string> EncodeGolden(const std::vector<PcrPolicy::Golden>& golden) {
  json array = json::array();
  for (const PcrPolicy::Golden& g : golden) {
    array.push_back({{"bank", g.bank}, {"index", g.index}, {"digest_hex", g.digest_hex}});
  }
  return Dump(array, "golden PCR values");
}

Result<std::vector<PcrPolicy::Golden>> DecodeGolden(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  if (!parsed.is_array()) return Fail(CorruptError("stored golden values are not an array"));
  std::vector<PcrPolicy::Golden> golden;
  for (const json& g : parsed) {
    if (!g.is_object() || !g.contains("bank") || !g["bank"].is_string() || !g.contains("index") ||
        !g["index"].is_number_unsigned() || !g.contains("digest_hex") ||
        !g["digest_hex"].is_string()) {
      return Fail(CorruptError("stored golden value has the wrong shape"));
    }
    auto index = g["index"].get<uint64_t>();
    if (index > std::numeric_limits<uint32_t>::max()) {
      return Fail(CorruptError("stored golden PCR index out of range"));
    }
    golden.push_back(PcrPolicy::Golden{g["bank"].get<std::string>(), static_cast<uint32_t>(index),
                                       g["digest_hex"].get<std::string>()});
  }
  return golden;
}

Result<DeviceStatus> DecodeStatus(const std::string& name) {
  auto status = ParseDeviceStatus(name);
  if (!status) return Fail(CorruptError("stored device status '" + name + "' is unknown"));
  return *status;
}

}  // namespace edgetrust::enrollment::store
