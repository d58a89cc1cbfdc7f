// Gate: opening, the record on disk, Reconcile and the plan (gate.h). Submit and Report are in
// gate_submit.cc.
#include "daemon/gate/gate.h"

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "common/log.h"
#include "common/strict_json.h"
#include "daemon/gate/rollback_floor.h"
#include "manifest/core/rfc3339.h"
#include "manifest/jws/envelope.h"

namespace edgetrust::daemon::gate {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxRecordSize = 64 * 1024;

std::string RecordPath(const GateOptions& o) { return o.gate_dir + "/gate.json"; }
std::string JwsPath(const GateOptions& o, std::string_view hex) {
  return o.gate_dir + "/deployments/" + std::string(hex) + ".jws";
}

std::string_view RestartPolicyName(manifest::RestartPolicy p) {
  switch (p) {
    case manifest::RestartPolicy::kNever:
      return "never";
    case manifest::RestartPolicy::kOnFailure:
      return "on-failure";
    case manifest::RestartPolicy::kOnUnhealthy:
      return "on-unhealthy";
    case manifest::RestartPolicy::kAlways:
      break;
  }
  return "always";
}

}  // namespace

Result<std::unique_ptr<Gate>> Gate::Open(GateOptions options,
                                         manifest::jws::ManifestVerifier verifier,
                                         std::time_t now) {
  if (options.pcr > 15) {
    return Fail(ErrorCode::kInvalidArgument, "gate.bad_pcr",
                "the gate's PCR must be 0-15 (16 and 23 can be reset, 17-22 belong to DRTM)");
  }
  for (const std::string& dir : {options.gate_dir, options.gate_dir + "/deployments"}) {
    if (auto ok = EnsureDirectory(dir, 0700); !ok) return Fail(ok.error());
  }
  auto store = manifest::ImageStore::Open(options.store_dir);
  if (!store) return Fail(store.error());
  auto log = EventLog::Open(options.gate_dir + "/events.log", options.pcr);
  if (!log) return Fail(log.error());
  std::unique_ptr<Gate> gate(
      new Gate(std::move(options), std::move(verifier), std::move(*store), std::move(*log)));
  if (auto ok = gate->LoadRecord(now); !ok) return Fail(ok.error());
  return gate;
}

Result<Gate::Accepted> Gate::LoadAccepted(std::string_view hex, std::time_t accepted_at,
                                          std::time_t now) {
  auto jws = ReadFile(JwsPath(options_, hex), manifest::jws::kMaxJwsSize);
  if (!jws) return Fail(jws.error());
  const std::string_view text(reinterpret_cast<const char*>(jws->data()), jws->size());
  // At the time it was accepted, so that a signer certificate expiring later does not strand
  // a running device; a CRL issued since is not current then, so revocation is checked with
  // today's CRLs at today's time instead.
  auto at_acceptance = verifier_.Verify(text, accepted_at);
  const bool stale_crl = !at_acceptance && at_acceptance.error().reason == "jws.crl_stale";
  auto verified = stale_crl ? verifier_.Verify(text, now) : std::move(at_acceptance);
  if (!verified) return Fail(verified.error());
  if (HexEncode(verified->payload_sha256) != hex) {
    return Fail(ErrorCode::kFailedPrecondition, "gate.record_mismatch",
                "a kept deployment's file does not hold the manifest it is named after");
  }
  return Accepted{std::move(*verified), accepted_at};
}

