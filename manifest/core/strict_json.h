// Strict JSON reading for the manifest parser (internal to manifest/core; includes
// nlohmann/json, so include it from .cc files only). The ideas follow
// enrollment/api/json_reader.h, but the manifest names JSON paths in its errors and must not
// depend on enrollment.
//
// ParseStrictJsonObject accepts exactly one JSON object: valid UTF-8 (RFC 3629, no overlong
// forms, no surrogates; "\u" escapes must pair), no byte order mark, no duplicate member names
// at any level, no container nested more than `max_depth` levels (the top-level object is
// level 1), nothing after the object. nlohmann keeps the last of two duplicate members
// silently; we refuse the document so that two parsers can never read it differently.
//
// Errors (kInvalidArgument): "manifest.malformed_json" (syntax, invalid UTF-8, duplicate
// member, nesting), "manifest.out_of_range" (a number too large for a double),
// "manifest.wrong_type" (the document is not an object). Messages name the JSON path.
#ifndef EDGETRUST_MANIFEST_CORE_STRICT_JSON_H_
#define EDGETRUST_MANIFEST_CORE_STRICT_JSON_H_

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/error.h"

namespace edgetrust::manifest::internal {

Result<nlohmann::json> ParseStrictJsonObject(std::string_view text, int max_depth);

// ManifestError builds a kInvalidArgument error "<path>: <problem>"; the empty path is the
// document itself and reads "(root)".
std::unexpected<Error> ManifestError(std::string reason, std::string_view path,
                                     std::string_view problem);

// JoinPath appends member `name` to `parent` ("modules" + "sensor" -> "modules.sensor").
// Names come from the document: bytes outside printable ASCII, quotes and backslashes are
// written as \xNN and long names are cut, so a path is always safe to log.
std::string JoinPath(std::string_view parent, std::string_view name);

// IndexPath appends an array index ("target.tags" + 3 -> "target.tags[3]").
std::string IndexPath(std::string_view parent, size_t index);

// FirstInvalidUtf8 returns the offset of the first byte that is not part of well-formed UTF-8,
// or std::string_view::npos.
size_t FirstInvalidUtf8(std::string_view text);

}  // namespace edgetrust::manifest::internal

#endif  // EDGETRUST_MANIFEST_CORE_STRICT_JSON_H_
