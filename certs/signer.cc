#include "certs/signer.h"

namespace edgetrust::certs {

HashAlgorithm SignatureHash(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEcdsaSha384:
      return HashAlgorithm::kSha384;
    case SignatureAlgorithm::kEcdsaSha256:
    case SignatureAlgorithm::kRsaPkcs1Sha256:
    case SignatureAlgorithm::kRsaPssSha256:
      return HashAlgorithm::kSha256;
  }
  return HashAlgorithm::kSha256;
}

std::string_view SignatureAlgorithmName(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEcdsaSha256:
      return "ecdsa-sha256";
    case SignatureAlgorithm::kEcdsaSha384:
      return "ecdsa-sha384";
    case SignatureAlgorithm::kRsaPkcs1Sha256:
      return "rsa-pkcs1-sha256";
    case SignatureAlgorithm::kRsaPssSha256:
      return "rsa-pss-sha256";
  }
  return "unknown";
}

std::string_view JwsAlgorithmName(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEcdsaSha256:
      return "ES256";
    case SignatureAlgorithm::kEcdsaSha384:
      return "ES384";
    case SignatureAlgorithm::kRsaPkcs1Sha256:
      return "RS256";
    case SignatureAlgorithm::kRsaPssSha256:
      return "PS256";
  }
  return "unknown";
}

SignatureScheme SignatureSchemeOf(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEcdsaSha256:
    case SignatureAlgorithm::kEcdsaSha384:
      return SignatureScheme::kEcdsaDer;
    case SignatureAlgorithm::kRsaPkcs1Sha256:
      return SignatureScheme::kRsaPkcs1;
    case SignatureAlgorithm::kRsaPssSha256:
      return SignatureScheme::kRsaPss;
  }
  return SignatureScheme::kEcdsaDer;
}

Status CheckAlgorithmFitsKey(SignatureAlgorithm alg, KeyType key) {
  bool fits = false;
  switch (alg) {
    case SignatureAlgorithm::kEcdsaSha256:
      fits = key == KeyType::kEcP256;
      break;
    case SignatureAlgorithm::kEcdsaSha384:
      fits = key == KeyType::kEcP384;
      break;
    case SignatureAlgorithm::kRsaPkcs1Sha256:
    case SignatureAlgorithm::kRsaPssSha256:
      fits = key == KeyType::kRsa;
      break;
  }
  if (!fits) {
    return Fail(ErrorCode::kInvalidArgument, "signer.algorithm_mismatch",
                std::string(SignatureAlgorithmName(alg)) + " does not fit the key type");
  }
  return Ok();
}

Result<SignatureAlgorithm> DefaultSignatureAlgorithm(KeyType key) {
  switch (key) {
    case KeyType::kEcP256:
      return SignatureAlgorithm::kEcdsaSha256;
    case KeyType::kEcP384:
      return SignatureAlgorithm::kEcdsaSha384;
    case KeyType::kRsa:
      return SignatureAlgorithm::kRsaPkcs1Sha256;
    case KeyType::kEcP521:
      break;
  }
  return Fail(ErrorCode::kInvalidArgument, "signer.unsupported_key",
              "no signature algorithm for this key type (P-521 is not supported)");
}

Status CheckDigestSize(SignatureAlgorithm alg, ByteView digest) {
  if (digest.size() != DigestSize(SignatureHash(alg))) {
    return Fail(ErrorCode::kInvalidArgument, "signer.digest_size",
                "digest has " + std::to_string(digest.size()) + " bytes, " +
                    std::string(SignatureAlgorithmName(alg)) + " needs " +
                    std::to_string(DigestSize(SignatureHash(alg))));
  }
  return Ok();
}

}  // namespace edgetrust::certs
