// Strict JSON for the JWS envelope and its protected headers (internal to
// edgetrust_manifest_jws; includes nlohmann/json, so include it from .cc files only).
//
// ParseStrictJson accepts exactly one JSON object of at most `max_size` bytes, nested at most
// `max_depth` deep, in valid UTF-8, with no duplicate member name anywhere: nlohmann keeps the
// last duplicate silently, and two parsers that disagree on which one counts are how JWS
// headers get smuggled, so the whole document is refused. Errors: kInvalidArgument
// "jws.too_large" (size) and "jws.malformed" (everything else), with `where` in the message.
// Pure, thread-safe.
#ifndef EDGETRUST_MANIFEST_JWS_STRICT_JSON_H_
#define EDGETRUST_MANIFEST_JWS_STRICT_JSON_H_

#include <nlohmann/json.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/error.h"

namespace edgetrust::manifest::jws::internal {

Result<nlohmann::json> ParseStrictJson(std::string_view text, size_t max_size, int max_depth,
                                       std::string_view where);

// CheckMembers refuses ("jws.malformed") an object member whose name is not in `allowed`.
Status CheckMembers(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                    std::string_view where);

// DumpJson serializes compactly (never throws: invalid UTF-8 is replaced).
std::string DumpJson(const nlohmann::json& value);

}  // namespace edgetrust::manifest::jws::internal

#endif  // EDGETRUST_MANIFEST_JWS_STRICT_JSON_H_
