// TlsKey is the TLS server private key of a listener, held in a PKCS#11 token and reached
// through libp11: an OpenSSL EVP_PKEY whose signing operations run inside the token. The
// process never holds the key bytes; the key file of a classic TLS server does not exist.
//
// A TlsKey owns its libp11 context, slot list and login; the EVP_PKEY it lends is valid while
// the TlsKey lives (an SSL_CTX that uses it takes its own reference, but signing still needs
// the session, so keep the TlsKey alive as long as the listener serves).
// Thread-safety: OpenSSL may sign from several handshake threads at once; libp11 serialises
// operations on the slot's session itself.
// Errors: kInvalidArgument "tls.bad_key_uri"; kUnavailable "pkcs11.module"; kNotFound
// "pkcs11.no_token" / "pkcs11.no_key"; kPermissionDenied "pkcs11.login"; kInternal
// "pkcs11.failed".
#ifndef EDGETRUST_ENROLLMENT_SERVER_TLS_KEY_H_
#define EDGETRUST_ENROLLMENT_SERVER_TLS_KEY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"
#include "common/secret_bytes.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace edgetrust::enrollment::server {

// Pkcs11KeyUri is the part of an RFC 7512 URI that selects a private key.
struct Pkcs11KeyUri {
  std::string token;                 // token label (required)
  std::optional<std::string> label;  // object=
  std::optional<Bytes> id;           // id= (percent-encoded bytes)
};

// ParsePkcs11KeyUri accepts "pkcs11:token=..;object=..;id=%01;type=private" (path attributes
// only; a query such as ?pin-value is rejected so PINs never sit in config). Needs token and
// object or id; type, when present, must be "private".
Result<Pkcs11KeyUri> ParsePkcs11KeyUri(std::string_view uri);

class TlsKey {
 public:
  static Result<std::unique_ptr<TlsKey>> Open(const std::string& module_path,
                                              std::string_view key_uri, const SecretBytes& pin);
  ~TlsKey();
  TlsKey(const TlsKey&) = delete;
  TlsKey& operator=(const TlsKey&) = delete;

  // get0_pkey borrows the private key handle for SSL_CTX_use_PrivateKey.
  evp_pkey_st* get0_pkey() const { return pkey_; }

 private:
  struct Pkcs11State;
  TlsKey(std::unique_ptr<Pkcs11State> state, evp_pkey_st* pkey);
  std::unique_ptr<Pkcs11State> state_;
  evp_pkey_st* pkey_;  // owned, freed before the context
};

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_TLS_KEY_H_
