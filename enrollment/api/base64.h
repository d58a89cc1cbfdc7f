// Standard base64 (RFC 4648 §4, with padding), as JWS x5c entries use it. The base64url
// functions of the protocol (no padding) are declared in wire.h and defined beside these.
//
// Decoders are strict: no whitespace, no characters of the other alphabet, canonical padding
// and zero trailing bits; anything else is kInvalidArgument "request.bad_base64".
// Pure functions, thread-safe.
#ifndef EDGETRUST_ENROLLMENT_API_BASE64_H_
#define EDGETRUST_ENROLLMENT_API_BASE64_H_

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::enrollment::api {

std::string Base64StdEncode(ByteView data);
Result<Bytes> Base64StdDecode(std::string_view text);

}  // namespace edgetrust::enrollment::api

#endif  // EDGETRUST_ENROLLMENT_API_BASE64_H_
