// The worker thread of Daemon: the boot state machine (see daemon.h).
#include <algorithm>

#include "attestation/capabilities.h"
#include "common/log.h"
#include "daemon/service/daemon.h"

namespace edgetrust::daemon::service {
namespace {

using std::chrono::seconds;

// While enrolled the worker still looks at the certificate at least this often (a deadline
// computed while the wall clock was wrong gets corrected; expiry is noticed).
constexpr seconds kRecheck{3600};
// Deadlines further away than this are clamped (a notAfter of 9999 must not overflow).
constexpr seconds kMaxDelay{365LL * 24 * 3600};

// StateFor classifies a failed attempt for GET /status.
api::DeviceState StateFor(const Error& error) {
  static constexpr std::string_view kRefusals[] = {
      "device.revoked", "device.disabled", "device.retired", "jws.revoked", "enrollment.disabled"};
  if (std::find(std::begin(kRefusals), std::end(kRefusals), error.reason) != std::end(kRefusals)) {
    return api::DeviceState::kRevoked;
  }
  if (error.code == ErrorCode::kUnavailable && !error.reason.starts_with("tpm.")) {
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

seconds Clamp(seconds delay) { return std::clamp(delay, seconds(0), kMaxDelay); }

// IsWriteFailure: the state could not be written (disk full, I/O): what the service issued is
// kept in memory and only the write is retried, rather than asking for another certificate.
bool IsWriteFailure(const Error& error) {
  return error.reason.starts_with("file.") || error.reason.starts_with("state.");
}

}  // namespace

void Daemon::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    SteadyTime next = Step();
    lock.lock();
    wake_.wait_for(lock, std::max(next - clock_.Monotonic(), SteadyTime::duration::zero()),
                   [&] { return stop_ || reenroll_requested_ || reset_requested_ || tpm_lost_; });
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
  if (corrupt_) {
    Publish(api::DeviceState::kFailed, &*corrupt_);
    return clock_.Monotonic() + kRecheck;  // woken by POST /factory-reset
  }
  if (auto tpm = EnsureTpm(); !tpm) return Retry(tpm.error());
  // The gate measures what is in force as soon as the TPM is open; a failure is logged and
  // retried by the next deployment call, and does not hold up enrollment.
  if (gate_) (void)ReconcileGate(true);
  if (auto id = EnsureRegistrationId(); !id) return Retry(id.error());
  if (unsaved_) {  // issued by the service, but the state write failed: retry the write only
    auto response = std::move(*unsaved_);
    unsaved_.reset();
    if (auto stored = StoreEnrollment(response, record_.pcr_selection); !stored) {
      return Retry(stored.error());
    }
  }
  if (reenroll) {
    backoff_.Reset();
    renew_due_.reset();
    Publish(api::DeviceState::kEnrolling, nullptr);
    return Enroll();
  }
  auto current = ValidCertificate();
  if (!current) return Enroll();
  if (!renew_due_) {
    auto delay = RenewalDelay(current->not_before, current->not_after, config_.renew_threshold,
                              clock_.Now());
    renew_due_ = std::max(clock_.Monotonic() + Clamp(delay), earliest_next_renewal_);
  }
  if (clock_.Monotonic() < *renew_due_) return WaitWhileEnrolled(*current);
  return Renew(*current);
}

edgetrust::Status Daemon::EnsureTpm() {
  {
    std::lock_guard tpm_lock(tpm_mutex_);
    if (device_tpm_) return Ok();
    DeviceTpmOptions options{config_.tcti, config_.ek_type, config_.ak_algorithm,
                             config_.identity_algorithm};
    auto opened = DeviceTpm::Open(options, store_, [this](uint32_t h) { return RecordOwned(h); });
    if (!opened) return Fail(opened.error());
    // The TPM clock has run since the floor was proved (at least that long has passed; it
    // does not run while the device is off, so this stays a lower bound).
    auto tpm_clock = attestation::ReadClockMs((*opened)->tpm());
    if (!tpm_clock) return Fail(tpm_clock.error());
    if (record_.clock_floor > 0 && *tpm_clock >= record_.tpm_clock_ms) {
      clock_.RaiseFloor(record_.clock_floor +
                        static_cast<std::time_t>((*tpm_clock - record_.tpm_clock_ms) / 1000));
    }
    device_tpm_ = std::move(*opened);
    identity_key_ = device_tpm_->signer().public_key();
  }
  {
    std::lock_guard lock(mutex_);
    ++tpm_opens_;
  }
  wake_.notify_all();
  return Ok();
}

edgetrust::Status Daemon::EnsureRegistrationId() {
  const std::string& wanted = config_.registration_id;
  if (!record_.registration_id.empty() && (wanted.empty() || wanted == record_.registration_id)) {
    return Ok();
  }
  std::string id = wanted;
  if (id.empty()) {
    auto derived = WithTpm([&](DeviceTpm& device) -> edgetrust::Status {
      auto ek = device.EnsureEk([this](uint32_t h) { return RecordOwned(h); });
      if (!ek) return Fail(ek.error());
      // The default registration id (docs/daemon-config.md).
      auto from_ek = attestation::EkDigestHex((*ek)->public_area);
      if (!from_ek) return Fail(from_ek.error());
      id = *from_ek;
      return Ok();
    });
    if (!derived) return derived;
  }
  DeviceRecord next = record_;
  if (!next.registration_id.empty()) {
    LogInfo("registration id changed from " + next.registration_id + " to " + id +
            ": the device enrolls again");
    next.device_id.clear();
    next.certificate_chain.clear();
  }
  next.registration_id = id;
  if (auto saved = store_.Save(next); !saved) return saved;
  record_ = std::move(next);
  std::lock_guard lock(mutex_);
  status_.registration_id = id;
  return Ok();
}

std::optional<StoredCertificate> Daemon::ValidCertificate() {
  if (record_.certificate_chain.empty() || !identity_key_) return std::nullopt;
  auto stored = ParseStoredCertificate(record_.certificate_chain, *identity_key_);
  std::lock_guard lock(mutex_);
  chain_refused_ = record_.refused;
  if (!stored) {
    LogWarning("stored certificate ignored: " + stored.error().ToString());
    chain_pem_.clear();
    status_.certificate.reset();
    return std::nullopt;
  }
  chain_pem_ = record_.certificate_chain;
  chain_not_after_ = stored->not_after;
  status_.certificate = stored->info;
  if (record_.refused || stored->ExpiredAt(clock_.Now())) return std::nullopt;
  return *stored;
}

Daemon::SteadyTime Daemon::Enroll() {
  LogInfo("enrolling as " + record_.registration_id);
  if (record_.certificate_chain.empty()) Publish(api::DeviceState::kEnrolling, nullptr);
  auto enrolled = EnrollDevice(
      *client_, [this](const TpmUse& use) { return WithTpm(use); },
      [this](uint32_t h) { return RecordOwned(h); }, record_.registration_id);
  if (!enrolled) {
    if (StateFor(enrolled.error()) == api::DeviceState::kRevoked && !record_.refused) {
      if (auto saved = SaveRefused(); !saved) LogError("state: " + saved.error().ToString());
    }
    return Retry(enrolled.error());
  }
  LogInfo("enrolled as " + enrolled->response.device_id + ", certificate serial " +
          enrolled->response.serial);
  if (auto stored = StoreEnrollment(enrolled->response, enrolled->pcr_selection); !stored) {
    if (IsWriteFailure(stored.error())) unsaved_ = std::move(enrolled->response);
    return Retry(stored.error());
  }
  return clock_.Monotonic();
}

Daemon::SteadyTime Daemon::Renew(const StoredCertificate& current) {
  LogInfo("renewing certificate serial " + current.info.serial);
  auto renewed = RenewDevice(
      *client_, [this](const TpmUse& use) { return WithTpm(use); }, record_.device_id,
      record_.pcr_selection, record_.certificate_chain);
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
    if (IsWriteFailure(stored.error())) unsaved_ = std::move(*renewed);
    return Retry(stored.error());
  }
  return clock_.Monotonic();
}

edgetrust::Status Daemon::StoreEnrollment(const enrollment::api::EnrollmentResponse& response,
                                          const std::string& pcr_selection) {
  if (!identity_key_) return Fail(ErrorCode::kInternal, "daemon.no_identity", "no identity key");
  auto stored = ParseStoredCertificate(response.certificate_chain_pem, *identity_key_);
  if (!stored) return Fail(stored.error());
  // The service's notBefore is time proved by the service: the new floor, paired with the
  // TPM clock now.
  uint64_t tpm_clock = 0;
  auto read = WithTpm([&](DeviceTpm& device) -> edgetrust::Status {
    auto ms = attestation::ReadClockMs(device.tpm());
    if (!ms) return Fail(ms.error());
    tpm_clock = *ms;
    return Ok();
  });
  if (!read) return read;
  std::time_t floor = std::max(stored->not_before, clock_.floor());
  if (stored->ExpiredAt(std::max(clock_.Now(), floor))) {
    return Fail(ErrorCode::kFailedPrecondition, "daemon.clock_skew",
                "the new certificate is not valid by this device's clock (" +
                    stored->info.not_before + " .. " + stored->info.not_after + ")");
  }
  DeviceRecord next = record_;
  next.device_id = response.device_id;
  next.certificate_chain = response.certificate_chain_pem;
  next.pcr_selection = pcr_selection;
  next.refused = false;
  next.clock_floor = floor;
  next.tpm_clock_ms = tpm_clock;
  if (auto saved = store_.Save(next); !saved) return saved;
  record_ = std::move(next);
  clock_.RaiseFloor(floor);
  renew_due_.reset();
  // Renewals are spaced by a tenth of the lifetime (at most half of what is left of it, so the
  // spacing never outlasts the certificate): a wall clock that runs ahead makes every new
  // certificate look old at once, and this keeps that from becoming a storm (THREATS D6).
  std::time_t lifetime = stored->not_after - stored->not_before;
  std::time_t remaining = stored->not_after - clock_.Now();
  auto spacing = std::max<std::time_t>(1, std::min(lifetime / 10, remaining / 2));
  earliest_next_renewal_ = clock_.Monotonic() + Clamp(seconds(spacing));
  backoff_.Reset();
  return Ok();
}

edgetrust::Status Daemon::SaveRefused() {
  DeviceRecord next = record_;
  next.refused = true;
  if (auto saved = store_.Save(next); !saved) return saved;
  record_ = std::move(next);
  std::lock_guard lock(mutex_);
  chain_refused_ = true;
  return Ok();
}

Daemon::SteadyTime Daemon::WaitWhileEnrolled(const StoredCertificate& current) {
  backoff_.Reset();
  Publish(api::DeviceState::kEnrolled, nullptr);
  SteadyTime now = clock_.Monotonic();
  auto to_renewal = std::chrono::duration_cast<seconds>(*renew_due_ - now);
  auto to_expiry = Clamp(seconds(current.not_after - clock_.Now()));
  LogDebug("certificate " + current.info.serial + " valid until " + current.info.not_after +
           "; renewal in " + std::to_string(to_renewal.count()) + " s");
  std::lock_guard lock(mutex_);
  next_attempt_.reset();
  status_.renew_after = Rfc3339(clock_.Now() + to_renewal.count());
  return std::min({*renew_due_, now + kRecheck, now + to_expiry});
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
  status_.device_id =
      record_.device_id.empty() ? std::nullopt : std::optional<std::string>(record_.device_id);
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
  DeviceRecord next = record_;
  next.owned_handles.push_back(handle);
  if (auto saved = store_.Save(next); !saved) return saved;
  record_ = std::move(next);
  return Ok();
}

void Daemon::DoFactoryReset() {
  {
    std::lock_guard tpm_lock(tpm_mutex_);
    device_tpm_.reset();  // flushes the identity key, closes the TPM
  }
  identity_key_.reset();
  // Order matters for a power cut: once the blobs are gone the old identity is unusable;
  // state.json still lists the handles to evict until the fresh record replaces it.
  edgetrust::Status done = store_.DestroyKeys();
  if (done) done = EvictOwned(config_.tcti, record_.owned_handles);
  if (done) {
    DeviceRecord fresh;
    fresh.clock_floor = record_.clock_floor;  // proved time stays proved
    fresh.tpm_clock_ms = record_.tpm_clock_ms;
    done = store_.Save(fresh);
    if (done) record_ = std::move(fresh);
  }
  if (done && corrupt_) {
    LogWarning(
        "factory reset: the old state.json did not parse, so the persistent handles the "
        "daemon created are unknown and stay in the TPM (tpm2_evictcontrol removes them)");
    corrupt_.reset();
  }
  if (done) {
    LogInfo("factory reset: keys destroyed, handles evicted, state wiped; starting over");
    renew_due_.reset();
    unsaved_.reset();
    backoff_.Reset();
  } else {
    LogError("factory reset failed: " + done.error().ToString());
  }
  std::lock_guard lock(mutex_);
  reset_requested_ = false;
  if (done) {
    reenroll_requested_ = false;
    chain_pem_.clear();
    chain_refused_ = false;
    status_ = api::StatusResponse{};
    reset_error_.reset();
  } else {
    reset_error_ = done.error();
  }
  ++resets_done_;
  wake_.notify_all();
}

}  // namespace edgetrust::daemon::service
