// ParseUtcTimestamp reads the one RFC 3339 form a manifest uses: "YYYY-MM-DDTHH:MM:SSZ" (upper
// case 'T' and 'Z', UTC, whole seconds, years 1970 to 9999, no leap second), and returns the
// POSIX time; std::nullopt for anything else, including impossible dates ("2026-02-30").
// Pure arithmetic: no locale, no time zone database. FormatUtcTimestamp writes the same form.
// Internal to manifest/core, and the edgetrust CLI's --at and output (one spelling of time).
#ifndef EDGETRUST_MANIFEST_CORE_RFC3339_H_
#define EDGETRUST_MANIFEST_CORE_RFC3339_H_

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace edgetrust::manifest::internal {

std::optional<std::time_t> ParseUtcTimestamp(std::string_view text);
// FormatUtcTimestamp renders `t` (>= 0) as "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatUtcTimestamp(std::time_t t);

}  // namespace edgetrust::manifest::internal

#endif  // EDGETRUST_MANIFEST_CORE_RFC3339_H_
