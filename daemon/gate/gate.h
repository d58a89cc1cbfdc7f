// Gate is the module gate of edgetrustd (ARCHITECTURE.md "The module gate", THREATS M1-M14,
// docs/daemon-local-api.md "Deployments"): it decides what the edge agent may run, and fails
// closed. No sockets; the daemon's Control methods call it.
//
// Submit(jws), failing at the first problem and changing nothing then:
//   1. ManifestVerifier::Verify (signatures over the exact bytes, pinned roots, signer profile,
//      CRLs, k of n: "jws.*", "manifest.*"), at the daemon's trusted time;
//   2. target and expiry (manifest::CheckApplies: "manifest.not_for_device",
//      "manifest.expired", "manifest.not_yet_valid");
//   3. version: below the TPM floor or not above the last healthy version:
//      "gate.refused_rollback" (so the healthy deployment cannot be re-submitted to cancel a
//      pending one); more than max_version_jump above the floor:
//      "gate.refused_version_jump"; the same version as the pending or healthy deployment with
//      other bytes: "gate.refused_rollback"; exactly the in-force deployment again: accepted,
//      nothing changes (idempotent);
//   4. every module's image from <staging_dir>/<sha256 hex> into the content store, verified
//      while copied ("image.*", "store.*"; a missing staging file is "image.not_found");
//   5. the JWS kept (<gate_dir>/deployments/<manifest sha256>.jws), the manifest digest and
//      each image digest measured (event_log.h);
//   6. one atomic write of gate.json makes it the pending deployment.
// A crash before 6 leaves the previous deployment in force; after it, the new one.
//
// Report(id, healthy, version): only for the pending deployment ("gate.not_pending"), except
// that "healthy" again for the healthy deployment is answered as before (an agent retrying a
// report whose answer it lost), finishing a floor raise that failed.
// Healthy: gate.json records it as the healthy deployment, then the TPM floor is raised to
// its version (a crash in between is finished by the next Reconcile). Failed: the pending one
// is dropped, the last healthy one is in force again and measured as a "revert".
//
// Current(): the pending deployment, else the healthy one, as the agent's plan with store
// paths; "gate.no_deployment" when there is neither; kUnavailable "gate.not_ready" until
// Reconcile has checked the kept deployments against the TPM floor (a restored old state
// directory must not be served even for a moment).
//
// Reconcile(tpm): run after every TPM (re)open, before the gate serves: ensures the NV counter
// (rollback_floor.h), finishes a floor raise a crash interrupted, drops kept deployments below
// the floor, reconciles the event log with the PCR, and measures the deployment in force again
// when the log does not end naming it with all its images (a new TPM boot, or a crash between
// a measurement and the record). Until it has succeeded, every call answers kUnavailable
// "gate.not_ready"; any failed TPM or log step makes the gate not ready again, so that the
// next call reconciles first. TPM refusals (NV space, rate, locks) are "gate.tpm_refused";
// only a lost TPM connection is "tpm.unavailable".
//
// State under gate_dir (0700; files 0600): gate.json, events.log, deployments/*.jws. At Open
// every kept JWS is verified again (at the time it was accepted, so that certificates expiring
// later do not strand a running device); one that no longer verifies is not in force.
//
// Thread-safe: one mutex serializes every call; TPM work happens inside it through `with_tpm`
// (the daemon's TPM lock), so the lock order is gate, then TPM.
#ifndef EDGETRUST_DAEMON_GATE_GATE_H_
#define EDGETRUST_DAEMON_GATE_GATE_H_

#include <tss2/tss2_tpm2_types.h>

#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/tpm.h"
#include "common/error.h"
#include "daemon/api/deployment_wire.h"
#include "daemon/gate/event_log.h"
#include "manifest/core/applicability.h"
#include "manifest/jws/verifier.h"
#include "manifest/store/image_store.h"

namespace edgetrust::daemon::gate {

using TpmWork = std::function<Status(attestation::Tpm&)>;
using WithTpm = std::function<Status(const TpmWork&)>;

struct GateOptions {
  std::string gate_dir;     // the gate's state (created 0700)
  std::string staging_dir;  // where image blobs arrive, named by their sha256 hex
  std::string store_dir;    // the content store's root (manifest::ImageStore)
  uint32_t pcr = 15;
  TPM2_HANDLE nv_index = 0;
  uint64_t max_version_jump = 100;
};

class Gate {
 public:
  // Open reads gate.json and re-verifies the kept deployments (`now`: the device's time, for
  // CRLs issued after a deployment was accepted).
  static Result<std::unique_ptr<Gate>> Open(GateOptions options,
                                            manifest::jws::ManifestVerifier verifier,
                                            std::time_t now);

  Status Reconcile(const WithTpm& with_tpm);

  Result<api::GateStatus> Submit(std::string_view jws_json, const manifest::DeviceIdentity& device,
                                 std::time_t now, const WithTpm& with_tpm);
  Result<api::GateStatus> Report(std::string_view deployment_id, bool healthy,
                                 const api::HealthReport& report, const WithTpm& with_tpm);
  Result<api::DeploymentPlan> Current() const;

 private:
  struct Accepted {
    manifest::jws::VerifiedManifest verified;
    std::time_t accepted_at;
  };
  Gate(GateOptions options, manifest::jws::ManifestVerifier verifier, manifest::ImageStore store,
       EventLog log)
      : options_(std::move(options)),
        verifier_(std::move(verifier)),
        store_(std::move(store)),
        log_(std::move(log)) {}

  Status LoadRecord(std::time_t now);
  Status SaveRecord() const;
  // RunTpm runs `work` through `with_tpm`; a TPM refusal becomes "gate.tpm_refused" (only a
  // lost connection stays "tpm.*"), and any failure leaves the gate not ready.
  Status RunTpm(const WithTpm& with_tpm, const TpmWork& work);
  // InForceMeasured: the log's last manifest/revert names the deployment in force, followed
  // by all its images when it is a manifest line.
  bool InForceMeasured() const;
  Status KeepJws(std::string_view jws_json, std::string_view hex) const;
  Result<Accepted> LoadAccepted(std::string_view manifest_sha256_hex, std::time_t accepted_at,
                                std::time_t now);
  Status CheckVersion(const manifest::jws::VerifiedManifest& candidate) const;
  Status ImportImages(const manifest::Manifest& manifest) const;
  Status MeasureDeployment(attestation::Tpm& tpm, const manifest::jws::VerifiedManifest& v,
                           std::string_view type);
  api::GateStatus StatusLocked() const;
  api::DeploymentPlan PlanOf(const Accepted& accepted, api::DeploymentState state) const;

  const GateOptions options_;
  const manifest::jws::ManifestVerifier verifier_;
  const manifest::ImageStore store_;

  mutable std::mutex mutex_;
  EventLog log_;
  bool ready_ = false;
  uint64_t floor_ = 0;  // the TPM counter's value when last read
  std::shared_ptr<const Accepted> healthy_;
  std::shared_ptr<const Accepted> pending_;
};

}  // namespace edgetrust::daemon::gate

#endif  // EDGETRUST_DAEMON_GATE_GATE_H_
