// Base64 for the JWS envelope (internal to edgetrust_manifest_jws): base64url without padding
// (RFC 7515 §2, payload, protected header, signature) and standard base64 with padding (RFC
// 7515 §4.1.6, x5c entries).
//
// Decoders are strict so that every byte string has exactly one accepted encoding: no
// whitespace, no character of the other alphabet, no padding in base64url, canonical padding
// in standard base64, zero trailing bits. Anything else is kInvalidArgument "jws.malformed".
// Pure functions, thread-safe.
#ifndef EDGETRUST_MANIFEST_JWS_BASE64_H_
#define EDGETRUST_MANIFEST_JWS_BASE64_H_

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::manifest::jws::internal {

std::string Base64UrlEncode(ByteView data);
Result<Bytes> Base64UrlDecode(std::string_view text);
std::string Base64StdEncode(ByteView data);
Result<Bytes> Base64StdDecode(std::string_view text);

}  // namespace edgetrust::manifest::jws::internal

#endif  // EDGETRUST_MANIFEST_JWS_BASE64_H_
