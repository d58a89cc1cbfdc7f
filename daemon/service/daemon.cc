#include "daemon/service/daemon.h"

#include <random>

#include "common/log.h"

namespace edgetrust::daemon::service {
namespace {

constexpr std::chrono::seconds kResetTimeout{120};
constexpr std::chrono::seconds kTpmReopenWait{10};

std::string_view JwsName(certs::SignatureAlgorithm alg) {
  switch (alg) {
    case certs::SignatureAlgorithm::kEcdsaSha256: return "ES256";
    case certs::SignatureAlgorithm::kEcdsaSha384: return "ES384";
    case certs::SignatureAlgorithm::kRsaPkcs1Sha256: return "RS256";
    case certs::SignatureAlgorithm::kRsaPssSha256: return "PS256";
  }
  return "";
}

}  // namespace

Result<std::unique_ptr<Daemon>> Daemon::Create(const config::DaemonConfig& config,
                                               TimeSources time) {
  auto store = StateStore::Open(config.state_dir);
  if (!store) return Fail(store.error());
  auto record = store->Load();
  if (!record) return Fail(record.error());
  auto client = enrollment::client::EnrollmentClient::Create({config.service_url, config.ca_bundle});
  if (!client) return Fail(client.error());
  return std::unique_ptr<Daemon>(
      new Daemon(config, std::move(*store), std::move(*record), std::move(*client), std::move(time)));
}

Daemon::Daemon(config::DaemonConfig config, StateStore store, DeviceRecord record,
               std::unique_ptr<enrollment::client::EnrollmentClient> client, TimeSources time)
    : config_(std::move(config)),
      store_(std::move(store)),
      client_(std::move(client)),
      clock_(record.clock_floor, std::move(time)),
      record_(std::move(record)),
      backoff_(config_.retry_initial, config_.retry_max, std::random_device{}()) {
  status_.registration_id = record_.registration_id;
}

Daemon::~Daemon() { Stop(); }

void Daemon::Start() {
  std::lock_guard lock(mutex_);
  if (worker_.joinable()) return;
  stop_ = false;
  worker_ = std::thread([this] { Run(); });
}

void Daemon::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

api::StatusResponse Daemon::Status() const {
  std::lock_guard lock(mutex_);
  api::StatusResponse status = status_;
  if (next_attempt_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*next_attempt_ -
                                                                      clock_.Monotonic());
    status.next_attempt_in_ms = std::max<int64_t>(0, left.count());
  }
  return status;
}

Result<std::string> Daemon::CertificateChainPem() const {
  std::lock_guard lock(mutex_);
  if (chain_pem_.empty()) {
    return Fail(ErrorCode::kNotFound, "daemon.no_certificate", "the device is not enrolled");
  }
  std::time_t now = clock_.Now();
  if (now >= chain_not_after_ || now < chain_not_before_) {
    return Fail(ErrorCode::kFailedPrecondition, "daemon.certificate_expired",
                "the stored certificate is not valid now; re-enrollment is under way");
  }
  return chain_pem_;
}

Result<api::SignResponse> Daemon::Sign(const api::SignRequest& request) {
  // At most two signing attempts: a TPM error hands the TPM back to the worker to reopen
  // (restarted TPM, lost connection), and the second attempt waits for that.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!WaitForTpm()) {
      return Fail(ErrorCode::kUnavailable, "daemon.no_identity",
                  "the identity key is not available (TPM not ready)");
    }
    std::unique_lock tpm_lock(tpm_mutex_);
    if (!device_tpm_) continue;
    const certs::Signer& signer = device_tpm_->signer();
    auto signature = signer.Sign(request.digest);
    if (signature) {
      return api::SignResponse{std::string(JwsName(signer.algorithm())), std::move(*signature)};
    }
    if (signature.error().reason == "signer.digest_size" || attempt > 0) {
      return Fail(signature.error());
    }
    LogWarning("sign: TPM error, reopening: " + signature.error().ToString());
    device_tpm_.reset();
    tpm_lock.unlock();
    {
      std::lock_guard lock(mutex_);
      tpm_lost_ = true;
    }
    wake_.notify_all();
  }
  return Fail(ErrorCode::kUnavailable, "daemon.no_identity",
              "the identity key is not available (TPM not ready)");
}

bool Daemon::WaitForTpm() {
  {
    std::lock_guard tpm_lock(tpm_mutex_);
    if (device_tpm_) return true;
  }
  // First boot before the keys exist, or a TPM being reopened by the worker.
  auto deadline = std::chrono::steady_clock::now() + kTpmReopenWait;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    uint64_t opens = tpm_opens_;
    lock.unlock();
    {
      std::lock_guard tpm_lock(tpm_mutex_);
      if (device_tpm_) return true;
    }
    lock.lock();
    if (!wake_.wait_until(lock, deadline, [&] { return tpm_opens_ != opens || stop_; })) {
      return false;
    }
  }
  return false;
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
    return Fail(ErrorCode::kUnavailable, "daemon.busy", "the factory reset did not complete in time");
  }
  if (reset_error_) return Fail(*reset_error_);
  lock.unlock();
  return Status();
}

}  // namespace edgetrust::daemon::service
