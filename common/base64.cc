#include "common/base64.h"

#include <array>
#include <cstdint>

namespace edgetrust {
namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(ByteView data, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(v >> shift) & 0x3f]);
  }
  const size_t rest = data.size() - i;
  if (rest == 0) return out;
  uint32_t v = uint32_t{data[i]} << 16;
  if (rest == 2) v |= uint32_t{data[i + 1]} << 8;
  out.push_back(alphabet[(v >> 18) & 0x3f]);
  out.push_back(alphabet[(v >> 12) & 0x3f]);
  if (rest == 2) out.push_back(alphabet[(v >> 6) & 0x3f]);
  if (pad) out.append(rest == 1 ? "==" : "=");
  return out;
}

// Decode reads unpadded text; a length of 1 mod 4 and non-zero trailing bits are refused.
Result<Bytes> Decode(std::string_view text, std::string_view alphabet, std::string_view reason) {
  auto bad = [&](const char* message) {
    return Fail(ErrorCode::kInvalidArgument, std::string(reason), message);
  };
  std::array<int8_t, 256> table;
  table.fill(-1);
  for (size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  }
  if (text.size() % 4 == 1) return bad("impossible base64 length");
  Bytes out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int8_t v = table[static_cast<uint8_t>(c)];
    if (v < 0) return bad("character outside the base64 alphabet");
    acc = ((acc << 6) | static_cast<uint32_t>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return bad("non-zero trailing base64 bits");
  return out;
}

}  // namespace

std::string Base64UrlEncode(ByteView data) { return Encode(data, kUrl, false); }

Result<Bytes> Base64UrlDecode(std::string_view text, std::string_view reason) {
  return Decode(text, kUrl, reason);  // '=' is outside the alphabet: padding is refused
}

std::string Base64StdEncode(ByteView data) { return Encode(data, kStd, true); }

Result<Bytes> Base64StdDecode(std::string_view text, std::string_view reason) {
  if (text.size() % 4 != 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string(reason),
                "padded base64 length must be a multiple of 4");
  }
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return Decode(text.substr(0, text.size() - pad), kStd, reason);
}

}  // namespace edgetrust
