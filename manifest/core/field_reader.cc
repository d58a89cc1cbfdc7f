#include "manifest/core/field_reader.h"

#include <algorithm>

#include "manifest/core/strict_json.h"

namespace edgetrust::manifest::internal {

using json = nlohmann::json;

Status CheckObject(const json& value, std::string_view path,
                   std::span<const std::string_view> known) {
  if (!value.is_object()) return ManifestError("manifest.wrong_type", path, "must be an object");
  for (const auto& [name, member] : value.items()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return ManifestError("manifest.unknown_field", JoinPath(path, name), "unknown member");
    }
  }
  return Ok();
}

Result<const json*> Member(const json& object, std::string_view path, std::string_view name,
                           bool required) {
  auto it = object.find(name);
  if (it != object.end()) return &*it;
  if (required) return ManifestError("manifest.missing_field", JoinPath(path, name), "is missing");
  return nullptr;
}

Result<std::string> AsString(const json& value, std::string_view path) {
  if (!value.is_string()) return ManifestError("manifest.wrong_type", path, "must be a string");
  return value.get<std::string>();
}

Status AsArray(const json& value, std::string_view path) {
  if (!value.is_array()) return ManifestError("manifest.wrong_type", path, "must be an array");
  return Ok();
}

Result<uint64_t> AsInteger(const json& value, std::string_view path, uint64_t min, uint64_t max) {
  std::string range =
      "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (value.is_number_unsigned() || value.is_number_integer()) {
    if (value.is_number_integer() && !value.is_number_unsigned() && value.get<int64_t>() < 0) {
      return ManifestError("manifest.out_of_range", path, range);
    }
    auto n = value.get<uint64_t>();
    if (n < min || n > max) return ManifestError("manifest.out_of_range", path, range);
    return n;
  }
  if (value.is_number_float()) {
    // nlohmann reads integers beyond 64 bits as doubles; the JSON text is gone by now, so
    // judge by value: whatever lies outside the range is out of range, the rest is a float
    // where an integer belongs.
    auto d = value.get<double>();
    if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
      return ManifestError("manifest.out_of_range", path, range);
    }
    return ManifestError("manifest.wrong_type", path,
                         "must be written as an integer (no fraction, no exponent)");
  }
  return ManifestError("manifest.wrong_type", path, "must be an integer");
}

}  // namespace edgetrust::manifest::internal
