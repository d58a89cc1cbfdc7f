// Errors are values: every fallible edgetrust function returns Result<T>.
//
// An Error carries
//   - a coarse `code` (what a caller can branch on: retry, reject, report),
//   - a stable machine-readable `reason` ("quote.nonce_mismatch"), the value tests assert and
//     the audit log records,
//   - a human message for logs (never sent to remote clients as is), and
//   - the raw native code (TSS2_RC, OpenSSL error) when one caused it, 0 otherwise.
// No exception crosses a library boundary.
#ifndef EDGETRUST_COMMON_ERROR_H_
#define EDGETRUST_COMMON_ERROR_H_

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace edgetrust {

enum class ErrorCode {
  kInvalidArgument,     // the input is malformed or violates the contract
  kPermissionDenied,    // the evidence or caller is not trusted; do not retry with the same input
  kNotFound,            // an object, handle, file or NV index does not exist
  kAlreadyExists,       // creating something that is there
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kUnavailable,         // a device or peer cannot be reached now; retrying may succeed
  kResourceExhausted,   // a bound was hit (TPM object slots, queue cap, size limit)
  kInternal,            // a bug or an unexpected library failure
};

// ErrorCodeName returns the stable spelling of `code` ("invalid_argument").
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string reason;   // stable, dotted, lower case: "<area>.<what>"
  std::string message;  // for operators' logs
  uint64_t native = 0;  // TSS2_RC or OpenSSL error code, 0 when none

  // ToString renders "reason: message" for logs and command-line tools.
  std::string ToString() const;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

// Fail builds the unexpected value of any Result from its parts.
inline std::unexpected<Error> Fail(ErrorCode code, std::string reason, std::string message,
                                   uint64_t native = 0) {
  return std::unexpected<Error>(Error{code, std::move(reason), std::move(message), native});
}

// Fail(error) forwards an existing error, e.g. `if (!r) return Fail(r.error());`.
inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }

// Ok is the success value of a Status.
inline Status Ok() { return {}; }

}  // namespace edgetrust

#endif  // EDGETRUST_COMMON_ERROR_H_
