#include "common/openssl.h"

#include <openssl/err.h>

#include <string>

namespace edgetrust {

Error OpenSslError(ErrorCode code, std::string_view reason, std::string_view call) {
  std::string message(call);
  message += " failed";
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    message += "; ";
    message += buf;
    last = e;
  }
  return Error{code, std::string(reason), std::move(message), last};
}

const EVP_MD* EvpMd(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kSha1:
      return EVP_sha1();
    case HashAlgorithm::kSha256:
      return EVP_sha256();
    case HashAlgorithm::kSha384:
      return EVP_sha384();
    case HashAlgorithm::kSha512:
      return EVP_sha512();
  }
  return nullptr;
}

}  // namespace edgetrust
