// CheckNoBody accepts the body of an action without parameters: empty, or the empty JSON
// object "{}" (surrounding whitespace allowed). Anything else is kInvalidArgument
// "request.unexpected_body", so a client cannot believe it passed options that were ignored.
#ifndef EDGETRUST_DAEMON_SERVER_NO_BODY_H_
#define EDGETRUST_DAEMON_SERVER_NO_BODY_H_

#include <string_view>

#include "common/error.h"

namespace edgetrust::daemon::server {

inline Status CheckNoBody(std::string_view body) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t first = body.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return Ok();
  size_t last = body.find_last_not_of(kSpace);
  if (body.substr(first, last - first + 1) == "{}") return Ok();
  return Fail(ErrorCode::kInvalidArgument, "request.unexpected_body",
              "this endpoint takes no parameters");
}

}  // namespace edgetrust::daemon::server

#endif  // EDGETRUST_DAEMON_SERVER_NO_BODY_H_