Status Gate::LoadRecord(std::time_t now) {
  auto raw = ReadFile(RecordPath(options_), kMaxRecordSize);
  if (!raw) return raw.error().code == ErrorCode::kNotFound ? Ok() : Fail(raw.error());
  auto doc = ParseStrictJsonObject(
      std::string_view(reinterpret_cast<const char*>(raw->data()), raw->size()),
      {.max_size = kMaxRecordSize,
       .where = "gate.json",
       .malformed_reason = "gate.record_corrupt"});
  if (!doc) {
    LogError("gate: gate.json does not parse; no deployment is in force: " +
             doc.error().ToString());
    return Ok();
  }
  for (auto [name, slot] : {std::pair{"healthy", &healthy_}, std::pair{"pending", &pending_}}) {
    const json* entry = doc->contains(name) ? &(*doc)[name] : nullptr;
    if (entry == nullptr || !entry->is_object()) continue;
    const json* hex = entry->contains("manifest_sha256") ? &(*entry)["manifest_sha256"] : nullptr;
    const json* at = entry->contains("accepted_at") ? &(*entry)["accepted_at"] : nullptr;
    if (hex == nullptr || !hex->is_string() || at == nullptr || !at->is_number_integer()) {
      LogError(std::string("gate: gate.json's ") + name + " entry is malformed; not in force");
      continue;
    }
    auto accepted =
        LoadAccepted(hex->get<std::string>(), static_cast<std::time_t>(at->get<int64_t>()), now);
    if (!accepted) {
      LogError(std::string("gate: the ") + name + " deployment no longer verifies and is not in " +
               "force: " + accepted.error().ToString());
      continue;
    }
    *slot = std::make_shared<const Accepted>(std::move(*accepted));
  }
  return Ok();
}

Status Gate::SaveRecord() const {
  json out = json::object();
  for (auto [name, slot] : {std::pair{"healthy", &healthy_}, std::pair{"pending", &pending_}}) {
    if (!*slot) {
      out[name] = nullptr;
      continue;
    }
    out[name] = {{"manifest_sha256", HexEncode((*slot)->verified.payload_sha256)},
                 {"deployment_id", (*slot)->verified.manifest.deployment_id},
                 {"version", (*slot)->verified.manifest.version},
                 {"accepted_at", static_cast<int64_t>((*slot)->accepted_at)}};
  }
  return WriteFileAtomic(RecordPath(options_), AsBytes(DumpJson(out)), 0600);
}

Status Gate::KeepJws(std::string_view jws_json, std::string_view hex) const {
  return WriteFileAtomic(JwsPath(options_, hex), AsBytes(jws_json), 0600);
}

Status Gate::MeasureDeployment(attestation::Tpm& tpm, const manifest::jws::VerifiedManifest& v,
                               std::string_view type) {
  const manifest::Manifest& m = v.manifest;
  GateEvent manifest_event{std::string(type), v.payload_sha256, m.deployment_id, m.version, {}, {}};
  if (auto ok = log_.Measure(tpm, manifest_event); !ok) return ok;
  if (type == "revert") return Ok();
  for (const auto& module : m.modules) {
    GateEvent image{
        "image",         module.image.sha256,
        m.deployment_id, m.version,
        module.name,     module.image.repository + "@sha256:" + module.image.DigestHex()};
    if (auto ok = log_.Measure(tpm, image); !ok) return ok;
  }
  return Ok();
}

bool Gate::InForceMeasured() const {
  const std::shared_ptr<const Accepted>& in_force = pending_ ? pending_ : healthy_;
  if (!in_force) return true;
  const GateEvent* last = log_.LastNamed();
  if (last == nullptr || last->digest != in_force->verified.payload_sha256) return false;
  if (last->type == "revert") return true;  // names a deployment measured in full before
  std::vector<Bytes> expected;
  for (const auto& module : in_force->verified.manifest.modules) {
    expected.push_back(module.image.sha256);
  }
  return log_.ImagesAfterLastNamed() == expected;
}

