#include "enrollment/api/json_reader.h"

#include <vector>

#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::api::internal {

std::unexpected<Error> WireError(std::string reason, std::string message) {
  return Fail(ErrorCode::kInvalidArgument, std::move(reason), std::move(message));
}

Result<nlohmann::json> ParseStrictJson(std::string_view body) {
  if (body.size() > kMaxBodySize) {
    return WireError("request.too_large",
                     "body exceeds " + std::to_string(kMaxBodySize) + " bytes");
  }
  std::vector<std::set<std::string>> keys;  // member names of each open object
  std::string problem;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > kMaxJsonDepth && problem.empty()) problem = "nesting too deep";
    switch (event) {
      case E::object_start:
        keys.emplace_back();
        break;
      case E::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case E::key:
        if (!keys.empty() && parsed.is_string() &&
            !keys.back().insert(parsed.get<std::string>()).second && problem.empty()) {
          problem = "duplicate member name";
        }
        break;
      default:
        break;
    }
    return problem.empty();  // stop building values once the document is refused
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body.begin(), body.end(), callback, /*allow_exceptions=*/true);
  } catch (const nlohmann::json::exception& e) {
    // Syntax errors, invalid UTF-8 and truncation all end here; the parser's text names a
    // byte offset only, never our data.
    return WireError("request.malformed_json", "JSON does not parse");
  }
  if (!problem.empty()) return WireError("request.malformed_json", problem);
  if (!doc.is_object()) return WireError("request.wrong_type", "body is not a JSON object");
  return doc;
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

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
