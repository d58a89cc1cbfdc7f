#include "daemon/agent/tar_header.h"

#include <algorithm>
#include <string_view>

namespace edgetrust::daemon::agent {
namespace {

// ustar field offsets and lengths (POSIX.1-1988 / pax "ustar Interchange Format").
constexpr size_t kNameOff = 0, kNameLen = 100;
constexpr size_t kModeOff = 100, kModeLen = 8;
constexpr size_t kSizeOff = 124, kSizeLen = 12;
constexpr size_t kChksumOff = 148, kChksumLen = 8;
constexpr size_t kTypeOff = 156;
constexpr size_t kMagicOff = 257;
constexpr size_t kPrefixOff = 345, kPrefixLen = 155;

std::unexpected<Error> Reject(std::string_view reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::string(reason), std::move(message));
}

std::string_view Field(std::span<const uint8_t, kTarBlockSize> b, size_t off, size_t len) {
  std::string_view f(reinterpret_cast<const char*>(b.data()) + off, len);
  return f.substr(0, f.find('\0'));
}

// Octal reads a number field: optional leading spaces, octal digits, then NUL or spaces only.
// GNU base-256 numbers (high bit set) are refused.
Result<uint64_t> Octal(std::span<const uint8_t, kTarBlockSize> b, size_t off, size_t len,
                       const char* what) {
  std::string_view f(reinterpret_cast<const char*>(b.data()) + off, len);
  size_t i = 0;
  while (i < f.size() && f[i] == ' ') ++i;
  uint64_t value = 0;
  size_t digits = 0;
  for (; i < f.size() && f[i] >= '0' && f[i] <= '7'; ++i, ++digits) {
    value = value * 8 + static_cast<uint64_t>(f[i] - '0');
  }
  for (; i < f.size(); ++i) {
    if (f[i] != '\0' && f[i] != ' ') digits = 0;
  }
  if (digits == 0 || digits > 11) {
    return Reject("image.tar_bad_header", std::string("bad octal ") + what + " field");
  }
  return value;
}

}  // namespace

Result<std::string> NormalizeTarPath(std::string_view name, bool directory) {
  if (name.empty() || name.size() > kMaxTarPathSize) {
    return Reject("image.tar_bad_path", "empty or over-long entry name");
  }
  if (std::any_of(name.begin(), name.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      })) {
    return Reject("image.tar_bad_path", "control character in an entry name");
  }
  if (name.front() == '/') return Reject("image.tar_bad_path", "absolute entry name");
  if (directory && name.back() == '/') name.remove_suffix(1);
  std::string out;
  size_t i = 0;
  while (i <= name.size()) {
    size_t end = std::min(name.find('/', i), name.size());
    std::string_view part = name.substr(i, end - i);
    if (part.empty()) return Reject("image.tar_bad_path", "empty component in an entry name");
    if (part == "..") return Reject("image.tar_bad_path", "'..' in an entry name");
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    i = end + 1;
  }
  return out;
}

Result<TarHeader> ParseTarHeader(std::span<const uint8_t, kTarBlockSize> b) {
  // The checksum is the sum of all bytes with the checksum field counted as spaces.
  uint64_t sum = 0;
  for (size_t i = 0; i < kTarBlockSize; ++i) {
    sum += (i >= kChksumOff && i < kChksumOff + kChksumLen) ? uint8_t{' '} : b[i];
  }
  auto stored = Octal(b, kChksumOff, kChksumLen, "checksum");
  if (!stored) return Fail(stored.error());
  if (*stored != sum) return Reject("image.tar_bad_header", "header checksum mismatch");
  static constexpr char kMagic[8] = {'u', 's', 't', 'a', 'r', '\0', '0', '0'};
  if (!std::equal(kMagic, kMagic + 8, b.begin() + kMagicOff)) {
    return Reject("image.tar_bad_header", "not a POSIX ustar header");
  }
  const char type = static_cast<char>(b[kTypeOff]);
  if (type != '0' && type != '\0' && type != '5') {
    return Reject("image.tar_unsupported_type", std::string("entry type '") +
                                                    (type >= 0x20 && type < 0x7f ? type : '?') +
                                                    "' (only regular files and directories)");
  }
  TarHeader h;
  h.is_directory = type == '5';
  auto size = Octal(b, kSizeOff, kSizeLen, "size");
  if (!size) return Fail(size.error());
  auto mode = Octal(b, kModeOff, kModeLen, "mode");
  if (!mode) return Fail(mode.error());
  if (h.is_directory && *size != 0) {
    return Reject("image.tar_bad_header", "a directory entry with data");
  }
  h.size = *size;
  h.mode = (h.is_directory || (*mode & 0111) != 0) ? 0755 : 0644;
  std::string_view prefix = Field(b, kPrefixOff, kPrefixLen);
  std::string_view name = Field(b, kNameOff, kNameLen);
  std::string full =
      prefix.empty() ? std::string(name) : std::string(prefix) + "/" + std::string(name);
  auto path = NormalizeTarPath(full, h.is_directory);
  if (!path) return Fail(path.error());
  if (path->empty() && !h.is_directory) {
    return Reject("image.tar_bad_path", "a file entry named like the directory itself");
  }
  h.path = std::move(*path);
  return h;
}

}  // namespace edgetrust::daemon::agent
