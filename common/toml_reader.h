// TOML reading helpers for strict configuration files (toml++): a Reader walks one table,
// remembers which keys were read, reports the rest as unknown, and names every error
// "<source>:<line>: <dotted.key>: <what>" with reason "config.invalid". Used by the daemon's
// config.toml, the enrollment service's enrolld.toml and the factory station's profile.
// Header-only; include it from .cc files of libraries that link tomlplusplus::tomlplusplus.
#ifndef EDGETRUST_COMMON_TOML_READER_H_
#define EDGETRUST_COMMON_TOML_READER_H_

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "common/error.h"

namespace edgetrust::toml_config {

// Parse reads TOML text; a syntax error (also duplicate keys, invalid UTF-8) is
// kInvalidArgument "config.syntax" "<source>:<line>:<column>: <description>".
inline Result<toml::table> Parse(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, std::string(source));
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
          << e.description();
    return Fail(ErrorCode::kInvalidArgument, "config.syntax", where.str());
  }
}

inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24);

inline std::unexpected<Error> Invalid(std::string_view source, const toml::node& node,
                                      std::string_view name, std::string_view what) {
  // Line 0 would mean "unknown"; every node toml++ builds from text has a line, and the root
  // table (blamed for a missing top-level key) starts at 1.
  const uint32_t line = std::max<uint32_t>(node.source().begin.line, 1);
  return Fail(ErrorCode::kInvalidArgument, "config.invalid",
              std::string(source) + ":" + std::to_string(line) + ": " + std::string(name) + ": " +
                  std::string(what));
}

// Reader walks one TOML table, remembers which keys were read and reports the rest as unknown.
// Errors name "<source>:<line>: <dotted.key>: <what>"; a missing key is blamed on the line of
// its table.
class Reader {
 public:
  Reader(const toml::table& table, std::string path, std::string_view source)
      : table_(table), path_(std::move(path)), source_(source) {}

  std::string Name(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  std::string_view source() const { return source_; }
  std::unexpected<Error> Invalid(std::string_view key, const toml::node* node,
                                 std::string_view what) const {
    return toml_config::Invalid(source_, node != nullptr ? *node : table_, Name(key), what);
  }

  const toml::node* Get(std::string_view key) {
    seen_.insert(std::string(key));
    return table_.get(key);
  }

  Result<std::optional<std::string>> OptionalString(std::string_view key) {
    const toml::node* node = Get(key);
    if (node == nullptr) return std::optional<std::string>();
    const auto* value = node->as_string();
    if (value == nullptr) return Invalid(key, node, "expected a string");
    // TOML escapes can produce NUL, newlines and escape sequences: none belongs in a path, a
    // URL or a name, and a NUL would silently cut a path short at the system-call boundary.
    for (char c : value->get()) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) return Invalid(key, node, "must not contain control characters");
    }
    return std::optional<std::string>(value->get());
  }
  Result<std::string> RequiredString(std::string_view key) {
    auto value = OptionalString(key);
    if (!value) return Fail(value.error());
    if (!value->has_value()) return Invalid(key, nullptr, "required, missing");
    if ((*value)->empty()) return Invalid(key, table_.get(key), "must not be empty");
    return **value;
  }
  // OptionalInteger reads an optional integer in [min, max].
  Result<std::optional<int64_t>> OptionalInteger(std::string_view key, int64_t min, int64_t max) {
    const toml::node* node = Get(key);
    if (node == nullptr) return std::optional<int64_t>();
    const auto* value = node->as_integer();
    if (value == nullptr) return Invalid(key, node, "expected an integer");
    if (value->get() < min || value->get() > max) {
      return Invalid(key, node,
                     "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return std::optional<int64_t>(value->get());
  }
  // AbsolutePath reads an optional string that must be an absolute path.
  Result<std::optional<std::string>> AbsolutePath(std::string_view key) {
    auto value = OptionalString(key);
    if (!value || !value->has_value()) return value;
    if (!(*value)->starts_with('/')) {
      return Invalid(key, table_.get(key), "must be an absolute path");
    }
    return value;
  }
  // Enum reads an optional string and maps it with `parse` (any Result-returning parser).
  template <typename T, typename Parse>
  Status Enum(std::string_view key, Parse parse, std::string_view choices, T& out) {
    auto value = OptionalString(key);
    if (!value) return Fail(value.error());
    if (!value->has_value()) return Ok();
    auto parsed = parse(**value);
    if (!parsed) return Invalid(key, table_.get(key), "expected " + std::string(choices));
    out = *parsed;
    return Ok();
  }
  Result<std::optional<std::chrono::milliseconds>> OptionalDuration(std::string_view key);

  // Table returns a sub-table, nullptr when it is absent.
  Result<const toml::table*> Table(std::string_view key, bool required) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      if (required) return Invalid(key, nullptr, "required table missing");
      return static_cast<const toml::table*>(nullptr);
    }
    if (!node->is_table()) return Invalid(key, node, "expected a table");
    return node->as_table();
  }
  Status Finish() const {
    for (const auto& [key, node] : table_) {
      if (!seen_.contains(std::string(key.str()))) return Invalid(key.str(), &node, "unknown key");
    }
    return Ok();
  }

 private:
  const toml::table& table_;
  std::string path_;
  std::string_view source_;
  std::set<std::string, std::less<>> seen_;
};

// ParseMilliseconds reads "<positive integer><unit>" with unit ms, s, m or h.
inline std::optional<std::chrono::milliseconds> ParseMilliseconds(std::string_view text) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
  for (const auto& [suffix, unit] : kUnits) {
    if (!text.ends_with(suffix)) continue;
    std::string_view digits = text.substr(0, text.size() - suffix.size());
    int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < 0 ||
        value > kMaxDuration.count() / unit) {
      return std::nullopt;
    }
    return std::chrono::milliseconds(value * unit);
  }
  return std::nullopt;
}

inline Result<std::optional<std::chrono::milliseconds>> Reader::OptionalDuration(
    std::string_view key) {
  const toml::node* node = Get(key);
  if (node == nullptr) return std::optional<std::chrono::milliseconds>();
  // A bare number is refused: "retry_max = 300" reads as seconds to some and ms to others.
  const auto* text = node->as_string();
  auto value = text != nullptr ? ParseMilliseconds(text->get()) : std::nullopt;
  if (!value) {
    return Invalid(key, node,
                   "expected a duration string such as \"250ms\", \"90s\", \"5m\" or \"24h\"");
  }
  if (*value <= std::chrono::milliseconds(0)) return Invalid(key, node, "must be positive");
  return value;
}

}  // namespace edgetrust::toml_config

#endif  // EDGETRUST_COMMON_TOML_READER_H_