Status Gate::Reconcile(const WithTpm& with_tpm) {
  std::lock_guard lock(mutex_);
  ready_ = false;
  auto done = RunTpm(with_tpm, [&](attestation::Tpm& tpm) -> Status {
    auto floor = EnsureRollbackFloor(tpm, options_.nv_index);
    if (!floor) return Fail(floor.error());
    floor_ = *floor;
    if (healthy_ && healthy_->verified.manifest.version > floor_) {
      // gate.json says healthy, the raise did not finish: finish it.
      auto raised = RaiseRollbackFloor(tpm, options_.nv_index, healthy_->verified.manifest.version);
      if (!raised) return Fail(raised.error());
      floor_ = *raised;
    }
    // Kept deployments below the floor (a restored state directory) are not in force, and
    // are not measured.
    for (auto* slot : {&healthy_, &pending_}) {
      if (*slot && (*slot)->verified.manifest.version < floor_) {
        LogError("gate: deployment " + (*slot)->verified.manifest.deployment_id + " version " +
                 std::to_string((*slot)->verified.manifest.version) + " is below the TPM floor " +
                 std::to_string(floor_) + "; not in force");
        slot->reset();
      }
    }
    auto fresh = log_.Reconcile(tpm);
    if (!fresh) return Fail(fresh.error());
    if (*fresh && healthy_ && pending_) {
      if (auto ok = MeasureDeployment(tpm, healthy_->verified, "manifest"); !ok) return ok;
    }
    // The log must end naming what is in force, with all its images: after a new TPM boot,
    // or when a crash or failure came between a measurement and the record (or the other
    // way round), measure the deployment in force again.
    if (!InForceMeasured()) {
      const auto& in_force = pending_ ? pending_ : healthy_;
      if (auto ok = MeasureDeployment(tpm, in_force->verified, "manifest"); !ok) return ok;
    }
    return Ok();
  });
  if (!done) return done;
  ready_ = true;
  return Ok();
}

Status Gate::RunTpm(const WithTpm& with_tpm, const TpmWork& work) {
  // Only a lost connection keeps its "tpm." reason (the daemon then reopens the TPM); what
  // the TPM refuses (NV space, rate, locks) is the gate's problem, not the device's identity.
  auto done = with_tpm([&](attestation::Tpm& tpm) -> Status {
    auto ok = work(tpm);
    if (ok || !ok.error().reason.starts_with("tpm.") || ok.error().reason == "tpm.unavailable") {
      return ok;
    }
    Error e = ok.error();
    e.message = e.reason + ": " + e.message;
    e.reason = "gate.tpm_refused";
    return std::unexpected(std::move(e));
  });
  if (!done) ready_ = false;  // the next call reconciles the log and the floor again
  return done;
}

api::DeploymentPlan Gate::PlanOf(const Accepted& accepted, api::DeploymentState state) const {
  const manifest::Manifest& m = accepted.verified.manifest;
  api::DeploymentPlan plan;
  plan.deployment_id = m.deployment_id;
  plan.version = m.version;
  plan.state = state;
  plan.manifest_sha256 = HexEncode(accepted.verified.payload_sha256);
  plan.expires_at = manifest::internal::FormatUtcTimestamp(m.expires_at);
  for (const auto& module : m.modules) {
    api::PlannedModule p;
    p.name = module.name;
    p.sha256 = module.image.DigestHex();
    p.image = module.image.repository + "@sha256:" + p.sha256;
    p.size = module.image.size;
    p.path = store_.Path(p.sha256).value_or("");
    p.create_options = module.create_options;
    p.env = module.env;
    p.restart_policy = std::string(RestartPolicyName(module.restart_policy));
    p.startup_order = module.startup_order;
    p.status = module.status == manifest::ModuleStatus::kStopped ? "stopped" : "running";
    plan.modules.push_back(std::move(p));
  }
  return plan;
}

api::GateStatus Gate::StatusLocked() const {
  api::GateStatus status;
  status.rollback_floor = floor_;
  if (pending_) {
    status.current = PlanOf(*pending_, api::DeploymentState::kPending);
  } else if (healthy_) {
    status.current = PlanOf(*healthy_, api::DeploymentState::kHealthy);
  }
  return status;
}

Result<api::DeploymentPlan> Gate::Current() const {
  std::lock_guard lock(mutex_);
  if (!ready_) {
    return Fail(ErrorCode::kUnavailable, "gate.not_ready",
                "the gate has not checked its deployments against the TPM floor yet");
  }
  api::GateStatus status = StatusLocked();
  if (!status.current) {
    return Fail(ErrorCode::kNotFound, "gate.no_deployment", "no deployment is in force");
  }
  return std::move(*status.current);
}

}  // namespace edgetrust::daemon::gate
