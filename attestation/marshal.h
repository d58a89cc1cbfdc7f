// Marshal and Unmarshal wrap the tss2-mu functions for one TPM type.
//
// Unmarshal is strict: the input must be exactly one marshalled value (no trailing bytes), so
// that the bytes a verifier checks are the bytes it parsed. Failures are kInvalidArgument with
// reason "tpm.malformed" and a message naming `what`.
//
//   auto pub = Unmarshal<TPM2B_PUBLIC>(bytes, Tss2_MU_TPM2B_PUBLIC_Unmarshal, "AK public");
#ifndef EDGETRUST_ATTESTATION_MARSHAL_H_
#define EDGETRUST_ATTESTATION_MARSHAL_H_

#include <tss2/tss2_mu.h>

#include <string>
#include <string_view>

#include "attestation/tss_log.h"
#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::attestation {

template <typename T>
using MarshalFn = TSS2_RC (*)(const T*, uint8_t*, size_t, size_t*);
template <typename T>
using UnmarshalFn = TSS2_RC (*)(const uint8_t*, size_t, size_t*, T*);

template <typename T>
Result<Bytes> Marshal(const T& value, MarshalFn<T> fn, std::string_view what) {
  Bytes out(sizeof(T) + 64);  // a marshalled TPM value never exceeds its C struct
  size_t offset = 0;
  if (fn(&value, out.data(), out.size(), &offset) != TSS2_RC_SUCCESS) {
    return Fail(ErrorCode::kInvalidArgument, "tpm.malformed",
                "cannot marshal " + std::string(what));
  }
  out.resize(offset);
  return out;
}

template <typename T>
Result<T> Unmarshal(ByteView data, UnmarshalFn<T> fn, std::string_view what) {
  SilenceTssLogging();  // the MU library logs each malformed input; untrusted input is normal
  T value{};
  size_t offset = 0;
  if (fn(data.data(), data.size(), &offset, &value) != TSS2_RC_SUCCESS) {
    return Fail(ErrorCode::kInvalidArgument, "tpm.malformed", "malformed " + std::string(what));
  }
  if (offset != data.size()) {
    return Fail(
        ErrorCode::kInvalidArgument, "tpm.malformed",
        std::string(what) + " has " + std::to_string(data.size() - offset) + " trailing bytes");
  }
  return value;
}

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_MARSHAL_H_
