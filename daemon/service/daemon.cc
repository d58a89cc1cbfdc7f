#include "daemon/service/daemon.h"

#include <random>

#include "common/log.h"
#include "daemon/service/gate_setup.h"

namespace edgetrust::daemon::service {
namespace {

constexpr std::chrono::seconds kResetTimeout{120};
constexpr std::chrono::seconds kTpmReopenWait{10};

std::unexpected<Error> NoIdentity() {
  return Fail(ErrorCode::kUnavailable, "daemon.no_identity",
              "the identity key is not available (TPM not ready)");
}

}  // namespace

Result<std::unique_ptr<Daemon>> Daemon::Create(const config::DaemonConfig& config,
                                               TimeSources time) {
  auto store = StateStore::Open(config.state_dir);
  if (!store) return Fail(store.error());
  auto record = store->Load();
  std::optional<Error> corrupt;
  if (!record) {
    if (record.error().reason != "state.corrupt") return Fail(record.error());
    LogError(record.error().ToString());
    corrupt = record.error();
    record = DeviceRecord{};
  }
  auto client =
      enrollment::client::EnrollmentClient::Create({config.service_url, config.ca_bundle});
  if (!client) return Fail(client.error());
  std::unique_ptr<gate::Gate> gate;
  if (config.gate.enabled) {
    auto opened = OpenGate(config);
    if (!opened) return Fail(opened.error());
    gate = std::move(*opened);
  }
  return std::unique_ptr<Daemon>(new Daemon(config, std::move(*store), std::move(*record),
                                            std::move(corrupt), std::move(*client), std::move(gate),
                                            std::move(time)));
}

Daemon::Daemon(config::DaemonConfig config, StateStore store, DeviceRecord record,
               std::optional<Error> corrupt,
               std::unique_ptr<enrollment::client::EnrollmentClient> client,
               std::unique_ptr<gate::Gate> gate, TimeSources time)
    : config_(std::move(config)),
      store_(std::move(store)),
      client_(std::move(client)),
      gate_(std::move(gate)),
      clock_(std::move(time)),
      record_(std::move(record)),
      backoff_(config_.retry_initial, config_.retry_max, std::random_device{}()),
      corrupt_(std::move(corrupt)) {
  clock_.RaiseFloor(record_.clock_floor);
  status_.registration_id = record_.registration_id;
}

Daemon::~Daemon() { Stop(); }

void Daemon::Start() {
  std::lock_guard lock(mutex_);
  if (worker_.joinable()) return;
  stop_ = false;
  worker_ = std::thread([this] { Run(); });
}

void Daemon::RequestStop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
}

void Daemon::Stop() {
  RequestStop();
  if (worker_.joinable()) worker_.join();
}

api::StatusResponse Daemon::Status() const {
  std::lock_guard lock(mutex_);
  api::StatusResponse status = status_;
  if (next_attempt_) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(*next_attempt_ - clock_.Monotonic());
    status.next_attempt_in_ms = std::max<int64_t>(0, left.count());
  }
  return status;
}

Result<std::string> Daemon::CertificateChainPem() const {
  std::lock_guard lock(mutex_);
  if (chain_refused_) {
    return Fail(ErrorCode::kFailedPrecondition, "daemon.certificate_revoked",
                "the service refused this device; its certificate is withdrawn");
  }
  if (chain_pem_.empty()) {
    return Fail(ErrorCode::kNotFound, "daemon.no_certificate", "the device is not enrolled");
  }
  if (clock_.Now() >= chain_not_after_) {
    return Fail(ErrorCode::kFailedPrecondition, "daemon.certificate_expired",
                "the stored certificate is not valid now; re-enrollment is under way");
  }
  return chain_pem_;
}

Status Daemon::WithTpm(const TpmUse& use) {
  std::unique_lock tpm_lock(tpm_mutex_, std::defer_lock);
  if (!tpm_lock.try_lock_for(kTpmReopenWait)) {
    return Fail(ErrorCode::kUnavailable, "daemon.busy", "the TPM is busy");
  }
  if (!device_tpm_) return Fail(ErrorCode::kUnavailable, "tpm.unavailable", "TPM not open");
  edgetrust::Status done = use(*device_tpm_);
  if (!done && done.error().reason.starts_with("tpm.")) {
    LogWarning("TPM error, reopening: " + done.error().ToString());
    device_tpm_.reset();
    tpm_lock.unlock();
    {
      std::lock_guard lock(mutex_);
      tpm_lost_ = true;
    }
    wake_.notify_all();
  }
  return done;
}

bool Daemon::WaitForTpm() {
  auto deadline = std::chrono::steady_clock::now() + kTpmReopenWait;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    uint64_t opens = tpm_opens_;
    lock.unlock();
    {
      std::unique_lock tpm_lock(tpm_mutex_, std::defer_lock);
      if (tpm_lock.try_lock_until(deadline) && device_tpm_) return true;
    }
    lock.lock();
    if (!wake_.wait_until(lock, deadline, [&] { return tpm_opens_ != opens || stop_; })) {
      return false;
    }
  }
  return false;
}

Result<api::SignResponse> Daemon::Sign(const api::SignRequest& request) {
  // A TPM error drops the DeviceTpm (WithTpm); the second attempt waits for the worker to
  // reopen it (a restarted TPM, a lost connection).
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!WaitForTpm()) return NoIdentity();
    Result<api::SignResponse> response = NoIdentity();
    auto done = WithTpm([&](DeviceTpm& device) -> edgetrust::Status {
      const certs::Signer& signer = device.signer();
      auto signature = signer.Sign(request.digest);
      if (!signature) return Fail(signature.error());
      response = api::SignResponse{std::string(certs::JwsAlgorithmName(signer.algorithm())),
                                   std::move(*signature)};
      return Ok();
    });
    if (done) return response;
    if (!done.error().reason.starts_with("tpm.") || attempt > 0) return Fail(done.error());
  }
  return NoIdentity();
}

Result<api::StatusResponse> Daemon::Reenroll() {
  {
    std::lock_guard lock(mutex_);
    reenroll_requested_ = true;
  }
  wake_.notify_all();
  return Status();
}

Result<api::StatusResponse> Daemon::FactoryReset() {
  std::unique_lock lock(mutex_);
  uint64_t target = resets_done_ + 1;
  reset_requested_ = true;
  wake_.notify_all();
  if (!wake_.wait_for(lock, kResetTimeout, [&] { return resets_done_ >= target || stop_; }) ||
      resets_done_ < target) {
    // Still queued: it runs when the worker gets to it.
    return Fail(ErrorCode::kUnavailable, "daemon.busy",
                "the factory reset is queued and has not completed yet");
  }
  if (reset_error_) return Fail(*reset_error_);
  lock.unlock();
  return Status();
}

}  // namespace edgetrust::daemon::service
