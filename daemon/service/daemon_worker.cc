// The worker thread of Daemon: the boot state machine (see daemon.h).
#include <algorithm>

#include "common/log.h"
#include "daemon/service/daemon.h"
#include "daemon/service/enroller.h"

namespace edgetrust::daemon::service {
namespace {

bool IsTpmError(const Error& error) { return error.reason.starts_with("tpm."); }

// StateFor classifies a failed attempt for GET /status.
api::DeviceState StateFor(const Error& error) {
  static constexpr std::string_view kRefusals[] = {
      "device.revoked", "device.disabled", "device.retired", "jws.revoked",
      "enrollment.disabled"};
  if (std::find(std::begin(kRefusals), std::end(kRefusals), error.reason) != std::end(kRefusals)) {
    return api::DeviceState::kRevoked;
  }
  if (error.code == ErrorCode::kUnavailable && !IsTpmError(error)) {
    return api::DeviceState::kOffline;
  }
  return api::DeviceState::kFailed;
}

// NeedsEnrollment: the service no longer accepts this certificate for a renewal; only a full
// attestation can restore the identity (or show that the device is refused).
bool NeedsEnrollment(const Error& error) {
  return error.reason.starts_with("device.") || error.reason == "jws.revoked" ||
         error.reason == "jws.not_current_cert" || error.reason == "jws.untrusted_cert";
}

}  // namespace

void Daemon::Run() {
  record_.clock_floor = clock_.floor();
  if (auto saved = store_.Save(record_); !saved) LogWarning("state: " + saved.error().ToString());
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    SteadyTime next = Step();
    lock.lock();
    wake_.wait_until(lock, next, [&] {
      return stop_ || reenroll_requested_ || reset_requested_ || tpm_lost_;
    });
  }
}

Daemon::SteadyTime Daemon::Step() {
  bool reset = false;
  bool reenroll = false;
  {
    std::lock_guard lock(mutex_);
    reset = reset_requested_;
    reenroll = reenroll_requested_;
    reenroll_requested_ = false;
    tpm_lost_ = false;
  }
  if (reset) {
    DoFactoryReset();
    return clock_.Monotonic();
  }
  if (auto tpm = EnsureTpm(); !tpm) return Retry(tpm.error());
  if (auto id = EnsureRegistrationId(); !id) return Retry(id.error());
  if (reenroll) {
    backoff_.Reset();
    renew_due_.reset();
    return Enroll();
  }
  auto current = ValidCertificate();
  if (!current) return Enroll();
  if (!renew_due_) {
    auto delay = RenewalDelay(current->not_before, current->not_after, config_.renew_threshold,
                              clock_.Now());
    renew_due_ = std::max(clock_.Monotonic() + delay, next_renewal_floor_);
  }
  if (clock_.Monotonic() < *renew_due_) return Enrolled();
  return Renew(*current);
}

edgetrust::Status Daemon::EnsureTpm() {
  std::lock_guard tpm_lock(tpm_mutex_);
  if (device_tpm_) return Ok();
  DeviceTpmOptions options{config_.tcti, config_.ek_type, config_.ak_algorithm,
                           config_.identity_algorithm};
  auto opened = DeviceTpm::Open(options, store_, [this](uint32_t h) { return RecordOwned(h); });
  if (!opened) return Fail(opened.error());
  device_tpm_ = std::move(*opened);
  identity_key_ = device_tpm_->signer().public_key();
  {
    std::lock_guard lock(mutex_);
    ++tpm_opens_;
  }
  wake_.notify_all();
  return Ok();
}

