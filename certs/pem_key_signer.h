// PemKeySigner: a Signer over a private key read from a PEM file into this process's memory.
//
// DEVELOPMENT ONLY. It is the one exception to "private keys live in the TPM or the HSM"
// (STYLE.md), and exists so that a developer can sign test deployments with
// `edgetrust manifest sign --key-file` without setting up a token. Production signing uses
// Pkcs11Signer (pkcs11_signer.h), whose key never leaves the HSM. The exception is kept narrow:
//   - the key bytes never leave the object: there is no accessor, no export, no copy; the file
//     contents are read into a SecretBytes and wiped once OpenSSL has parsed them, and the
//     EVP_PKEY is freed (OpenSSL clears private key material) with the signer;
//   - only unencrypted PKCS#8 ("PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") and PKCS#1 ("RSA
//     PRIVATE KEY") PEM; an encrypted key is refused rather than prompting for a passphrase.
//
// The signature algorithm follows the key: P-256 → kEcdsaSha256, P-384 → kEcdsaSha384, RSA →
// kRsaPkcs1Sha256 unless `algorithm` asks for kRsaPssSha256 (as Pkcs11Signer does).
// Errors: kNotFound "pemkey.missing" (no such file), kInvalidArgument "pemkey.malformed" (not
// one PEM private key), "pemkey.encrypted", "signer.unsupported_key" (P-521, Ed25519, ...),
// "signer.algorithm_mismatch"; other file errors as ReadFile reports them.
// Thread-safe after creation (each Sign uses its own OpenSSL context).
#ifndef EDGETRUST_CERTS_PEM_KEY_SIGNER_H_
#define EDGETRUST_CERTS_PEM_KEY_SIGNER_H_

#include <memory>
#include <optional>
#include <string>

#include "certs/signer.h"
#include "common/error.h"
#include "common/secret_bytes.h"

namespace edgetrust::certs {

// OpenPemKeySigner reads the key file at `path` (at most 64 KiB).
Result<std::unique_ptr<Signer>> OpenPemKeySigner(
    const std::string& path, std::optional<SignatureAlgorithm> algorithm = std::nullopt);

// PemKeySignerFromPem parses PEM text already in memory (the caller keeps and wipes `pem`).
Result<std::unique_ptr<Signer>> PemKeySignerFromPem(
    const SecretBytes& pem, std::optional<SignatureAlgorithm> algorithm = std::nullopt);

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_PEM_KEY_SIGNER_H_
