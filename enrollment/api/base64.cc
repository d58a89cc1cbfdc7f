// The protocol's base64 flavours are common/base64.h's, reporting "request.bad_base64".
#include "enrollment/api/base64.h"

#include "common/base64.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::api {

constexpr std::string_view kBadBase64 = "request.bad_base64";

std::string Base64UrlEncode(ByteView data) { return edgetrust::Base64UrlEncode(data); }
Result<Bytes> Base64UrlDecode(std::string_view text) {
  return edgetrust::Base64UrlDecode(text, kBadBase64);
}
std::string Base64StdEncode(ByteView data) { return edgetrust::Base64StdEncode(data); }
Result<Bytes> Base64StdDecode(std::string_view text) {
  return edgetrust::Base64StdDecode(text, kBadBase64);
}

}  // namespace edgetrust::enrollment::api