edgetrust::Status Daemon::EnsureRegistrationId() {
  const std::string& wanted = config_.registration_id;
  if (!record_.registration_id.empty() &&
      (wanted.empty() || wanted == record_.registration_id)) {
    return Ok();
  }
  std::string id = wanted;
  if (id.empty()) {
    std::lock_guard tpm_lock(tpm_mutex_);
    if (!device_tpm_) return Fail(ErrorCode::kUnavailable, "tpm.unavailable", "TPM closed");
    auto ek = device_tpm_->EnsureEk([this](uint32_t h) { return RecordOwned(h); });
    if (!ek) return Fail(ek.error());
    auto derived = RegistrationIdFromEk((*ek)->public_area);
    if (!derived) return Fail(derived.error());
    id = *derived;
  }
  if (!record_.registration_id.empty()) {
    LogInfo("registration id changed from " + record_.registration_id + " to " + id +
            ": the device enrolls again");
    record_.device_id.clear();
    record_.certificate_chain.clear();
  }
  record_.registration_id = id;
  if (auto saved = store_.Save(record_); !saved) return saved;
  std::lock_guard lock(mutex_);
  status_.registration_id = id;
  return Ok();
}

std::optional<StoredCertificate> Daemon::ValidCertificate() {
  if (record_.certificate_chain.empty() || !identity_key_) return std::nullopt;
  auto stored = ParseStoredCertificate(record_.certificate_chain, *identity_key_);
  std::lock_guard lock(mutex_);
  if (!stored) {
    LogWarning("stored certificate ignored: " + stored.error().ToString());
    chain_pem_.clear();
    status_.certificate.reset();
    return std::nullopt;
  }
  chain_pem_ = record_.certificate_chain;
  chain_not_before_ = stored->not_before;
  chain_not_after_ = stored->not_after;
  status_.certificate = stored->info;
  if (stored->ExpiredAt(clock_.Now())) return std::nullopt;
  return *stored;
}

Daemon::SteadyTime Daemon::Enroll() {
  if (record_.certificate_chain.empty()) Publish(api::DeviceState::kEnrolling, nullptr);
  std::unique_lock tpm_lock(tpm_mutex_);
  if (!device_tpm_) {
    return Retry(Error{ErrorCode::kUnavailable, "tpm.unavailable", "TPM closed", 0});
  }
  auto ek = device_tpm_->EnsureEk([this](uint32_t h) { return RecordOwned(h); });
  Result<Enrollment> enrolled =
      ek ? EnrollDevice(*client_, *device_tpm_, **ek, record_.registration_id)
         : Result<Enrollment>(Fail(ek.error()));
  if (!enrolled) {
    if (IsTpmError(enrolled.error())) device_tpm_.reset();
    tpm_lock.unlock();
    return Retry(enrolled.error());
  }
  tpm_lock.unlock();
  LogInfo("enrolled as " + enrolled->response.device_id + ", certificate serial " +
          enrolled->response.serial);
  if (auto stored = StoreEnrollment(enrolled->response, enrolled->pcr_selection); !stored) {
    return Retry(stored.error());
  }
  return Step();
}

Daemon::SteadyTime Daemon::Renew(const StoredCertificate& current) {
  Result<enrollment::api::EnrollmentResponse> renewed;
  {
    std::lock_guard tpm_lock(tpm_mutex_);
    if (!device_tpm_) return Retry(Error{ErrorCode::kUnavailable, "tpm.unavailable", "TPM closed", 0});
    renewed = RenewDevice(*client_, *device_tpm_, record_.device_id, record_.pcr_selection,
                          record_.certificate_chain);
    if (!renewed && IsTpmError(renewed.error())) device_tpm_.reset();
  }
  if (!renewed) {
    if (NeedsEnrollment(renewed.error())) {
      LogWarning("renewal refused (" + renewed.error().reason + "): enrolling again");
      renew_due_.reset();
      return Enroll();
    }
    return Retry(renewed.error());
  }
  LogInfo("renewed: certificate serial " + renewed->serial + " replaces " + current.info.serial);
  if (auto stored = StoreEnrollment(*renewed, record_.pcr_selection); !stored) {
    return Retry(stored.error());
  }
  return Step();
}

