// Strict JSON reading shared by the wire parsers (internal to enrollment/api; includes
// nlohmann/json, so include it from .cc files only).
//
// ParseStrictJson accepts exactly one JSON object of at most kMaxBodySize bytes, nested at most
// kMaxJsonDepth deep, with valid UTF-8 and no duplicate member names (nlohmann keeps the last
// duplicate silently; we refuse the whole document so that two parsers can never disagree).
// ObjectReader pulls typed members out of an object and, in Finish(), refuses members nobody
// asked for. Errors are kInvalidArgument with the "request.*" reasons of wire.h.
#ifndef EDGETRUST_ENROLLMENT_API_JSON_READER_H_
#define EDGETRUST_ENROLLMENT_API_JSON_READER_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::enrollment::api::internal {

inline constexpr int kMaxJsonDepth = 16;

Result<nlohmann::json> ParseStrictJson(std::string_view body);

// DumpJson serializes with invalid UTF-8 replaced (never throws).
std::string DumpJson(const nlohmann::json& value);

std::unexpected<Error> WireError(std::string reason, std::string message);

class ObjectReader {
 public:
  // `object` must outlive the reader; `where` names it in messages ("quote").
  ObjectReader(const nlohmann::json& object, std::string where)
      : object_(object), where_(std::move(where)) {}

  Result<std::string> String(const char* name);
  Result<std::optional<std::string>> OptionalString(const char* name);
  Result<Bytes> Base64Url(const char* name);
  Result<std::optional<Bytes>> OptionalBase64Url(const char* name);
  Result<int64_t> Integer(const char* name);
  Result<const nlohmann::json*> Object(const char* name);
  Result<const nlohmann::json*> Array(const char* name);
  // Finish fails with "request.unknown_field" if the object has a member not read above.
  Status Finish() const;

 private:
  Result<const nlohmann::json*> Member(const char* name, bool required);
  const nlohmann::json& object_;
  std::string where_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace edgetrust::enrollment::api::internal

#endif  // EDGETRUST_ENROLLMENT_API_JSON_READER_H_
