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

using DecodeTable = std::array<int8_t, 256>;

constexpr DecodeTable MakeTable(std::string_view alphabet) {
  DecodeTable table{};
  for (int8_t& v : table) v = -1;
  for (size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr DecodeTable kStdTable = MakeTable(kStd);
constexpr DecodeTable kUrlTable = MakeTable(kUrl);

// Decode reads unpadded text; a length of 1 mod 4 and non-zero trailing bits are refused.
// Four characters at a time into a buffer sized once: the JWS payload is most of a manifest.
Result<Bytes> Decode(std::string_view text, const DecodeTable& table, std::string_view reason) {
  auto bad = [&](const char* message) {
    return Fail(ErrorCode::kInvalidArgument, std::string(reason), message);
  };
  if (text.size() % 4 == 1) return bad("impossible base64 length");
  const size_t full = text.size() / 4;
  const size_t rest = text.size() % 4;  // 0, 2 or 3 characters: 0, 1 or 2 bytes
  Bytes out(full * 3 + (rest == 0 ? 0 : rest - 1));
  auto in = reinterpret_cast<const uint8_t*>(text.data());
  uint8_t* o = out.data();
  for (size_t i = 0; i < full; ++i, in += 4, o += 3) {
    const int32_t v = (int32_t{table[in[0]]} << 18) | (int32_t{table[in[1]]} << 12) |
                      (int32_t{table[in[2]]} << 6) | int32_t{table[in[3]]};
    if (v < 0) return bad("character outside the base64 alphabet");  // any -1 sets the sign
    o[0] = static_cast<uint8_t>(v >> 16);
    o[1] = static_cast<uint8_t>(v >> 8);
    o[2] = static_cast<uint8_t>(v);
  }
  if (rest == 0) return out;
  int32_t v = 0;
  for (size_t k = 0; k < rest; ++k) {
    const int8_t d = table[in[k]];
    if (d < 0) return bad("character outside the base64 alphabet");
    v = (v << 6) | d;
  }
  // 2 characters carry 12 bits (1 byte + 4 spare), 3 carry 18 (2 bytes + 2 spare).
  const int spare = rest == 2 ? 4 : 2;
  if ((v & ((1 << spare) - 1)) != 0) return bad("non-zero trailing base64 bits");
  v >>= spare;
  if (rest == 3) *o++ = static_cast<uint8_t>(v >> 8);
  *o = static_cast<uint8_t>(v);
  return out;
}

}  // namespace

std::string Base64UrlEncode(ByteView data) { return Encode(data, kUrl, false); }

Result<Bytes> Base64UrlDecode(std::string_view text, std::string_view reason) {
  return Decode(text, kUrlTable, reason);  // '=' is outside the alphabet: padding is refused
}

std::string Base64StdEncode(ByteView data) { return Encode(data, kStd, true); }

Result<Bytes> Base64StdDecode(std::string_view text, std::string_view reason) {
  if (text.size() % 4 != 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string(reason),
                "padded base64 length must be a multiple of 4");
  }
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return Decode(text.substr(0, text.size() - pad), kStdTable, reason);
}

}  // namespace edgetrust