edgetrust::Status Daemon::StoreEnrollment(const enrollment::api::EnrollmentResponse& response,
                               const std::string& pcr_selection) {
  if (!identity_key_) return Fail(ErrorCode::kInternal, "daemon.no_identity", "no identity key");
  auto stored = ParseStoredCertificate(response.certificate_chain_pem, *identity_key_);
  if (!stored) return Fail(stored.error());
  if (stored->ExpiredAt(clock_.Now())) {
    return Fail(ErrorCode::kFailedPrecondition, "daemon.clock_skew",
                "the new certificate is not valid by this device's clock (" +
                    stored->info.not_before + " .. " + stored->info.not_after + ")");
  }
  DeviceRecord next = record_;
  next.device_id = response.device_id;
  next.certificate_chain = response.certificate_chain_pem;
  next.pcr_selection = pcr_selection;
  next.clock_floor = clock_.floor();
  if (auto saved = store_.Save(next); !saved) return saved;
  record_ = std::move(next);
  renew_due_.reset();
  // Never renew twice within a tenth of a lifetime, whatever the wall clock claims.
  auto spacing = std::max<std::time_t>(1, (stored->not_after - stored->not_before) / 10);
  next_renewal_floor_ = clock_.Monotonic() + std::chrono::seconds(spacing);
  return Ok();
}

Daemon::SteadyTime Daemon::Enrolled() {
  backoff_.Reset();
  Publish(api::DeviceState::kEnrolled, nullptr);
  std::lock_guard lock(mutex_);
  next_attempt_.reset();
  status_.renew_after = Rfc3339(
      clock_.Now() + std::chrono::duration_cast<std::chrono::seconds>(
                         *renew_due_ - clock_.Monotonic()).count());
  return *renew_due_;
}

Daemon::SteadyTime Daemon::Retry(const Error& error) {
  api::DeviceState state = StateFor(error);
  auto delay = backoff_.Next();
  LogWarning(std::string(api::DeviceStateName(state)) + ": " + error.ToString() + "; retry in " +
             std::to_string(delay.count()) + " ms");
  Publish(state, &error);
  SteadyTime next = clock_.Monotonic() + delay;
  std::lock_guard lock(mutex_);
  next_attempt_ = next;
  return next;
}

void Daemon::Publish(api::DeviceState state, const Error* error) {
  std::lock_guard lock(mutex_);
  status_.state = state;
  status_.registration_id = record_.registration_id;
  status_.device_id = record_.device_id.empty() ? std::nullopt
                                                : std::optional<std::string>(record_.device_id);
  if (error != nullptr) {
    status_.last_error = error->reason;
  } else if (state == api::DeviceState::kEnrolled) {
    status_.last_error.reset();
  }
  status_.failed_attempts = backoff_.failures();
  if (state != api::DeviceState::kEnrolled) status_.renew_after.reset();
}

edgetrust::Status Daemon::RecordOwned(uint32_t handle) {
  if (std::find(record_.owned_handles.begin(), record_.owned_handles.end(), handle) !=
      record_.owned_handles.end()) {
    return Ok();
  }
  record_.owned_handles.push_back(handle);
  return store_.Save(record_);
}

void Daemon::DoFactoryReset() {
  {
    std::lock_guard tpm_lock(tpm_mutex_);
    device_tpm_.reset();  // flushes the identity key, closes the TPM
  }
  identity_key_.reset();
  edgetrust::Status done = EvictOwned(config_.tcti, record_.owned_handles);
  if (done) done = store_.Wipe();
  if (done) {
    LogInfo("factory reset: keys evicted, state wiped; starting over");
    DeviceRecord fresh;
    fresh.clock_floor = clock_.floor();
    record_ = std::move(fresh);
    renew_due_.reset();
    backoff_.Reset();
    done = store_.Save(record_);
  } else {
    LogError("factory reset failed: " + done.error().ToString());
  }
  std::lock_guard lock(mutex_);
  reset_requested_ = false;
  if (done) {
    reenroll_requested_ = false;
    chain_pem_.clear();
    status_ = api::StatusResponse{};
    reset_error_.reset();
  } else {
    reset_error_ = done.error();
  }
  ++resets_done_;
  wake_.notify_all();
}

}  // namespace edgetrust::daemon::service
