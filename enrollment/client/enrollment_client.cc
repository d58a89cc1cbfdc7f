// The only translation unit that includes cpprestsdk (expensive to compile): every cpprest
// exception is caught here and becomes an Error value.
#include "enrollment/client/enrollment_client.h"

#include <openssl/ssl.h>

#include <cpprest/http_client.h>

#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include "certs/certificate.h"
#include "common/file.h"
#include "enrollment/api/jws.h"
#include "enrollment/client/http_error.h"

namespace edgetrust::enrollment::client {
namespace {

namespace http = web::http;

std::unexpected<Error> Unreachable(const std::string& what) {
  return Fail(ErrorCode::kUnavailable, "client.unreachable", what);
}

std::unexpected<Error> BadResponse(const std::string& what) {
  return Fail(ErrorCode::kInternal, "client.bad_response", what);
}

bool IsSuccess(int status) { return status >= 200 && status < 300; }

std::unexpected<Error> BadCredentials(const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, "client.bad_credentials", what);
}

// TlsMaterial is what Create read and checked, installed into every TLS context cpprestsdk
// makes: the files are not read again, so what was checked is what is used.
struct TlsMaterial {
  std::vector<certs::Certificate> anchors;
  std::vector<certs::Certificate> client_chain;  // leaf first; empty without mutual TLS
  std::shared_ptr<const certs::Pkcs11PrivateKey> client_key;
};

// Install puts `tls` into `ctx`: only the anchors are trusted (the default-paths store is
// dropped), TLS 1.2 at least, and the client chain and key when there are some. A failing
// OpenSSL call leaves an anchor or the client certificate out, so the handshake fails: closed.
void Install(const TlsMaterial& tls, SSL_CTX* ctx) {
  X509_STORE* store = X509_STORE_new();
  SSL_CTX_set_cert_store(ctx, store);  // the context owns `store` from here on (or has none)
  if (store != nullptr) {
    for (const certs::Certificate& anchor : tls.anchors) {
      X509_STORE_add_cert(store, anchor.get0_x509());
    }
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (tls.client_key == nullptr) return;
  if (SSL_CTX_use_certificate(ctx, tls.client_chain.front().get0_x509()) != 1) return;
  for (size_t i = 1; i < tls.client_chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, tls.client_chain[i].get0_x509()) != 1) return;
  }
  SSL_CTX_use_PrivateKey(ctx, tls.client_key->get0_pkey());
}

// ReadClientCredentials reads the client chain and checks that its leaf certifies the key,
// so that a wrong pair is an error here rather than a failed handshake later. Without client
// credentials the chain is empty.
Result<std::vector<certs::Certificate>> ReadClientCredentials(const ClientOptions& options) {
  if (options.client_certificate_path.empty() != (options.client_key == nullptr)) {
    return BadCredentials("a client certificate and a client key go together");
  }
  if (options.client_key == nullptr) return std::vector<certs::Certificate>{};
  auto pem = ReadFile(options.client_certificate_path);
  if (!pem) return BadCredentials("cannot read client certificate: " + pem.error().ToString());
  auto chain = certs::Certificate::ChainFromPem(
      std::string_view(reinterpret_cast<const char*>(pem->data()), pem->size()));
  if (!chain) {
    return BadCredentials(options.client_certificate_path +
                          " holds no certificate: " + chain.error().ToString());
  }
  auto leaf_key = chain->front().public_key();
  if (!leaf_key || !leaf_key->Equals(options.client_key->public_key())) {
    return BadCredentials(options.client_certificate_path +
                          ": the first certificate is not for the client key");
  }
  options.client_key->RetainModuleUntilExit();
  return chain;
}

}  // namespace

class EnrollmentClient::Impl {
 public:
  explicit Impl(http::client::http_client client) : client_(std::move(client)) {}

  // Exchange sends one request and reads the whole answer; `binary` keeps the body's bytes
  // untouched (CRL).
  Result<HttpResponse> Exchange(std::string_view method, std::string_view path, std::string body,
                                std::string_view content_type) const {
    try {
      http::http_request request{std::string(method)};
      request.set_request_uri(std::string(path));
      if (!body.empty() || method == "POST") {
        request.set_body(std::move(body), std::string(content_type));
      }
      http::http_response response = client_.request(request).get();
      HttpResponse out;
      out.status = response.status_code();
      out.content_type = response.headers().content_type();
      auto nonce = response.headers().find("Replay-Nonce");
      if (nonce != response.headers().end()) out.replay_nonce = nonce->second;
      std::vector<unsigned char> bytes = response.extract_vector().get();
      out.body.assign(bytes.begin(), bytes.end());
      return out;
    } catch (const std::exception& e) {
      return Unreachable(std::string(method) + " " + std::string(path) + ": " + e.what());
    }
  }

