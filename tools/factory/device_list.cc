#include "tools/factory/device_list.h"

#include <set>

#include "common/file.h"
#include "tools/factory/names.h"

namespace edgetrust::factory {
namespace {

constexpr size_t kMaxBatchSize = 4 * 1024 * 1024;
constexpr size_t kMaxField = 1024;

std::unexpected<Error> Invalid(std::string_view source, int line, const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, "batch.invalid",
              std::string(source) + ":" + std::to_string(line) + ": " + what);
}

// SplitCsvLine splits one line into fields: a field is bare (no quotes) or wholly quoted with
// "" for a quote inside. The error is what is wrong with the line.
std::expected<std::vector<std::string>, std::string> SplitCsvLine(std::string_view text) {
  std::vector<std::string> fields(1);
  size_t i = 0;
  bool quoted_field = false;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' && fields.back().empty() && !quoted_field) {
      quoted_field = true;
      ++i;
      for (;;) {
        if (i >= text.size()) return std::unexpected(std::string("unterminated quote"));
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            fields.back() += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        fields.back() += text[i++];
      }
      if (fields.back().size() > kMaxField) {
        return std::unexpected(std::string("field longer than 1024 bytes"));
      }
      if (i < text.size() && text[i] != ',') {
        return std::unexpected(std::string("text after a closing quote"));
      }
      continue;
    }
    if (c == '"') return std::unexpected(std::string("quote inside a bare field"));
    if (c == ',') {
      fields.emplace_back();
      quoted_field = false;
    } else {
      fields.back() += c;
    }
    if (fields.back().size() > kMaxField) {
      return std::unexpected(std::string("field longer than 1024 bytes"));
    }
    ++i;
  }
  return fields;
}

bool IsHeader(const std::vector<std::string>& fields) {
  static const char* kNames[] = {"tcti", "tags", "serial"};
  if (fields.size() > 3) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] != kNames[i]) return false;
  }
  return true;
}

std::vector<std::string> SplitTags(std::string_view text) {
  std::vector<std::string> tags;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view tag = text.substr(start, end - start);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (!tag.empty()) tags.emplace_back(tag);
    start = end + 1;
  }
  return tags;
}

// PrintableAscii: no control or non-ASCII characters (a field is at most 1024 bytes already).
bool PrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<DeviceLine>> ParseDeviceList(std::string_view text, std::string_view source) {
  std::vector<DeviceLine> devices;
  std::set<std::string, std::less<>> seen;
  int line_no = 0;
  bool content_seen = false;  // a header is only the first non-comment line
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    auto fields = SplitCsvLine(line);
    if (!fields) return Invalid(source, line_no, fields.error());
    const bool first = !content_seen;
    content_seen = true;
    if (first && IsHeader(*fields)) continue;
    if (fields->size() > 3)
      return Invalid(source, line_no, "more than 3 columns (tcti,tags,serial)");
    DeviceLine device;
    device.line = line_no;
    device.tcti = (*fields)[0];
    if (device.tcti.empty()) return Invalid(source, line_no, "the tcti column is empty");
    if (!PrintableAscii(device.tcti)) {
      return Invalid(source, line_no, "the tcti holds control or non-ASCII characters");
    }
    if (fields->size() > 1) device.tags = SplitTags((*fields)[1]);
    for (const std::string& tag : device.tags) {
      if (!IsValidTag(tag)) {
        return Invalid(source, line_no, "\"" + tag + "\" is not a tag ([A-Za-z0-9._-]{1,64})");
      }
    }
    if (fields->size() > 2) device.serial = (*fields)[2];
    if (device.serial.size() > 128 || !PrintableAscii(device.serial)) {
      return Invalid(source, line_no, "the serial must be printable ASCII, at most 128 bytes");
    }
    if (!seen.insert(device.tcti).second) {
      return Invalid(source, line_no, "TCTI " + device.tcti + " is listed twice");
    }
    devices.push_back(std::move(device));
  }
  if (devices.empty()) return Invalid(source, line_no, "no device lines");
  return devices;
}

Result<std::vector<DeviceLine>> LoadDeviceList(const std::string& path) {
  auto bytes = ReadFile(path, kMaxBatchSize);
  if (!bytes) return Fail(bytes.error());
  return ParseDeviceList(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), path);
}

}  // namespace edgetrust::factory
