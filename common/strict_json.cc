#include "common/strict_json.h"

#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

namespace edgetrust {
namespace {

using json = nlohmann::json;

// FastReader reads the subset of JSON that FastSaxParse promises (see strict_json.h), by
// recursive descent; any byte outside that subset ends it with false.
class FastReader {
 public:
  FastReader(std::string_view text, json::json_sax_t& sax, int max_nesting)
      : p_(text.data()), end_(text.data() + text.size()), sax_(sax), max_nesting_(max_nesting) {}

  bool Document() {
    SkipSpace();
    if (p_ == end_ || *p_ != '{' || !Value(0)) return false;
    SkipSpace();
    return p_ == end_;
  }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Consume(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // String reads a string at p_ ('"'): printable ASCII and the one-character escapes only.
  bool String(std::string& out) {
    out.clear();
    ++p_;
    for (;;) {
      const char* run = p_;
      while (p_ != end_) {
        const auto c = static_cast<uint8_t>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      out.append(run, p_);
      if (p_ == end_ || *p_ != '\\') break;
      if (end_ - p_ < 2) return false;
      switch (p_[1]) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        default:
          return false;  // \u escapes are left to nlohmann (surrogate pairs)
      }
      p_ += 2;
    }
    if (p_ == end_ || *p_ != '"') return false;  // control byte, non-ASCII or truncated
    ++p_;
    return true;
  }

  // Number reads -?(0|[1-9][0-9]*) of at most 18 digits (always within int64 and uint64):
  // fractions, exponents and longer integers are left to nlohmann.
  bool Number() {
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    if (p_ != end_ && *p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    const auto count = static_cast<size_t>(p_ - digits);
    if (count == 0 || count > 18) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E' || (*p_ >= '0' && *p_ <= '9'))) {
      return false;
    }
    uint64_t value = 0;
    for (const char* d = digits; d != p_; ++d) value = value * 10 + static_cast<uint64_t>(*d - '0');
    if (negative) return sax_.number_integer(-static_cast<int64_t>(value));
    return sax_.number_unsigned(value);
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // Value reads one value at p_ (after whitespace); `level` containers enclose it.
  bool Value(int level) {
    switch (*p_) {
      case '{':
        return Object(level + 1);
      case '[':
        return Array(level + 1);
      case '"':
        return String(scratch_) && sax_.string(scratch_);
      case 't':
        return Literal("true") && sax_.boolean(true);
      case 'f':
        return Literal("false") && sax_.boolean(false);
      case 'n':
        return Literal("null") && sax_.null();
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return Number();
        return false;
    }
  }

  bool NextValue(int level) {
    SkipSpace();
    return p_ != end_ && Value(level);
  }

  bool Object(int level) {
    if (level > max_nesting_ || !sax_.start_object(static_cast<size_t>(-1))) return false;
    ++p_;
    if (Consume('}')) return sax_.end_object();
    do {
      SkipSpace();
      if (p_ == end_ || *p_ != '"' || !String(scratch_) || !sax_.key(scratch_)) return false;
      if (!Consume(':') || !NextValue(level)) return false;
    } while (Consume(','));
    return Consume('}') && sax_.end_object();
  }

  bool Array(int level) {
    if (level > max_nesting_ || !sax_.start_array(static_cast<size_t>(-1))) return false;
    ++p_;
    if (Consume(']')) return sax_.end_array();
    do {
      if (!NextValue(level)) return false;
    } while (Consume(','));
    return Consume(']') && sax_.end_array();
  }

  const char* p_;
  const char* end_;
  json::json_sax_t& sax_;
  int max_nesting_;
  std::string scratch_;
};

// FastDom builds the document for ParseStrictJsonObject's fast path; a duplicate member ends
// it (nlohmann then reads the document again and reports it).
class FastDom : public json::json_sax_t {
 public:
  bool null() override { return Place(nullptr); }
  bool boolean(bool v) override { return Place(v); }
  bool number_integer(number_integer_t v) override { return Place(v); }
  bool number_unsigned(number_unsigned_t v) override { return Place(v); }
  bool number_float(number_float_t v, const string_t& /*s*/) override { return Place(v); }
  bool string(string_t& v) override { return Place(std::move(v)); }
  bool binary(binary_t& /*v*/) override { return false; }
  bool start_object(std::size_t /*n*/) override { return Open(json::object()); }
  bool start_array(std::size_t /*n*/) override { return Open(json::array()); }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }
  bool key(string_t& name) override {
    json& object = *stack_.back();
    auto [it, inserted] = object.get_ref<json::object_t&>().try_emplace(std::move(name));
    member_ = &it->second;
    return inserted;
  }
  bool parse_error(std::size_t /*p*/, const std::string& /*t*/,
                   const nlohmann::detail::exception& /*e*/) override {
    return false;
  }
  json Take() { return std::move(root_); }

 private:
  json* Place(json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      top.get_ref<json::array_t&>().push_back(std::move(value));
      return &top.get_ref<json::array_t&>().back();
    }
    *member_ = std::move(value);
    return member_;
  }
  bool Open(json&& container) {
    stack_.push_back(Place(std::move(container)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  json root_;
  std::vector<json*> stack_;
  json* member_ = nullptr;
};

}  // namespace

bool FastSaxParse(std::string_view text, nlohmann::json::json_sax_t& sax, int max_nesting) {
  return FastReader(text, sax, max_nesting).Document();
}

Result<nlohmann::json> ParseStrictJsonObject(std::string_view text, const StrictJsonRules& rules) {
  const std::string where(rules.where);
  auto refuse = [](std::string_view reason, std::string message) {
    return Fail(ErrorCode::kInvalidArgument, std::string(reason), std::move(message));
  };
  if (text.size() > rules.max_size) {
    return refuse(rules.too_large_reason,
                  where + " exceeds " + std::to_string(rules.max_size) + " bytes");
  }
  // Containers nested at most max_depth deep hold values at depth <= max_depth, which the
  // callback below accepts; anything deeper is left to it.
  if (FastDom fast; FastSaxParse(text, fast, rules.max_depth)) return fast.Take();

  std::vector<std::set<std::string>> keys;  // member names of each open object
  std::string problem;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > rules.max_depth && problem.empty()) problem = "nesting too deep";
    switch (event) {
      case E::object_start:
        keys.emplace_back();
        break;
      case E::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case E::key:
        if (!keys.empty() && parsed.is_string() &&
            !keys.back().insert(parsed.get<std::string>()).second && problem.empty()) {
          problem = "duplicate member name";
        }
        break;
      default:
        break;
    }
    return problem.empty();  // stop building values once the document is refused
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true);
  } catch (const nlohmann::json::exception&) {
    // Syntax errors, invalid UTF-8 and truncation end here; nlohmann's text is not ours to log.
    return refuse(rules.malformed_reason, where + " is not valid JSON");
  }
  if (!problem.empty()) return refuse(rules.malformed_reason, where + ": " + problem);
  if (!doc.is_object()) return refuse(rules.not_object_reason, where + " is not a JSON object");
  return doc;
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edgetrust
