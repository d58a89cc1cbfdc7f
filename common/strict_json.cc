#include "common/strict_json.h"

#include <set>
#include <vector>

namespace edgetrust {

Result<nlohmann::json> ParseStrictJsonObject(std::string_view text, const StrictJsonRules& rules) {
  const std::string where(rules.where);
  auto refuse = [](std::string_view reason, std::string message) {
    return Fail(ErrorCode::kInvalidArgument, std::string(reason), std::move(message));
  };
  if (text.size() > rules.max_size) {
    return refuse(rules.too_large_reason,
                  where + " exceeds " + std::to_string(rules.max_size) + " bytes");
  }
  std::vector<std::set<std::string>> keys;  // member names of each open object
  std::string problem;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > rules.max_depth && problem.empty()) problem = "nesting too deep";
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
    return refuse(rules.malformed_reason, where + " is not valid JSON");
  }
  if (!problem.empty()) return refuse(rules.malformed_reason, where + ": " + problem);
  if (!doc.is_object()) return refuse(rules.not_object_reason, where + " is not a JSON object");
  return doc;
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgetrust
