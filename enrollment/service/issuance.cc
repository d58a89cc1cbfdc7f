// Recording decisions and issuing certificates: the steps every handler ends with.
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "enrollment/service/service_impl.h"

namespace edgetrust::enrollment::service {
namespace {

std::string ReplaceId(std::string text, const std::string& id) {
  for (size_t pos = text.find("{id}"); pos != std::string::npos; pos = text.find("{id}", pos)) {
    text.replace(pos, 4, id);
    pos += id.size();
  }
  return text;
}

}  // namespace

std::string Rfc3339(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

store::AuditRecord EnrollmentService::Impl::MakeAudit(const std::string& action,
                                                      const std::string& subject,
                                                      const std::string& outcome,
                                                      const std::string& reason,
                                                      const AuditDetails& details) const {
  store::AuditRecord record;
  record.time = Now();
  record.actor = subject.empty() ? "device:unknown" : "device:" + subject;
  record.action = action;
  record.subject = subject;
  record.outcome = outcome;
  record.reason = reason;
  nlohmann::json d = nlohmann::json::object();
  for (const auto& [k, v] : details) d[k] = v;
  record.details = d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return record;
}

std::unexpected<Error> EnrollmentService::Impl::Reject(const std::string& action,
                                                       const std::string& subject,
                                                       const Error& error, AuditDetails details,
                                                       bool attestation_failure) {
  details["code"] = std::string(ErrorCodeName(error.code));
  const store::AuditRecord audit = MakeAudit(action, subject, "rejected", error.reason, details);
  Status stored = attestation_failure
                      ? deps_.store->RecordAttestationFailure(subject, error.reason, audit)
                      : deps_.store->AppendAudit(audit);
  if (!stored) LogError("audit record not stored: " + stored.error().ToString());
  if (auto written = deps_.audit->Write(audit); !written) {
    LogError("audit sink: " + written.error().ToString());
  }
  deps_.metrics->CountDecision(action, "rejected", error.reason);
  LogInfo(action + " rejected for '" + subject + "': " + error.ToString());
  return Fail(error);
}

Result<api::EnrollmentResponse> EnrollmentService::Impl::IssueAndRecord(
    const std::string& action, store::Device device, const PublicKey& identity_key,
    const attestation::TpmClock& clock, AuditDetails details) {
  const std::time_t now = Now();
  const std::string& id = device.device_id;
  certs::LeafProfile profile;
  profile.common_name = id;
  if (!options_.uri_san_template.empty()) {
    profile.uri_sans.push_back(ReplaceId(options_.uri_san_template, id));
  }
  if (!options_.dns_san_suffix.empty())
    profile.dns_sans.push_back(id + "." + options_.dns_san_suffix);
  profile.lifetime = options_.certificate_lifetime;
  auto cert = deps_.ca->Issue(identity_key, profile, now);
  if (!cert) return Reject(action, id, cert.error(), std::move(details));

  store::IssuedCertificate issued;
  issued.serial = cert->SerialHex();
  issued.device_id = id;
  issued.not_before = cert->not_before();
  issued.not_after = cert->not_after();
  issued.issued_at = now;

  device.status = store::DeviceStatus::kActive;
  device.status_reason = "ok";
  device.current_serial = issued.serial;
  device.cert_not_after = issued.not_after;
  device.tpm_clock = clock.clock;
  device.tpm_reset_count = clock.reset_count;
  device.tpm_restart_count = clock.restart_count;
  if (device.created_at == 0) device.created_at = now;
  device.updated_at = now;

  details["serial"] = issued.serial;
  details["key_fingerprint"] = identity_key.Fingerprint();
  const store::AuditRecord audit = MakeAudit(action, id, "ok", "ok", details);
  // Durable before anything is returned: device, serial and audit record in one transaction.
  if (auto recorded = deps_.store->RecordIssuance(device, issued, audit); !recorded) {
    return Reject(action, id, recorded.error(), std::move(details));
  }
  if (auto written = deps_.audit->Write(audit); !written) {
    LogError("audit sink: " + written.error().ToString());
  }
  deps_.metrics->CountDecision(action, "ok", "ok");

  api::EnrollmentResponse response;
  response.device_id = id;
  auto leaf_pem = cert->ToPem();
  if (!leaf_pem) return Fail(leaf_pem.error());
  response.certificate_chain_pem = *leaf_pem + CaChainPem();
  response.serial = issued.serial;
  response.not_after = Rfc3339(issued.not_after);
  return response;
}

}  // namespace edgetrust::enrollment::service
