#include "enrollment/server/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <vector>

#include "common/openssl.h"

namespace edgetrust::enrollment::server {
namespace {

// TLS 1.2 suites: forward secrecy and AEAD only. TLS 1.3 keeps OpenSSL's default suites
// (all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305";

struct StoreFree {
  void operator()(X509_STORE* s) const noexcept { X509_STORE_free(s); }
};
struct NamesFree {
  void operator()(STACK_OF(X509_NAME) * n) const noexcept {
    sk_X509_NAME_pop_free(n, X509_NAME_free);
  }
};
struct CtxFree {
  void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};

Result<std::vector<OpenSslPtr<X509>>> ReadPemCertificates(const std::string& path,
                                                          const char* reason) {
  OpenSslPtr<BIO> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    return Fail(ErrorCode::kInvalidArgument, reason, "cannot read " + path);
  }
  std::vector<OpenSslPtr<X509>> certs;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(x);
  }
  ERR_clear_error();  // the loop ends with a "no start line" error
  if (certs.empty()) {
    return Fail(ErrorCode::kInvalidArgument, reason, "no PEM certificate in " + path);
  }
  return certs;
}

}  // namespace

struct ServerTlsContext::Loaded {
  std::vector<OpenSslPtr<X509>> chain;  // leaf first
  std::shared_ptr<const TlsKey> key;
  std::unique_ptr<X509_STORE, StoreFree> client_store;  // null: no mTLS
  std::unique_ptr<STACK_OF(X509_NAME), NamesFree> client_names;
};

ServerTlsContext::ServerTlsContext(std::unique_ptr<Loaded> loaded) : loaded_(std::move(loaded)) {}
ServerTlsContext::~ServerTlsContext() = default;

Result<std::shared_ptr<const ServerTlsContext>> ServerTlsContext::Create(
    const TlsSettings& settings) {
  if (!settings.key) return Fail(ErrorCode::kInternal, "tls.setup", "no TLS key");
  auto loaded = std::make_unique<Loaded>();
  auto chain = ReadPemCertificates(settings.certificate_chain_file, "tls.certificate");
  if (!chain) return Fail(chain.error());
  loaded->chain = std::move(*chain);
  loaded->key = settings.key;
  if (!settings.client_ca_file.empty()) {
    auto cas = ReadPemCertificates(settings.client_ca_file, "tls.client_ca");
    if (!cas) return Fail(cas.error());
    loaded->client_store.reset(X509_STORE_new());
    loaded->client_names.reset(sk_X509_NAME_new_null());
    if (!loaded->client_store || !loaded->client_names) {
      return Fail(ErrorCode::kInternal, "tls.setup", "out of memory");
    }
    for (const auto& ca : *cas) {
      X509_NAME* name = X509_NAME_dup(X509_get_subject_name(ca.get()));
      if (X509_STORE_add_cert(loaded->client_store.get(), ca.get()) != 1 || name == nullptr ||
          sk_X509_NAME_push(loaded->client_names.get(), name) <= 0) {
        X509_NAME_free(name);
        return Fail(
            OpenSslError(ErrorCode::kInvalidArgument, "tls.client_ca", "X509_STORE_add_cert"));
      }
    }
  }
  auto context = std::shared_ptr<const ServerTlsContext>(new ServerTlsContext(std::move(loaded)));
  // Validate on a scratch context: key/certificate match and every call succeeding.
  std::unique_ptr<SSL_CTX, CtxFree> scratch(SSL_CTX_new(TLS_server_method()));
  if (!scratch) return Fail(OpenSslError(ErrorCode::kInternal, "tls.setup", "SSL_CTX_new"));
  if (auto ok = context->Apply(scratch.get()); !ok) return Fail(ok.error());
  if (SSL_CTX_check_private_key(scratch.get()) != 1) {
    Error e =
        OpenSslError(ErrorCode::kInvalidArgument, "tls.key_mismatch", "SSL_CTX_check_private_key");
    e.message = "the token's TLS key does not match " + settings.certificate_chain_file;
    return Fail(e);
  }
  return context;
}

Status ServerTlsContext::Apply(ssl_ctx_st* ctx) const {
  if (ctx == nullptr) return Fail(ErrorCode::kInternal, "tls.setup", "no SSL_CTX");
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    return Fail(OpenSslError(ErrorCode::kInternal, "tls.setup", "SSL_CTX_set_min_proto_version"));
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return Fail(OpenSslError(ErrorCode::kInternal, "tls.setup", "SSL_CTX_set_cipher_list"));
  }
  if (SSL_CTX_use_certificate(ctx, loaded_->chain.front().get()) != 1) {
    return Fail(
        OpenSslError(ErrorCode::kInvalidArgument, "tls.certificate", "SSL_CTX_use_certificate"));
  }
  SSL_CTX_clear_chain_certs(ctx);
  for (size_t i = 1; i < loaded_->chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, loaded_->chain[i].get()) != 1) {
      return Fail(
          OpenSslError(ErrorCode::kInvalidArgument, "tls.certificate", "SSL_CTX_add1_chain_cert"));
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx, loaded_->key->get0_pkey()) != 1) {
    return Fail(
        OpenSslError(ErrorCode::kInvalidArgument, "tls.key_mismatch", "SSL_CTX_use_PrivateKey"));
  }
  if (loaded_->client_store) {
    if (SSL_CTX_set1_verify_cert_store(ctx, loaded_->client_store.get()) != 1) {
      return Fail(
          OpenSslError(ErrorCode::kInternal, "tls.setup", "SSL_CTX_set1_verify_cert_store"));
    }
    STACK_OF(X509_NAME)* names = SSL_dup_CA_list(loaded_->client_names.get());
    if (names == nullptr) return Fail(ErrorCode::kInternal, "tls.setup", "SSL_dup_CA_list");
    SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    SSL_CTX_set_verify_depth(ctx, 4);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  return Ok();
}

}  // namespace edgetrust::enrollment::server
