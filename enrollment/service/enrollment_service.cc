#include "enrollment/service/enrollment_service.h"

#include "enrollment/service/service_impl.h"

namespace edgetrust::enrollment::service {

Result<std::unique_ptr<EnrollmentService>> EnrollmentService::Create(ServiceDependencies deps,
                                                                     ServiceOptions options) {
  if (!deps.store || !deps.ca || !deps.challenges || !deps.nonces || !deps.metrics || !deps.audit) {
    return Fail(ErrorCode::kInvalidArgument, "service.config", "a service dependency is missing");
  }
  if (options.challenge_ttl.count() <= 0 || options.nonce_ttl.count() <= 0 ||
      options.certificate_lifetime.count() <= 0 || options.crl_validity.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "service.config", "durations must be positive");
  }
  if (!deps.clock) deps.clock = [] { return std::time(nullptr); };
  return std::unique_ptr<EnrollmentService>(
      new EnrollmentService(std::make_unique<Impl>(std::move(deps), std::move(options))));
}

EnrollmentService::EnrollmentService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EnrollmentService::~EnrollmentService() = default;

Result<api::ChallengeResponse> EnrollmentService::Challenge(const api::ChallengeRequest& request) {
  return impl_->Challenge(request);
}

Result<api::EnrollmentResponse> EnrollmentService::Complete(const api::CompleteRequest& request) {
  return impl_->Complete(request);
}

Result<api::EnrollmentResponse> EnrollmentService::Renew(const std::string& device_id,
                                                         std::string_view path,
                                                         std::string_view jws_body) {
  return impl_->Renew(device_id, path, jws_body);
}

Result<std::string> EnrollmentService::NewNonce() { return impl_->NewNonce(); }
std::string EnrollmentService::CaChainPem() const { return impl_->CaChainPem(); }
Result<Bytes> EnrollmentService::Crl() { return impl_->Crl(); }
void EnrollmentService::InvalidateCrl() { impl_->InvalidateCrl(); }
Metrics& EnrollmentService::metrics() { return impl_->metrics(); }

Result<std::string> EnrollmentService::Impl::NewNonce() { return deps_.nonces->Issue(Now()); }

std::string EnrollmentService::Impl::CaChainPem() const {
  std::string pem;
  for (const certs::Certificate& c : deps_.ca->chain()) {
    if (auto p = c.ToPem()) pem += *p;
  }
  return pem;
}

Result<Bytes> EnrollmentService::Impl::Crl() {
  const std::time_t now = Now();
  std::lock_guard lock(crl_mu_);
  const std::time_t half = static_cast<std::time_t>(options_.crl_validity.count() / 2);
  if (crl_ && now - crl_issued_at_ < half && now >= crl_issued_at_) return *crl_;
  auto revoked = deps_.store->ListRevoked();
  if (!revoked) return Fail(revoked.error());
  std::vector<certs::RevokedCertificate> entries;
  for (const store::IssuedCertificate& c : *revoked) {
    entries.push_back(certs::RevokedCertificate{c.serial, c.revoked_at.value_or(now)});
  }
  auto number = deps_.store->NextCrlNumber();
  if (!number) return Fail(number.error());
  auto crl = deps_.ca->IssueCrl(entries, *number, now, options_.crl_validity);
  if (!crl) return Fail(crl.error());
  crl_ = *crl;
  crl_issued_at_ = now;
  return std::move(*crl);
}

void EnrollmentService::Impl::InvalidateCrl() {
  std::lock_guard lock(crl_mu_);
  crl_.reset();
}

Result<std::optional<store::Device>> EnrollmentService::Impl::KnownDevice(const std::string& id) {
  auto device = deps_.store->GetDevice(id);
  if (device) return std::optional<store::Device>(std::move(*device));
  if (device.error().code == ErrorCode::kNotFound) return std::optional<store::Device>();
  return Fail(device.error());
}

}  // namespace edgetrust::enrollment::service
