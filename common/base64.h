// Base64 (RFC 4648): base64url without padding (§5, as JWS and our wire formats use it) and
// standard base64 with padding (§4, JWS x5c entries).
//
// Decoders are strict so that every byte string has exactly one accepted encoding: no
// whitespace, no character of the other alphabet, no padding in base64url, canonical padding
// in standard base64, zero trailing bits. A rejection is kInvalidArgument with `reason`, so
// that each protocol reports it in its own terms ("request.bad_base64", "jws.malformed").
// Pure functions, thread-safe.
#ifndef EDGETRUST_COMMON_BASE64_H_
#define EDGETRUST_COMMON_BASE64_H_

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust {

std::string Base64UrlEncode(ByteView data);
Result<Bytes> Base64UrlDecode(std::string_view text, std::string_view reason = "base64.invalid");
std::string Base64StdEncode(ByteView data);
Result<Bytes> Base64StdDecode(std::string_view text, std::string_view reason = "base64.invalid");

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_BASE64_H_
