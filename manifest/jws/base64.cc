// The JWS envelope's base64 flavours are common/base64.h's, reporting "jws.malformed".
#include "manifest/jws/base64.h"

#include "common/base64.h"

namespace edgetrust::manifest::jws::internal {

constexpr std::string_view kMalformed = "jws.malformed";

std::string Base64UrlEncode(ByteView data) { return edgetrust::Base64UrlEncode(data); }
Result<Bytes> Base64UrlDecode(std::string_view text) {
  return edgetrust::Base64UrlDecode(text, kMalformed);
}
std::string Base64StdEncode(ByteView data) { return edgetrust::Base64StdEncode(data); }
Result<Bytes> Base64StdDecode(std::string_view text) {
  return edgetrust::Base64StdDecode(text, kMalformed);
}

}  // namespace edgetrust::manifest::jws::internal
