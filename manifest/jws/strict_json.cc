#include "manifest/jws/strict_json.h"

#include <algorithm>
#include <set>
#include <vector>

namespace edgetrust::manifest::jws::internal {
namespace {

std::unexpected<Error> Malformed(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "jws.malformed", std::move(message));
}

}  // namespace

Result<nlohmann::json> ParseStrictJson(std::string_view text, size_t max_size, int max_depth,
                                       std::string_view where) {
  if (text.size() > max_size) {
    return Fail(ErrorCode::kInvalidArgument, "jws.too_large",
                std::string(where) + " exceeds " + std::to_string(max_size) + " bytes");
  }
  std::vector<std::set<std::string>> keys;  // member names of each open object
  std::string problem;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > max_depth && problem.empty()) problem = "nesting too deep";
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
    doc = nlohmann::json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true);
  } catch (const nlohmann::json::exception&) {
    // Syntax errors, invalid UTF-8 and truncation end here; nlohmann's text is not ours to log.
    return Malformed(std::string(where) + " is not valid JSON");
  }
  if (!problem.empty()) return Malformed(std::string(where) + ": " + problem);
  if (!doc.is_object()) return Malformed(std::string(where) + " is not a JSON object");
  return doc;
}

Status CheckMembers(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                    std::string_view where) {
  for (const auto& [name, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Malformed(std::string(where) + " has an unknown member");
    }
  }
  return Ok();
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgetrust::manifest::jws::internal
