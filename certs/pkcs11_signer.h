// Pkcs11Signer: a Signer whose key lives in a PKCS#11 token (SoftHSM in tests, any HSM in
// production), reached through libp11. Keys are named by RFC 7512 URIs
// ("pkcs11:token=edgetrust-ca;object=device-ca;type=private"); the module path and the PIN
// source are configuration. The process holds a session and a key handle, never key bytes.
//
// Thread-safe: signing is serialised on one session per signer (libp11 sessions are not
// shared across threads).
// Known limit: libp11 0.4.12 keeps its own heap copy of the user PIN (to log in again after a
// fork) until the process exits and never wipes it; our copy is a SecretBytes and is wiped.
// Errors: kInvalidArgument "pkcs11.bad_uri"; kUnavailable "pkcs11.module" (module cannot be
// loaded), kNotFound "pkcs11.no_token" / "pkcs11.no_key"; kPermissionDenied "pkcs11.login"
// (wrong PIN); kInternal "pkcs11.failed"; PIN sources: kNotFound "pin.missing".
#ifndef EDGETRUST_CERTS_PKCS11_SIGNER_H_
#define EDGETRUST_CERTS_PKCS11_SIGNER_H_

#include <memory>
#include <string>

#include "certs/signer.h"
#include "common/error.h"
#include "common/secret_bytes.h"

namespace edgetrust::certs {

// PinSource says where the token PIN comes from: the contents of a file (trailing newline
// stripped; the file should be 0600) or an environment variable. Never a literal in config.
struct PinSource {
  enum class Kind { kFile, kEnvironment } kind = Kind::kEnvironment;
  std::string location;  // file path or variable name
};

// ReadPin resolves `source` into the PIN.
Result<SecretBytes> ReadPin(const PinSource& source);

struct Pkcs11Config {
  std::string module_path;  // e.g. /usr/lib/softhsm/libsofthsm2.so
  std::string key_uri;      // RFC 7512; token and object (label) and/or id select the key
  PinSource pin;
};

// OpenPkcs11Signer logs in and finds the private key and its public key. The signature
// algorithm follows the key: EC P-256 → kEcdsaSha256, P-384 → kEcdsaSha384, RSA → PKCS#1 v1.5.
Result<std::unique_ptr<Signer>> OpenPkcs11Signer(const Pkcs11Config& config);

// GeneratePkcs11EcKey makes an EC P-256 key pair in the token named by config.key_uri (token
// and object label required, id optional): private key CKA_SENSITIVE, not CKA_EXTRACTABLE,
// CKA_SIGN only. kAlreadyExists "pkcs11.key_exists" when a key with that label is there.
Status GeneratePkcs11EcKey(const Pkcs11Config& config);

}  // namespace edgetrust::certs

#endif  // EDGETRUST_CERTS_PKCS11_SIGNER_H_
