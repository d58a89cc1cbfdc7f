#include "enrollment/client/http_error.h"

#include <string>

#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::client {

ErrorCode ErrorCodeForStatus(int status) {
  switch (status) {
    case 400:
    case 413:
      return ErrorCode::kInvalidArgument;
    case 401:
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kAlreadyExists;
    case 410:
      return ErrorCode::kFailedPrecondition;
    case 429:
    case 502:
    case 503:
    case 504:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

Error HttpError(int status, std::string_view body) {
  std::string prefix = "HTTP " + std::to_string(status);
  auto parsed = api::ParseErrorBody(body);
  if (!parsed || parsed->error.empty()) {
    return Error{ErrorCodeForStatus(status), "http." + std::to_string(status),
                 prefix + " without an error body"};
  }
  return Error{ErrorCodeForStatus(status), parsed->error, prefix + ": " + parsed->message};
}

}  // namespace edgetrust::enrollment::client
