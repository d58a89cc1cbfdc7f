// Gate::Submit and Gate::Report (gate.h): the order of checks and writes there is the
// contract; each step here says which part it is.
#include <utility>

#include "common/log.h"
#include "daemon/gate/gate.h"
#include "daemon/gate/rollback_floor.h"

namespace edgetrust::daemon::gate {
namespace {

std::unexpected<Error> Refused(std::string reason, std::string message) {
  return Fail(ErrorCode::kPermissionDenied, std::move(reason), std::move(message));
}

bool SameBytes(const manifest::jws::VerifiedManifest& a, const manifest::jws::VerifiedManifest& b) {
  return a.payload_sha256 == b.payload_sha256;
}

}  // namespace

Status Gate::CheckVersion(const manifest::jws::VerifiedManifest& candidate) const {
  const uint64_t v = candidate.manifest.version;
  if (v < floor_) {
    return Refused(
        "gate.refused_rollback",
        "version " + std::to_string(v) + " is below the rollback floor " + std::to_string(floor_));
  }
  if (v - floor_ > options_.max_version_jump) {
    return Refused("gate.refused_version_jump", "version " + std::to_string(v) + " is more than " +
                                                    std::to_string(options_.max_version_jump) +
                                                    " above the floor " + std::to_string(floor_));
  }
  for (const auto* slot : {&healthy_, &pending_}) {
    if (!*slot) continue;
    const auto& held = (*slot)->verified;
    if (v == held.manifest.version && !SameBytes(candidate, held)) {
      return Refused("gate.refused_rollback",
                     "version " + std::to_string(v) + " is already taken by other bytes");
    }
  }
  // Only the deployment in force may come again (Submit answers it before this check): the
  // healthy one re-submitted while another is pending would cancel that one.
  if (healthy_ && v <= healthy_->verified.manifest.version) {
    return Refused("gate.refused_rollback",
                   "version " + std::to_string(v) + " is not above the healthy deployment's");
  }
  return Ok();
}

Status Gate::ImportImages(const manifest::Manifest& m) const {
  for (const auto& module : m.modules) {
    std::string staging = options_.staging_dir + "/" + module.image.DigestHex();
    auto stored = store_.Import(staging, module.image);
    if (!stored) {
      Error e = stored.error();
      e.message = "module " + module.name + ": " + e.message;
      return std::unexpected(std::move(e));
    }
  }
  return Ok();
}

Result<api::GateStatus> Gate::Submit(std::string_view jws_json,
                                     const manifest::DeviceIdentity& device, std::time_t now,
                                     const WithTpm& with_tpm) {
  // 1. signatures, chain, profile, k of n: before taking the lock (Verify is const).
  auto verified = verifier_.Verify(jws_json, now);
  if (!verified) return Fail(verified.error());
  // 2. target and expiry.
  if (auto applies = manifest::CheckApplies(verified->manifest, device, now); !applies) {
    return Fail(applies.error());
  }
  std::lock_guard lock(mutex_);
  if (!ready_) {
    return Fail(ErrorCode::kUnavailable, "gate.not_ready", "the gate has not reached the TPM yet");
  }
  const std::shared_ptr<const Accepted>& in_force = pending_ ? pending_ : healthy_;
  if (in_force && SameBytes(in_force->verified, *verified)) return StatusLocked();  // idempotent
  // 3. version against the floor held by the TPM (read again: it is the authority).
  auto floor = Result<uint64_t>(floor_);
  if (auto read = RunTpm(with_tpm,
                         [&](attestation::Tpm& tpm) -> Status {
                           floor = EnsureRollbackFloor(tpm, options_.nv_index);
                           return floor ? Ok() : Fail(floor.error());
                         });
      !read) {
    return Fail(read.error());
  }
  floor_ = *floor;
  if (auto ok = CheckVersion(*verified); !ok) return Fail(ok.error());
  // 4. images into the content store, verified while copied.
  if (auto ok = ImportImages(verified->manifest); !ok) return Fail(ok.error());
  // 5. keep the exact bytes, measure.
  Accepted accepted{std::move(*verified), now};
  const std::string hex = HexEncode(accepted.verified.payload_sha256);
  if (auto ok = KeepJws(jws_json, hex); !ok) return Fail(ok.error());
  if (auto ok = RunTpm(with_tpm,
                       [&](attestation::Tpm& tpm) {
                         return MeasureDeployment(tpm, accepted.verified, "manifest");
                       });
      !ok) {
    return Fail(ok.error());
  }
  // 6. one atomic write makes it the pending deployment.
  std::shared_ptr<const Accepted> previous = std::move(pending_);
  pending_ = std::make_shared<const Accepted>(std::move(accepted));
  if (auto ok = SaveRecord(); !ok) {
    pending_ = std::move(previous);
    ready_ = false;  // measured but not recorded: the next call's Reconcile re-measures
    return Fail(ok.error());
  }
  LogInfo("gate: deployment " + pending_->verified.manifest.deployment_id + " version " +
          std::to_string(pending_->verified.manifest.version) + " accepted (pending), manifest " +
          hex);
  return StatusLocked();
}

Result<api::GateStatus> Gate::Report(std::string_view deployment_id, bool healthy,
                                     const api::HealthReport& report, const WithTpm& with_tpm) {
  std::lock_guard lock(mutex_);
  if (!ready_) {
    return Fail(ErrorCode::kUnavailable, "gate.not_ready", "the gate has not reached the TPM yet");
  }
  const bool repeat = healthy && !pending_ && healthy_ &&
                      healthy_->verified.manifest.deployment_id == deployment_id &&
                      healthy_->verified.manifest.version == report.version;
  if (repeat && floor_ >= report.version) return StatusLocked();  // a retried report
  if (repeat) {
    // Recorded healthy, floor not raised yet (the raise failed): raise it now.
    if (auto ok = RunTpm(with_tpm,
                         [&](attestation::Tpm& tpm) -> Status {
                           auto raised = RaiseRollbackFloor(tpm, options_.nv_index, report.version);
                           if (!raised) return Fail(raised.error());
                           floor_ = *raised;
                           return Ok();
                         });
        !ok) {
      return Fail(ok.error());
    }
    return StatusLocked();
  }
  if (!pending_ || pending_->verified.manifest.deployment_id != deployment_id ||
      pending_->verified.manifest.version != report.version) {
    return Fail(ErrorCode::kFailedPrecondition, "gate.not_pending",
                "no pending deployment with this id and version");
  }
  const std::string name = pending_->verified.manifest.deployment_id + " version " +
                           std::to_string(pending_->verified.manifest.version);
  if (healthy) {
    // Record first, raise second: Reconcile finishes a raise a crash interrupted.
    std::shared_ptr<const Accepted> old_healthy = std::move(healthy_);
    healthy_ = std::move(pending_);
    pending_.reset();
    if (auto ok = SaveRecord(); !ok) {
      pending_ = std::move(healthy_);
      healthy_ = std::move(old_healthy);
      return Fail(ok.error());
    }
    const uint64_t version = healthy_->verified.manifest.version;
    if (auto ok = RunTpm(with_tpm,
                         [&](attestation::Tpm& tpm) -> Status {
                           auto raised = RaiseRollbackFloor(tpm, options_.nv_index, version);
                           if (!raised) return Fail(raised.error());
                           floor_ = *raised;
                           return Ok();
                         });
        !ok) {
      return Fail(ok.error());
    }
    LogInfo("gate: deployment " + name + " healthy; rollback floor now " + std::to_string(floor_));
    return StatusLocked();
  }
  std::shared_ptr<const Accepted> failed = std::move(pending_);
  pending_.reset();
  if (auto ok = SaveRecord(); !ok) {
    pending_ = std::move(failed);
    return Fail(ok.error());
  }
  LogWarning("gate: deployment " + name + " reported failed" +
             (report.detail ? " (" + *report.detail + ")" : std::string()) +
             (healthy_ ? "; back to " + healthy_->verified.manifest.deployment_id + " version " +
                             std::to_string(healthy_->verified.manifest.version)
                       : "; no deployment is in force"));
  if (healthy_) {
    // The verdict is recorded whatever happens here: a failed measurement leaves the gate not
    // ready, and the next call's Reconcile measures the deployment in force again.
    if (auto ok = RunTpm(with_tpm,
                         [&](attestation::Tpm& tpm) {
                           return MeasureDeployment(tpm, healthy_->verified, "revert");
                         });
        !ok) {
      LogWarning("gate: measuring the revert failed; the next call re-measures: " +
                 ok.error().ToString());
    }
  }
  return StatusLocked();
}

}  // namespace edgetrust::daemon::gate
