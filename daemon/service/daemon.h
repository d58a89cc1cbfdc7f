// Daemon is edgetrustd's core (no sockets): the boot state machine, enrollment, renewal,
// re-enrollment and factory reset, run on one worker thread, and the Control interface the
// local API calls from its own threads.
//
// The worker loop (daemon_worker.cc), each step failing into backoff rather than out:
//   1. open the TPM and ensure keys (DeviceTpm: SRK, AK and identity blobs, identity loaded),
//      and raise the trusted clock's floor by the TPM clock's progress since it was proved;
//   2. know the registration id (config override, else the EK digest; kept in state.json);
//   3. stored certificate for this key, not refused, valid by the trusted clock? ->
//      `enrolled`; renew when `renew_threshold` of its lifetime has passed (deadline on the
//      monotonic clock, re-checked at least hourly); a renewal the service answers with
//      revoked/unknown falls back to a full enrollment;
//   4. no valid certificate (first boot, expired, reset, refused, POST /reenroll) -> enroll.
// Failures set the state (`offline`: no answer from the service; `revoked`: the service
// refused the device, which also withdraws the stored certificate until a new one is issued;
// `failed`: anything else) and wait Backoff::Next() (exponential, jitter, cap); a certificate
// that is still valid stays in use meanwhile. Renewals are spaced by at least a tenth of the
// lifetime, so a wall clock jumping forward costs one renewal, not a storm (THREATS D6).
//
// The module gate (daemon/gate/gate.h), when configured, lives beside the state machine: it
// is reconciled with the TPM after every open and serves the deployment endpoints; it needs no
// certificate and no network.
//
// State: every change to state.json is one atomic write, made after the service answered and
// before the new state is reported. A factory reset destroys the key blobs first, then
// evicts the handles the daemon created, then writes a fresh record: a power cut at any point
// leaves a device that can no longer use its old identity.
//
// Locks: the TPM lock (tpm_mutex_) is taken for TPM work only, never across a network call,
// and before mutex_ when both are needed. Thread-safe: the Control methods may be called from
// any thread while the worker runs; Start, RequestStop and Stop from one thread.
#ifndef EDGETRUST_DAEMON_SERVICE_DAEMON_H_
#define EDGETRUST_DAEMON_SERVICE_DAEMON_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "daemon/config/config.h"
#include "daemon/gate/gate.h"
#include "daemon/service/backoff.h"
#include "daemon/service/control.h"
#include "daemon/service/device_tpm.h"
#include "daemon/service/enroller.h"
#include "daemon/service/state_store.h"
#include "daemon/service/stored_certificate.h"
#include "daemon/service/trusted_clock.h"
#include "enrollment/client/enrollment_client.h"

namespace edgetrust::daemon::service {

class Daemon final : public Control {
 public:
  // Create opens the state directory and reads state.json (errors: file errors) and prepares
  // the HTTPS client ("client.bad_url", "client.bad_ca_bundle"). Nothing touches the TPM or
  // the network before Start. A state.json that does not parse does not stop the daemon: it
  // serves its local API in state `failed` ("state.corrupt") and does nothing else until a
  // factory reset (which then cannot know which persistent handles to evict: it says so).
  static Result<std::unique_ptr<Daemon>> Create(const config::DaemonConfig& config,
                                                TimeSources time = {});
  ~Daemon() override;  // Stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Start runs the worker thread. RequestStop makes waiting Control calls return and the
  // worker finish its current step; Stop also joins it (up to one network timeout).
  void Start();
  void RequestStop();
  void Stop();

