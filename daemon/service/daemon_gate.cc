// The daemon's side of the module gate: building it (gate_setup.h), lending it the TPM, and
// the Control methods of the deployment endpoints.
#include "common/file.h"
#include "common/log.h"
#include "daemon/service/daemon.h"
#include "daemon/service/gate_setup.h"
#include "manifest/jws/envelope.h"
#include "manifest/jws/trust_policy.h"

namespace edgetrust::daemon::service {
namespace {

static_assert(api::kMaxDeploymentBodySize == manifest::jws::kMaxJwsSize);

Result<Bytes> ReadConfigured(const std::string& path, std::string_view reason) {
  auto data = ReadFile(path, 4 * 1024 * 1024);
  if (!data) {
    return Fail(ErrorCode::kInvalidArgument, std::string(reason),
                path + ": " + data.error().message);
  }
  return data;
}

}  // namespace

Result<std::unique_ptr<gate::Gate>> OpenGate(const config::DaemonConfig& config) {
  const config::GateConfig& g = config.gate;
  manifest::jws::TrustPolicy policy;
  auto roots_pem = ReadConfigured(g.trust_roots, "gate.trust_roots");
  if (!roots_pem) return Fail(roots_pem.error());
  auto roots = manifest::jws::RootsFromPem(
      std::string_view(reinterpret_cast<const char*>(roots_pem->data()), roots_pem->size()));
  if (!roots) return Fail(roots.error());
  policy.roots = std::move(*roots);
  for (const std::string& path : g.crls) {
    auto raw = ReadConfigured(path, "gate.crl");
    if (!raw) return Fail(raw.error());
    auto crls = manifest::jws::CrlsFromPemOrDer(*raw);
    if (!crls) return Fail(crls.error());
    policy.crls.insert(policy.crls.end(), crls->begin(), crls->end());
  }
  policy.signer_eku = g.signer_eku;
  policy.min_signers = g.min_signers;
  auto verifier = manifest::jws::ManifestVerifier::Create(std::move(policy));
  if (!verifier) return Fail(verifier.error());
  gate::GateOptions options{
      config.state_dir + "/gate", g.staging_dir, g.store_dir, g.pcr, g.nv_index,
      g.max_version_jump};
  return gate::Gate::Open(std::move(options), std::move(*verifier), std::time(nullptr));
}

edgetrust::Status Daemon::GateTpm(const gate::TpmWork& work, bool wait) {
  if (wait && !WaitForTpm()) {
    return Fail(ErrorCode::kUnavailable, "tpm.unavailable", "the TPM is not open");
  }
  return WithTpm([&](DeviceTpm& device) { return work(device.tpm()); });
}

edgetrust::Status Daemon::ReconcileGate(bool from_worker) {
  // The TPM must be open: its open count names the TPM session the gate reconciles with. The
  // worker opened it just before and must not wait for itself.
  if (!from_worker && !WaitForTpm()) {
    return Fail(ErrorCode::kUnavailable, "gate.not_ready", "the TPM is not open yet");
  }
  uint64_t opens = 0;
  {
    std::lock_guard lock(mutex_);
    opens = tpm_opens_;
    if (gate_reconciled_opens_ == opens) return Ok();
  }
  auto done = gate_->Reconcile(
      [this, from_worker](const gate::TpmWork& work) { return GateTpm(work, !from_worker); });
  if (!done) {
    LogWarning("gate: reconcile with the TPM failed: " + done.error().ToString());
    return done;
  }
  std::lock_guard lock(mutex_);
  gate_reconciled_opens_ = opens;
  return Ok();
}

template <typename T, typename Call>
Result<T> Daemon::WithReadyGate(const Call& call) {
  if (!gate_) {
    return Fail(ErrorCode::kFailedPrecondition, "gate.disabled",
                "this device has no [gate] configuration");
  }
  Result<T> result = call();
  if (result || result.error().reason != "gate.not_ready") return result;
  {
    std::lock_guard lock(mutex_);
    gate_reconciled_opens_ = kNeverReconciled;  // again, even if nothing was reopened
  }
  if (auto ok = ReconcileGate(false); !ok) return Fail(ok.error());
  return call();
}

Result<api::GateStatus> Daemon::SubmitDeployment(std::string_view jws_json) {
  manifest::DeviceIdentity device;
  {
    std::lock_guard lock(mutex_);
    if (!status_.registration_id.empty()) device.device_ids.push_back(status_.registration_id);
    if (status_.device_id) device.device_ids.push_back(*status_.device_id);
  }
  device.tags = config_.gate.tags;
  auto with_tpm = [this](const gate::TpmWork& work) { return GateTpm(work, true); };
  return WithReadyGate<api::GateStatus>(
      [&] { return gate_->Submit(jws_json, device, clock_.Now(), with_tpm); });
}

Result<api::DeploymentPlan> Daemon::CurrentDeployment() {
  return WithReadyGate<api::DeploymentPlan>([&] { return gate_->Current(); });
}

Result<api::GateStatus> Daemon::ReportDeployment(std::string_view deployment_id, bool healthy,
                                                 const api::HealthReport& report) {
  auto with_tpm = [this](const gate::TpmWork& work) { return GateTpm(work, true); };
  return WithReadyGate<api::GateStatus>(
      [&] { return gate_->Report(deployment_id, healthy, report, with_tpm); });
}

}  // namespace edgetrust::daemon::service
