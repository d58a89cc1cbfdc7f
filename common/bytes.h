// Byte strings and their text encodings.
//
// Bytes owns a byte string; ByteView borrows one and must not outlive its owner. Nothing
// secret belongs in Bytes: secrets live in SecretBytes (secret_bytes.h).
#ifndef EDGETRUST_COMMON_BYTES_H_
#define EDGETRUST_COMMON_BYTES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace edgetrust {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// AsBytes views the characters of `text` as bytes.
ByteView AsBytes(std::string_view text);

// ToBytes copies `text` into a byte string.
Bytes ToBytes(std::string_view text);

// HexEncode returns lower-case hexadecimal, two digits per byte.
std::string HexEncode(ByteView data);

// HexDecode accepts upper- or lower-case digits, an optional "0x" prefix, and nothing else:
// an odd length or a non-digit is kInvalidArgument with reason "hex.invalid".
Result<Bytes> HexDecode(std::string_view hex);

// Concat appends the views in order into a new byte string.
Bytes Concat(std::initializer_list<ByteView> parts);

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_BYTES_H_
