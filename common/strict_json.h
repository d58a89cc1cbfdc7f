// Strict JSON reading for every parser of untrusted JSON (the enrollment wire types, the
// manifest's JWS envelope). Includes nlohmann/json: include it from .cc files only.
//
// ParseStrictJsonObject accepts exactly one JSON object of at most `max_size` bytes, nested at
// most `max_depth` deep, in valid UTF-8, with no duplicate member name anywhere: nlohmann keeps
// the last duplicate silently, and two parsers that disagree on which one counts are how
// headers get smuggled, so the whole document is refused. Rejections are kInvalidArgument with
// the caller's reasons (each protocol reports them in its own terms) and messages that name
// `where`, never the parser's text or the document's content. Pure, thread-safe.
#ifndef EDGETRUST_COMMON_STRICT_JSON_H_
#define EDGETRUST_COMMON_STRICT_JSON_H_

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/error.h"

namespace edgetrust {

struct StrictJsonRules {
  size_t max_size = 64 * 1024;
  int max_depth = 16;
  std::string_view where = "document";  // names the document in messages
  std::string_view too_large_reason = "json.too_large";
  std::string_view malformed_reason = "json.malformed";   // syntax, UTF-8, depth, duplicates
  std::string_view not_object_reason = "json.malformed";  // valid JSON, but not an object
};

Result<nlohmann::json> ParseStrictJsonObject(std::string_view text, const StrictJsonRules& rules);

// FastSaxParse is the fast path of the strict parsers (nlohmann's lexer reads a byte at a time
// through several layers, and a JWS is mostly one long string). It reads only a subset of JSON:
// one object at the top (whitespace around it), strings of printable ASCII with the one-
// character escapes (\" \\ \/ \b \f \n \r \t), integers of at most 18 digits without fraction
// or exponent, true, false, null, and containers nested at most `max_nesting` levels (the top
// object is level 1). It reports to `sax` exactly the events nlohmann's SAX parser reports for
// the same text (same order, same values and number types) and returns true only when it read
// the whole document and every `sax` call returned true. Any other input — \u escapes, non-ASCII
// bytes, fractions, syntax errors, deeper nesting — or a `sax` call that returns false makes it
// return false at once, deciding nothing: the caller then parses the text again with nlohmann
// and a fresh handler, which alone accepts, refuses and reports errors. So the language the
// strict parsers accept, and every error they give, is nlohmann's. Pure, thread-safe.
bool FastSaxParse(std::string_view text, nlohmann::json::json_sax_t& sax, int max_nesting);

// DumpJson serializes compactly; never throws (invalid UTF-8 is replaced).
std::string DumpJson(const nlohmann::json& value);

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_STRICT_JSON_H_
