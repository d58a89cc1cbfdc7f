#include "manifest/jws/strict_json.h"

#include <algorithm>

#include "common/strict_json.h"

namespace edgetrust::manifest::jws::internal {
namespace {

std::unexpected<Error> Malformed(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "jws.malformed", std::move(message));
}

}  // namespace

Result<nlohmann::json> ParseStrictJson(std::string_view text, size_t max_size, int max_depth,
                                       std::string_view where) {
  return ParseStrictJsonObject(text, {.max_size = max_size,
                                      .max_depth = max_depth,
                                      .where = where,
                                      .too_large_reason = "jws.too_large",
                                      .malformed_reason = "jws.malformed",
                                      .not_object_reason = "jws.malformed"});
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

std::string DumpJson(const nlohmann::json& value) { return edgetrust::DumpJson(value); }

}  // namespace edgetrust::manifest::jws::internal
