// ServerTlsContext holds what both listeners need to set up TLS, loaded once at startup, and
// applies it to the OpenSSL context cpprestsdk creates for every accepted connection
// (set_ssl_context_callback runs per connection, on an I/O thread, with ctx.native_handle()).
//
// Policy: TLS 1.2 minimum (1.3 preferred: it is the highest version both sides offer), TLS 1.2
// limited to ECDHE with AES-GCM or ChaCha20-Poly1305, no renegotiation, no compression, no
// session tickets; the certificate chain from a PEM file; the private key from the token
// (TlsKey, never a file). With `client_ca_file` set it is mutual TLS: a client certificate is
// required and must chain to that bundle (verify_peer | fail_if_no_peer_cert), or the
// handshake fails (THREATS E17).
//
// Create validates everything on a scratch context, so Apply cannot fail for configuration
// reasons. Thread-safe after Create (Apply only reads shared, reference-counted objects).
// Errors: kInvalidArgument "tls.certificate" (chain unreadable or empty), "tls.key_mismatch"
// (the token key does not match the certificate), "tls.client_ca"; kInternal "tls.setup".
#ifndef EDGETRUST_ENROLLMENT_SERVER_TLS_CONTEXT_H_
#define EDGETRUST_ENROLLMENT_SERVER_TLS_CONTEXT_H_

#include <memory>
#include <string>

#include "common/error.h"
#include "enrollment/server/tls_key.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace edgetrust::enrollment::server {

struct TlsSettings {
  std::string certificate_chain_file;
  std::shared_ptr<const TlsKey> key;
  std::string client_ca_file;  // "" = no client certificates asked for
};

class ServerTlsContext {
 public:
  static Result<std::shared_ptr<const ServerTlsContext>> Create(const TlsSettings& settings);
  ~ServerTlsContext();

  // Apply configures `ctx` (a fresh server SSL_CTX).
  Status Apply(ssl_ctx_st* ctx) const;

 private:
  struct Loaded;
  explicit ServerTlsContext(std::unique_ptr<Loaded> loaded);
  std::unique_ptr<Loaded> loaded_;
};

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_TLS_CONTEXT_H_
