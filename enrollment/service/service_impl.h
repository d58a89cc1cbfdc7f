// EnrollmentService::Impl: the state and shared steps of the service (internal header).
// The request handlers live in challenge.cc, complete.cc and renew.cc; issuance and decision
// recording in issuance.cc.
#ifndef EDGETRUST_ENROLLMENT_SERVICE_SERVICE_IMPL_H_
#define EDGETRUST_ENROLLMENT_SERVICE_SERVICE_IMPL_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "attestation/quote_verifier.h"
#include "common/public_key.h"
#include "enrollment/service/audit_sink.h"
#include "enrollment/service/challenge_store.h"
#include "enrollment/service/enrollment_service.h"
#include "enrollment/service/metrics.h"
#include "enrollment/service/nonce_store.h"

namespace edgetrust::enrollment::service {

// AuditDetails become the record's details object; values are ids, digests, fingerprints.
using AuditDetails = std::map<std::string, std::string>;

class EnrollmentService::Impl {
 public:
  Impl(ServiceDependencies deps, ServiceOptions options)
      : deps_(std::move(deps)), options_(std::move(options)) {}

  Result<api::ChallengeResponse> Challenge(const api::ChallengeRequest& request);
  Result<api::EnrollmentResponse> Complete(const api::CompleteRequest& request);
  Result<api::EnrollmentResponse> Renew(const std::string& device_id, std::string_view path,
                                        std::string_view jws_body);
  Result<std::string> NewNonce();
  std::string CaChainPem() const;
  Result<Bytes> Crl();
  void InvalidateCrl();
  Metrics& metrics() { return *deps_.metrics; }

 private:
  std::time_t Now() const { return deps_.clock(); }
  store::AuditRecord MakeAudit(const std::string& action, const std::string& subject,
                               const std::string& outcome, const std::string& reason,
                               const AuditDetails& details) const;
  // Reject records a rejected decision (store audit table, audit sink, metrics) and returns
  // `error` for the caller to pass on. With `attestation_failure`, the store also marks the
  // device failed_attestation (THREATS E10).
  std::unexpected<Error> Reject(const std::string& action, const std::string& subject,
                                const Error& error, AuditDetails details,
                                bool attestation_failure = false);
  // IssueAndRecord issues the certificate for `device` (subject and SANs from the device id
  // and the options, never from the CSR), commits device + certificate + audit durably, then
  // writes the audit sink and metrics, and builds the answer.
  Result<api::EnrollmentResponse> IssueAndRecord(const std::string& action, store::Device device,
                                                 const PublicKey& identity_key,
                                                 const attestation::TpmClock& clock,
                                                 AuditDetails details);
  // KnownDevice: the device record for `id`, std::nullopt if none; store errors pass on.
  Result<std::optional<store::Device>> KnownDevice(const std::string& id);

  ServiceDependencies deps_;
  ServiceOptions options_;

  std::mutex crl_mu_;
  std::optional<Bytes> crl_;
  std::time_t crl_issued_at_ = 0;
};

// Rfc3339 formats Unix time as "2026-12-26T08:00:00Z".
std::string Rfc3339(std::time_t t);

}  // namespace edgetrust::enrollment::service

#endif  // EDGETRUST_ENROLLMENT_SERVICE_SERVICE_IMPL_H_
