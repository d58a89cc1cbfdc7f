// Generic signing of X.509 structures through the Signer seam (internal to edgetrust_certs).
//
// Certificates, CRLs and CSRs all end in the same SEQUENCE { toBeSigned, AlgorithmIdentifier,
// BIT STRING }. OpenSSL 3.0 signs only with an EVP_PKEY it holds, so we instead encode the
// to-be-signed part (with the AlgorithmIdentifier already inside it), hash it, let the Signer
// sign the digest, and assemble and re-parse the signed DER. The AlgorithmIdentifier comes from
// Signer::algorithm() only, so it always matches the signature.
#ifndef EDGETRUST_CERTS_X509_SIGN_H_
#define EDGETRUST_CERTS_X509_SIGN_H_

#include <openssl/x509.h>

#include "certs/signer.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/openssl.h"

namespace edgetrust::certs::internal {

// AlgorithmIdentifierDer is the DER AlgorithmIdentifier of `alg` (for RSA-PSS with explicit
// SHA-256 / MGF1-SHA-256 / salt 32 parameters).
ByteView AlgorithmIdentifierDer(SignatureAlgorithm alg);

// MakeAlgorithmIdentifier parses AlgorithmIdentifierDer(alg) into a new X509_ALGOR.
Result<OpenSslPtr<X509_ALGOR>> MakeAlgorithmIdentifier(SignatureAlgorithm alg);

// SignToBeSigned hashes `tbs`, has `signer` sign it, and returns the DER of
// SEQUENCE { tbs, AlgorithmIdentifierDer(signer.algorithm()), BIT STRING signature }.
Result<Bytes> SignToBeSigned(const Signer& signer, ByteView tbs);

// SignX509 sets both signature AlgorithmIdentifiers of `cert`, signs it, and returns the DER.
Result<Bytes> SignX509(const Signer& signer, X509* cert);
// SignCsr does the same for a request.
Result<Bytes> SignCsr(const Signer& signer, X509_REQ* req);

// NewCrlFor makes an empty v2 X509_CRL whose inner signature AlgorithmIdentifier is `alg`'s
// (OpenSSL 3.0 has no setter for it, so it is parsed from a skeleton).
Result<OpenSslPtr<X509_CRL>> NewCrlFor(SignatureAlgorithm alg);
// SignCrl signs a CRL made by NewCrlFor with the same algorithm.
Result<Bytes> SignCrl(const Signer& signer, X509_CRL* crl);

}  // namespace edgetrust::certs::internal

#endif  // EDGETRUST_CERTS_X509_SIGN_H_
