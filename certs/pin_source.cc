#include <cstdlib>

#include "certs/pkcs11_signer.h"
#include "common/file.h"

namespace edgetrust::certs {

Result<SecretBytes> ReadPin(const PinSource& source) {
  Bytes raw;
  if (source.kind == PinSource::Kind::kFile) {
    auto file = ReadFile(source.location, 4096);
    if (!file) {
      if (file.error().code == ErrorCode::kNotFound) {
        return Fail(ErrorCode::kNotFound, "pin.missing", "no PIN file " + source.location);
      }
      return Fail(file.error());
    }
    raw = std::move(*file);
  } else {
    const char* value = std::getenv(source.location.c_str());
    if (value != nullptr) raw = ToBytes(value);
  }
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.pop_back();
  SecretBytes pin = SecretBytes::CopyFrom(raw);
  WipeBytes(raw);
  if (pin.empty()) {
    return Fail(ErrorCode::kNotFound, "pin.missing",
                std::string(source.kind == PinSource::Kind::kFile ? "PIN file " : "variable ") +
                    source.location + " is missing or empty");
  }
  return pin;
}

}  // namespace edgetrust::certs
