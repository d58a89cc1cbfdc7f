// Typed access to the members of a parsed manifest, each failure naming the JSON path
// (internal to manifest/core; includes nlohmann/json, so include it from .cc files only).
// Errors are the "manifest.*" reasons of manifest_parser.h.
#ifndef EDGETRUST_MANIFEST_CORE_FIELD_READER_H_
#define EDGETRUST_MANIFEST_CORE_FIELD_READER_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace edgetrust::manifest::internal {

// CheckObject fails with "manifest.wrong_type" unless `value` is an object and with
// "manifest.unknown_field" (naming the member) if it has a member outside `known`.
Status CheckObject(const nlohmann::json& value, std::string_view path,
                   std::span<const std::string_view> known);

// Member returns the member `name` of `object` (an object), nullptr when it is absent and
// optional, and "manifest.missing_field" when it is absent and required.
Result<const nlohmann::json*> Member(const nlohmann::json& object, std::string_view path,
                                     std::string_view name, bool required);

// AsString: "manifest.wrong_type" unless `value` is a string.
Result<std::string> AsString(const nlohmann::json& value, std::string_view path);

// AsArray: "manifest.wrong_type" unless `value` is an array.
Status AsArray(const nlohmann::json& value, std::string_view path);

// AsInteger accepts a number written as an integer within [min, max]. A number outside the
// range, however it is written (-1, 1e30, 18446744073709551616), is "manifest.out_of_range";
// a number within it written with a fraction or an exponent (1.0, 1e3) is "manifest.wrong_type",
// as is anything that is not a number.
Result<uint64_t> AsInteger(const nlohmann::json& value, std::string_view path, uint64_t min,
                           uint64_t max);

}  // namespace edgetrust::manifest::internal

#endif  // EDGETRUST_MANIFEST_CORE_FIELD_READER_H_
