// EnrollmentService is the device API's logic, with no sockets: the two-round-trip
// attestation (challenge, complete), signed renewals, replay nonces, the CA chain and the CRL.
// The transport (enrollment/server/) parses bodies into api:: wire types, calls these methods
// and maps an Error to a status with api::HttpStatusFor; it never sees evidence internals.
//
// Every decision (accepted or rejected) appends one audit record with a stable reason and
// updates the metrics; nothing is issued or stored for a rejected request except the audit
// record (and, for THREATS E10, the device's failed-attestation status).
//
// Thread-safe: all state is in the Store, the ChallengeStore, the NonceStore and the metrics,
// each thread-safe.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_ENROLLMENT_SERVICE_H_
#define EDGETRUST_ENROLLMENT_SERVICE_ENROLLMENT_SERVICE_H_

#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "certs/certificate_authority.h"
#include "common/bytes.h"
#include "common/error.h"
#include "enrollment/api/wire.h"
#include "enrollment/store/store.h"

namespace edgetrust::enrollment::service {

class Metrics;         // metrics.h
class AuditSink;       // audit_sink.h
class ChallengeStore;  // challenge_store.h
class NonceStore;      // nonce_store.h

struct ServiceOptions {
  std::chrono::seconds challenge_ttl{60};
  size_t max_pending_challenges = 100000;
  std::chrono::seconds nonce_ttl{300};
  std::chrono::seconds certificate_lifetime{std::chrono::hours(24 * 30)};
  std::chrono::seconds crl_validity{std::chrono::hours(24)};
  // URI SAN template for issued certificates; "{id}" is replaced by the device id. Empty: none.
  std::string uri_san_template = "urn:edgetrust:device:{id}";
  // DNS SAN suffix: "<id>.<suffix>" when non-empty.
  std::string dns_san_suffix;
};

// Clock returns the current Unix time; tests inject their own.
using Clock = std::function<std::time_t()>;

struct ServiceDependencies {
  std::shared_ptr<store::Store> store;
  std::shared_ptr<const certs::CertificateAuthority> ca;
  std::shared_ptr<ChallengeStore> challenges;
  std::shared_ptr<NonceStore> nonces;
  std::shared_ptr<Metrics> metrics;
  std::shared_ptr<AuditSink> audit;  // JSON-lines file (in addition to the store's table)
  Clock clock;
};

class EnrollmentService {
 public:
  // Create checks that every dependency is present (kInvalidArgument "service.config");
  // `clock` defaults to std::time.
  static Result<std::unique_ptr<EnrollmentService>> Create(ServiceDependencies deps,
                                                           ServiceOptions options);
  ~EnrollmentService();
  EnrollmentService(const EnrollmentService&) = delete;
  EnrollmentService& operator=(const EnrollmentService&) = delete;

  // Challenge: round trip 1 (E1-E5 are decided here).
  Result<api::ChallengeResponse> Challenge(const api::ChallengeRequest& request);
  // Complete: round trip 2 (E6-E14).
  Result<api::EnrollmentResponse> Complete(const api::CompleteRequest& request);
  // Renew: `jws_body` is the raw request body (flattened JWS), `path` the request path
  // (checked against the protected header's url), `device_id` from the path (E15).
  Result<api::EnrollmentResponse> Renew(const std::string& device_id, std::string_view path,
                                        std::string_view jws_body);
  // NewNonce issues a Replay-Nonce (base64url); a full nonce store evicts its oldest nonce.
  Result<std::string> NewNonce();

  // CaChainPem is the issuing CA chain; Crl is the current CRL (DER), re-signed when a
  // revocation happened or it is older than half its validity.
  std::string CaChainPem() const;
  Result<Bytes> Crl();
  // InvalidateCrl is called by the operator side after a revocation.
  void InvalidateCrl();

  // metrics: the transport records requests and latency here; the service records decisions.
  Metrics& metrics();

 private:
  class Impl;
  explicit EnrollmentService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_ENROLLMENT_SERVICE_H_
