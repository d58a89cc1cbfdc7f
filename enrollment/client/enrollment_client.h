// EnrollmentClient talks HTTPS to the enrollment service's device API
// (docs/enrollment-protocol.md): the two attestation round trips, replay nonces, signed
// renewals, the CA chain and the CRL. It is the transport only: the requests come from
// evidence.h (TPM) or testing/software_device.h (simulated device).
//
// TLS: the service's certificate must chain to a certificate in `ca_bundle_path` (and only
// there: the system trust store is not used) and name the URL's host (IP or DNS SAN).
// Connections are kept alive and reused across requests. With client credentials the client
// also authenticates itself (mutual TLS, the operator API): the private key stays in its
// PKCS#11 token. Create reads and checks the bundle and the client chain once; every
// connection uses those (later changes to the files take a new client).
//
// Errors are values; no exception leaves this class:
//   - a non-2xx answer: HttpError (http_error.h), i.e. the server's reason code
//     ("quote.nonce_mismatch", "challenge.used", ...) with a code from the status;
//   - no answer (connection refused, TLS failure, timeout): kUnavailable "client.unreachable";
//   - a 2xx answer that is not the documented shape: kInternal "client.bad_response";
//   - bad options: kInvalidArgument "client.bad_url" / "client.bad_ca_bundle" /
//     "client.bad_credentials" (certificate unreadable or not for the key).
//
// Thread-safe: requests may be issued concurrently from several threads (they share the
// connection pool).
#ifndef EDGETRUST_ENROLLMENT_CLIENT_ENROLLMENT_CLIENT_H_
#define EDGETRUST_ENROLLMENT_CLIENT_ENROLLMENT_CLIENT_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/pkcs11_key.h"
#include "certs/signer.h"
#include "common/bytes.h"
#include "common/error.h"
#include "enrollment/api/wire.h"

namespace edgetrust::enrollment::client {

struct ClientOptions {
  std::string base_url;        // "https://127.0.0.1:8443" (no path)
  std::string ca_bundle_path;  // PEM certificates that anchor the service's TLS certificate
  std::chrono::milliseconds timeout{30000};
  // Mutual TLS, both or neither: the client certificate chain (PEM, leaf first) and its key in
  // a token. The client calls client_key->RetainModuleUntilExit() (cpprestsdk frees TLS
  // contexts on its own threads, after the client is gone).
  std::string client_certificate_path{};
  std::shared_ptr<const certs::Pkcs11PrivateKey> client_key{};
};

// HttpResponse is an answer of Send, whatever its status.
struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::optional<std::string> replay_nonce;  // the Replay-Nonce header, when present
};

class EnrollmentClient {
 public:
  static Result<std::unique_ptr<EnrollmentClient>> Create(const ClientOptions& options);
  ~EnrollmentClient();
  EnrollmentClient(const EnrollmentClient&) = delete;
  EnrollmentClient& operator=(const EnrollmentClient&) = delete;

  // POST /v1/attestation/challenge.
  Result<api::ChallengeResponse> Challenge(const api::ChallengeRequest& request) const;
  // POST /v1/attestation/complete.
  Result<api::EnrollmentResponse> Complete(const api::CompleteRequest& request) const;
  // GET /v1/nonce: a fresh Replay-Nonce (base64url text, as issued). A 2xx answer without the
  // header is "client.bad_response".
  Result<std::string> NewNonce() const;
  // POST /v1/devices/{device_id}/renew with a flattened JWS (api::SignJws) over `payload`,
  // signed by `signer` (the identity key), with protected header nonce `nonce` (from
  // NewNonce; the payload's evidence must be bound to its decoded bytes) and x5c
  // `certificate_chain_der` (the device certificate first).
  Result<api::EnrollmentResponse> Renew(std::string_view device_id,
                                        const api::RenewPayload& payload, std::string_view nonce,
                                        const certs::Signer& signer,
                                        const std::vector<Bytes>& certificate_chain_der) const;
  // GET /v1/ca: the CA chain, PEM.
  Result<std::string> GetCaChain() const;
  // GET /v1/crl: the current CRL, DER.
  Result<Bytes> GetCrl() const;

  // Send issues one raw request (for tests: malformed bodies, replays, other paths). Any HTTP
  // status is a value; only "client.unreachable" is an error.
  Result<HttpResponse> Send(std::string_view method, std::string_view path, std::string body,
                            std::string_view content_type = "application/json") const;

 private:
  class Impl;
  explicit EnrollmentClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgetrust::enrollment::client

#endif  // EDGETRUST_ENROLLMENT_CLIENT_ENROLLMENT_CLIENT_H_
