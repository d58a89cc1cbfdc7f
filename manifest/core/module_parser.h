// Parsing of one entry of "modules" (internal to manifest/core; includes nlohmann/json, so
// include it from .cc files only). Errors are the "manifest.*" reasons of manifest_parser.h.
#ifndef EDGETRUST_MANIFEST_CORE_MODULE_PARSER_H_
#define EDGETRUST_MANIFEST_CORE_MODULE_PARSER_H_

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "common/error.h"
#include "manifest/core/manifest.h"

namespace edgetrust::manifest::internal {

// ParseImageReference splits "<repository>@sha256:<64 lower-case hex>" (THREATS M11); a tag,
// another algorithm, upper-case or the wrong number of digits is "manifest.bad_image". The
// size is left 0 for the caller.
Result<ImageRef> ParseImageReference(std::string_view reference, std::string_view path);

// ParseModule reads the module `name` (already allow-listed) at `path` ("modules.sensor").
Result<Module> ParseModule(std::string name, const nlohmann::json& value, const std::string& path);

}  // namespace edgetrust::manifest::internal

#endif  // EDGETRUST_MANIFEST_CORE_MODULE_PARSER_H_
