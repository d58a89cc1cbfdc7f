#include "enrollment/api/json_reader.h"

#include <vector>

#include "common/strict_json.h"

#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::api::internal {

std::unexpected<Error> WireError(std::string reason, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(reason), std::move(message));
}

Result<nlohmann::json> ParseStrictJson(std::string_view body) {
  return ParseStrictJsonObject(body, {.max_size = kMaxBodySize,
                                      .max_depth = kMaxJsonDepth,
                                      .where = "body",
                                      .too_large_reason = "request.too_large",
                                      .malformed_reason = "request.malformed_json",
                                      .not_object_reason = "request.wrong_type"});
}

std::string DumpJson(const nlohmann::json& value) { return edgetrust::DumpJson(value); }

Result<const nlohmann::json*> ObjectReader::Member(const char* name, bool required) {
  seen_.insert(name);
  auto it = object_.find(name);
  if (it == object_.end()) {
    if (required) return WireError("request.missing_field", where_ + "." + name + " is missing");
    return nullptr;
  }
  return &*it;
}

Result<std::string> ObjectReader::String(const char* name) {
  auto v = OptionalString(name);
  if (!v) return Fail(v.error());
  if (!v->has_value())
    return WireError("request.missing_field", where_ + "." + name + " is missing");
  return std::move(**v);
}

Result<std::optional<std::string>> ObjectReader::OptionalString(const char* name) {
  auto m = Member(name, false);
  if (!m) return Fail(m.error());
  if (*m == nullptr) return std::optional<std::string>();
  if (!(*m)->is_string()) {
    return WireError("request.wrong_type", where_ + "." + name + " must be a string");
  }
  return std::optional<std::string>((*m)->get<std::string>());
}

Result<Bytes> ObjectReader::Base64Url(const char* name) {
  auto v = OptionalBase64Url(name);
  if (!v) return Fail(v.error());
  if (!v->has_value())
    return WireError("request.missing_field", where_ + "." + name + " is missing");
  return std::move(**v);
}

Result<std::optional<Bytes>> ObjectReader::OptionalBase64Url(const char* name) {
  auto s = OptionalString(name);
  if (!s) return Fail(s.error());
  if (!s->has_value()) return std::optional<Bytes>();
  auto bytes = Base64UrlDecode(**s);
  if (!bytes) return WireError("request.bad_base64", where_ + "." + name + " is not base64url");
  return std::optional<Bytes>(std::move(*bytes));
}

Result<int64_t> ObjectReader::Integer(const char* name) {
  auto m = Member(name, true);
  if (!m) return Fail(m.error());
  if (!(*m)->is_number_integer()) {
    return WireError("request.wrong_type", where_ + "." + name + " must be an integer");
  }
  if ((*m)->is_number_unsigned() && (*m)->get<uint64_t>() > uint64_t{INT64_MAX}) {
    return WireError("request.bad_value", where_ + "." + name + " is out of range");
  }
  return (*m)->get<int64_t>();
}

Result<const nlohmann::json*> ObjectReader::Object(const char* name) {
  auto m = Member(name, true);
  if (!m) return Fail(m.error());
  if (!(*m)->is_object()) {
    return WireError("request.wrong_type", where_ + "." + name + " must be an object");
  }
  return *m;
}

Result<const nlohmann::json*> ObjectReader::Array(const char* name) {
  auto m = Member(name, true);
  if (!m) return Fail(m.error());
  if (!(*m)->is_array()) {
    return WireError("request.wrong_type", where_ + "." + name + " must be an array");
  }
  return *m;
}

Status ObjectReader::Finish() const {
  for (const auto& [key, value] : object_.items()) {
    if (!seen_.contains(key)) {
      // The name comes from the client: keep it out of the message.
      return WireError("request.unknown_field", where_ + " has an unknown member");
    }
  }
  return Ok();
}

}  // namespace edgetrust::enrollment::api::internal
