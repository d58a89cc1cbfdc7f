// HttpError turns a non-2xx answer of the enrollment service into an Error value: the reason
// is the server's stable reason code from the {"error","message"} body (api::ParseErrorBody),
// or "http.<status>" when the body is not one; the code follows the status:
//   400, 413 → kInvalidArgument     401, 403 → kPermissionDenied    404 → kNotFound
//   409 → kAlreadyExists            410 → kFailedPrecondition
//   429, 502, 503, 504 → kUnavailable (retry later)                 anything else → kInternal
// The message is "HTTP <status>: <server message>". Pure, thread-safe.
#ifndef EDGETRUST_ENROLLMENT_CLIENT_HTTP_ERROR_H_
#define EDGETRUST_ENROLLMENT_CLIENT_HTTP_ERROR_H_

#include <string_view>

#include "common/error.h"

namespace edgetrust::enrollment::client {

ErrorCode ErrorCodeForStatus(int status);
Error HttpError(int status, std::string_view body);

}  // namespace edgetrust::enrollment::client

#endif  // EDGETRUST_ENROLLMENT_CLIENT_HTTP_ERROR_H_
