#include "manifest/core/strict_json.h"

#include "common/strict_json.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace edgetrust::manifest::internal {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxPathNameBytes = 64;
constexpr int kNumberOverflow = 406;  // nlohmann out_of_range.406: a number overflows a double

// StrictDomBuilder is a nlohmann SAX handler that builds the document like nlohmann's own DOM
// parser and refuses it at the first duplicate member, over-deep container or non-object
// root. It keeps what it needs to name the JSON path of what is being read, and spells the
// path out only for an error.
class StrictDomBuilder : public json::json_sax_t {
 public:
  StrictDomBuilder(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

  bool null() override { return Scalar(nullptr); }
  bool boolean(bool value) override { return Scalar(value); }
  bool number_integer(number_integer_t value) override { return Scalar(value); }
  bool number_unsigned(number_unsigned_t value) override { return Scalar(value); }
  bool number_float(number_float_t value, const string_t& /*text*/) override {
    return Scalar(value);
  }
  bool string(string_t& value) override { return Scalar(std::move(value)); }
  bool binary(binary_t& /*value*/) override {  // never produced by the JSON reader
    return Refuse("manifest.malformed_json", Path(), "binary value");
  }
  bool start_object(std::size_t /*elements*/) override { return Open(json::object()); }
  bool start_array(std::size_t /*elements*/) override { return Open(json::array()); }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }

  bool key(string_t& name) override {
    Frame& top = frames_.back();
    auto [it, inserted] = top.node->get_ref<json::object_t&>().try_emplace(name);
    if (!inserted) {
      return Refuse("manifest.malformed_json", JoinPath(ContainerPath(frames_.size() - 1), name),
                    "duplicate member name");
    }
    top.key = &it->first;  // map keys stay put
    member_ = &it->second;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*token*/,
                   const nlohmann::detail::exception& ex) override {
    if (ex.id == kNumberOverflow) {
      return Refuse("manifest.out_of_range", Path(), "number is out of range");
    }
    size_t bad = FirstInvalidUtf8(text_);
    if (bad != std::string_view::npos && bad < position) {
      return Refuse("manifest.malformed_json", Path(),
                    "invalid UTF-8 at byte " + std::to_string(bad));
    }
    return Refuse("manifest.malformed_json", Path(),
                  "invalid JSON at byte " + std::to_string(position == 0 ? 0 : position - 1));
  }

  json TakeRoot() { return std::move(root_); }
  const std::optional<Error>& problem() const { return problem_; }

 private:
  struct Frame {
    json* node;
    const std::string* name;  // the member of the parent object this container is, or null
    size_t index;             // its index in the parent array (when name is null)
    const std::string* key;   // the member being read, in an object, or null
  };

  // ContainerPath names the container of frames_[depth].
  std::string ContainerPath(size_t depth) const {
    std::string path;
    for (size_t i = 1; i <= depth; ++i) {
      const Frame& f = frames_[i];
      path = f.name != nullptr ? JoinPath(path, *f.name) : IndexPath(path, f.index);
    }
    return path;
  }

  // Path names the value being read now.
  std::string Path() const {
    if (frames_.empty()) return "";
    const Frame& top = frames_.back();
    std::string path = ContainerPath(frames_.size() - 1);
    if (top.node->is_array()) return IndexPath(path, top.node->size());
    return top.key != nullptr ? JoinPath(path, *top.key) : path;
  }

  bool Refuse(std::string reason, std::string_view path, std::string_view problem) {
    if (!problem_) problem_ = ManifestError(std::move(reason), path, problem).error();
    return false;
  }

  json* Place(json&& value) {
    if (frames_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Frame& top = frames_.back();
    if (top.node->is_array()) {
      auto& array = top.node->get_ref<json::array_t&>();
      array.push_back(std::move(value));
      return &array.back();
    }
    *member_ = std::move(value);
    return member_;
  }

  bool Scalar(json&& value) {
    if (frames_.empty()) return Refuse("manifest.wrong_type", "", "must be a JSON object");
    Place(std::move(value));
    frames_.back().key = nullptr;
    return true;
  }

  bool Open(json&& container) {
    if (frames_.empty() && !container.is_object()) {
      return Refuse("manifest.wrong_type", "", "must be a JSON object");
    }
    if (frames_.size() >= static_cast<size_t>(max_depth_)) {
      return Refuse("manifest.malformed_json", Path(),
                    "nested deeper than " + std::to_string(max_depth_) + " levels");
    }
    const std::string* name = frames_.empty() ? nullptr : frames_.back().key;
    const size_t index = frames_.empty() ? 0 : frames_.back().node->size();
    json* node = Place(std::move(container));
    frames_.push_back(Frame{node, name, index, nullptr});
    return true;
  }

  bool Close() {
    frames_.pop_back();
    if (!frames_.empty()) frames_.back().key = nullptr;
    return true;
  }

  std::string_view text_;
  int max_depth_;
  json root_;
  std::vector<Frame> frames_;
  json* member_ = nullptr;
  std::optional<Error> problem_;
};

// Utf8SequenceLength returns the length of the well-formed UTF-8 sequence at text[i], or 0.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    if (b0 == 0xe0) lo = 0xa0;  // overlong
    if (b0 == 0xed) hi = 0x9f;  // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    if (b0 == 0xf0) lo = 0x90;  // overlong
    if (b0 == 0xf4) hi = 0x8f;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (text.size() - i < len) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return len;
}

}  // namespace

size_t FirstInvalidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t len = Utf8SequenceLength(text, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::unexpected<Error> ManifestError(std::string reason, std::string_view path,
                                     std::string_view problem) {
  std::string message(path.empty() ? "(root)" : path);
  message += ": ";
  message += problem;
  return Fail(ErrorCode::kInvalidArgument, std::move(reason), std::move(message));
}

std::string JoinPath(std::string_view parent, std::string_view name) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(parent);
  if (!out.empty()) out += '.';
  if (name.empty()) out += "\"\"";
  for (size_t i = 0; i < name.size() && i < kMaxPathNameBytes; ++i) {
    auto c = static_cast<uint8_t>(name[i]);
    if (c > 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 0x0f];
    }
  }
  if (name.size() > kMaxPathNameBytes) out += "...";
  return out;
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

Result<json> ParseStrictJsonObject(std::string_view text, int max_depth) {
  if (text.starts_with("\xef\xbb\xbf")) {
    // nlohmann skips a byte order mark; RFC 8259 forbids sending one. Refuse it so that the
    // signed bytes are read the same way by every JSON parser.
    return ManifestError("manifest.malformed_json", "", "byte order mark at byte 0");
  }
  {
    // The fast path (common/strict_json.h) reads the common case; anything it leaves,
    // including every error, is read again from the start below.
    StrictDomBuilder fast(text, max_depth);
    if (FastSaxParse(text, fast, max_depth)) return fast.TakeRoot();
  }
  StrictDomBuilder builder(text, max_depth);
  bool parsed = false;
  try {
    parsed = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                             /*strict=*/true, /*ignore_comments=*/false);
  } catch (const json::exception& e) {
    return ManifestError("manifest.malformed_json", "", "JSON does not parse");
  }
  if (builder.problem()) return Fail(*builder.problem());
  if (!parsed) return ManifestError("manifest.malformed_json", "", "JSON does not parse");
  json root = builder.TakeRoot();
  if (!root.is_object()) return ManifestError("manifest.wrong_type", "", "must be a JSON object");
  return root;
}

}  // namespace edgetrust::manifest::internal