  api::StatusResponse Status() const override;
  Result<std::string> CertificateChainPem() const override;
  Result<api::SignResponse> Sign(const api::SignRequest& request) override;
  Result<api::StatusResponse> Reenroll() override;
  Result<api::StatusResponse> FactoryReset() override;
  Result<api::GateStatus> SubmitDeployment(std::string_view jws_json) override;
  Result<api::DeploymentPlan> CurrentDeployment() override;
  Result<api::GateStatus> ReportDeployment(std::string_view deployment_id, bool healthy,
                                           const api::HealthReport& report) override;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  Daemon(config::DaemonConfig config, StateStore store, DeviceRecord record,
         std::optional<Error> corrupt, std::unique_ptr<enrollment::client::EnrollmentClient> client,
         std::unique_ptr<gate::Gate> gate, TimeSources time);

  // --- the module gate (daemon_gate.cc) ---
  // GateTpm hands the gate the open TPM under the TPM lock (`wait`: for a reopen first; never
  // on the worker thread, which is the one that reopens).
  edgetrust::Status GateTpm(const gate::TpmWork& work, bool wait);
  // ReconcileGate runs Gate::Reconcile once per TPM open (worker and Control threads).
  edgetrust::Status ReconcileGate(bool from_worker);
  // WithReadyGate runs `call`, and once more after reconciling when the gate was not ready.
  template <typename T, typename Call>
  Result<T> WithReadyGate(const Call& call);

  // WithTpm: see enroller.h. A "tpm.*" error drops the DeviceTpm (the worker reopens it).
  edgetrust::Status WithTpm(const TpmUse& use);
  // WaitForTpm: true once the TPM is open (waits up to kTpmReopenWait for the worker).
  bool WaitForTpm();

  // --- worker thread (daemon_worker.cc) ---
  void Run();
  // Step does one round of the state machine and returns when it wants to run again.
  SteadyTime Step();
  edgetrust::Status EnsureTpm();
  edgetrust::Status EnsureRegistrationId();
  SteadyTime Enroll();
  SteadyTime Renew(const StoredCertificate& current);
  SteadyTime Retry(const Error& error);
  SteadyTime WaitWhileEnrolled(const StoredCertificate& current);
  edgetrust::Status StoreEnrollment(const enrollment::api::EnrollmentResponse& response,
                                    const std::string& pcr_selection);
  edgetrust::Status SaveRefused();
  void DoFactoryReset();
  edgetrust::Status RecordOwned(uint32_t handle);
  std::optional<StoredCertificate> ValidCertificate();
  void Publish(api::DeviceState state, const Error* error);

  config::DaemonConfig config_;
  StateStore store_;
  std::unique_ptr<enrollment::client::EnrollmentClient> client_;
  std::unique_ptr<gate::Gate> gate_;  // null when the config has no [gate]
  TrustedClock clock_;

  // Worker-only state.
  DeviceRecord record_;
  Backoff backoff_;
  std::optional<SteadyTime> renew_due_;
  SteadyTime earliest_next_renewal_{};
  std::optional<PublicKey> identity_key_;                       // of the loaded identity key
  std::optional<enrollment::api::EnrollmentResponse> unsaved_;  // issued, not yet stored
  std::optional<Error> corrupt_;  // state.json did not parse: wait for a factory reset

  // The TPM, shared with Sign: tpm_mutex_ guards device_tpm_.
  mutable std::timed_mutex tpm_mutex_;
  std::unique_ptr<DeviceTpm> device_tpm_;

  // Shared with the Control methods: mutex_ guards everything below.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  api::StatusResponse status_;
  std::string chain_pem_;  // what GET /certificate serves; "" when none or withdrawn
  std::time_t chain_not_after_ = 0;
  bool chain_refused_ = false;
  std::optional<SteadyTime> next_attempt_;
  bool stop_ = false;
  bool reenroll_requested_ = false;
  bool reset_requested_ = false;
  bool tpm_lost_ = false;
  uint64_t resets_done_ = 0;
  std::optional<Error> reset_error_;  // of the last factory reset
  uint64_t tpm_opens_ = 0;
  static constexpr uint64_t kNeverReconciled = UINT64_MAX;
  uint64_t gate_reconciled_opens_ = kNeverReconciled;  // tpm_opens_ at the last Reconcile
  std::thread worker_;
};

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_DAEMON_H_