  // Call is Exchange that turns a non-2xx answer into the server's error.
  Result<HttpResponse> Call(std::string_view method, std::string_view path, std::string body,
                            std::string_view content_type = "application/json") const {
    auto response = Exchange(method, path, std::move(body), content_type);
    if (!response) return Fail(response.error());
    if (!IsSuccess(response->status)) return Fail(HttpError(response->status, response->body));
    return response;
  }

 private:
  mutable http::client::http_client client_;
};

EnrollmentClient::EnrollmentClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EnrollmentClient::~EnrollmentClient() = default;

Result<std::unique_ptr<EnrollmentClient>> EnrollmentClient::Create(const ClientOptions& options) {
  auto bundle = ReadFile(options.ca_bundle_path);
  if (!bundle) {
    return Fail(ErrorCode::kInvalidArgument, "client.bad_ca_bundle",
                "cannot read CA bundle: " + bundle.error().ToString());
  }
  auto anchors = certs::Certificate::ChainFromPem(
      std::string_view(reinterpret_cast<const char*>(bundle->data()), bundle->size()));
  if (!anchors) {
    return Fail(ErrorCode::kInvalidArgument, "client.bad_ca_bundle",
                "CA bundle holds no certificate: " + anchors.error().ToString());
  }
  auto client_chain = ReadClientCredentials(options);
  if (!client_chain) return Fail(client_chain.error());
  auto tls = std::make_shared<const TlsMaterial>(
      TlsMaterial{std::move(*anchors), std::move(*client_chain), options.client_key});
  try {
    web::uri base(options.base_url);
    if (base.scheme() != "https" || base.host().empty() ||
        (!base.path().empty() && base.path() != "/")) {
      return Fail(ErrorCode::kInvalidArgument, "client.bad_url",
                  "base URL must be https://host[:port]");
    }
    http::client::http_client_config config;
    config.set_timeout(options.timeout);
    config.set_validate_certificates(true);
    config.set_ssl_context_callback(
        [tls](boost::asio::ssl::context& context) { Install(*tls, context.native_handle()); });
    http::client::http_client client(base, config);
    return std::unique_ptr<EnrollmentClient>(
        new EnrollmentClient(std::make_unique<Impl>(std::move(client))));
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInvalidArgument, "client.bad_url",
                "invalid base URL: " + std::string(e.what()));
  }
}

Result<api::ChallengeResponse> EnrollmentClient::Challenge(
    const api::ChallengeRequest& request) const {
  auto response = impl_->Call("POST", "/v1/attestation/challenge", api::ToJson(request));
  if (!response) return Fail(response.error());
  auto parsed = api::ParseChallengeResponse(response->body);
  if (!parsed) return BadResponse("challenge answer: " + parsed.error().ToString());
  return parsed;
}

Result<api::EnrollmentResponse> EnrollmentClient::Complete(
    const api::CompleteRequest& request) const {
  auto response = impl_->Call("POST", "/v1/attestation/complete", api::ToJson(request));
  if (!response) return Fail(response.error());
  auto parsed = api::ParseEnrollmentResponse(response->body);
  if (!parsed) return BadResponse("complete answer: " + parsed.error().ToString());
  return parsed;
}

Result<std::string> EnrollmentClient::NewNonce() const {
  auto response = impl_->Call("GET", "/v1/nonce", "");
  if (!response) return Fail(response.error());
  if (!response->replay_nonce || response->replay_nonce->empty()) {
    return BadResponse("nonce answer without Replay-Nonce");
  }
  return *response->replay_nonce;
}

Result<api::EnrollmentResponse> EnrollmentClient::Renew(
    std::string_view device_id, const api::RenewPayload& payload, std::string_view nonce,
    const certs::Signer& signer, const std::vector<Bytes>& certificate_chain_der) const {
  if (!api::ValidRegistrationId(device_id)) {
    return Fail(ErrorCode::kInvalidArgument, "request.bad_registration_id", "invalid device id");
  }
  std::string path = "/v1/devices/" + std::string(device_id) + "/renew";
  auto body = api::SignJws(signer, nonce, path, certificate_chain_der, api::ToJson(payload));
  if (!body) return Fail(body.error());
  auto response = impl_->Call("POST", path, std::move(*body));
  if (!response) return Fail(response.error());
  auto parsed = api::ParseEnrollmentResponse(response->body);
  if (!parsed) return BadResponse("renew answer: " + parsed.error().ToString());
  return parsed;
}

Result<std::string> EnrollmentClient::GetCaChain() const {
  auto response = impl_->Call("GET", "/v1/ca", "");
  if (!response) return Fail(response.error());
  return std::move(response->body);
}

Result<Bytes> EnrollmentClient::GetCrl() const {
  auto response = impl_->Call("GET", "/v1/crl", "");
  if (!response) return Fail(response.error());
  return Bytes(response->body.begin(), response->body.end());
}

Result<HttpResponse> EnrollmentClient::Send(std::string_view method, std::string_view path,
                                            std::string body, std::string_view content_type) const {
  return impl_->Exchange(method, path, std::move(body), content_type);
}

}  // namespace edgetrust::enrollment::client
