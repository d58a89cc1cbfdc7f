#include "enrollment/operator/operator_service.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>
#include <utility>

#include "enrollment/operator/operator_wire.h"

namespace edgetrust::enrollment::operator_api {
namespace {

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<int> ParseLimit(std::string_view text) {
  if (text.empty()) return 100;
  auto value = ParseInt(text);
  if (!value || *value < 1 || *value > 1000) {
    return Fail(ErrorCode::kInvalidArgument, "request.bad_value", "limit must be 1-1000");
  }
  return static_cast<int>(*value);
}

std::unexpected<Error> IdMismatch() {
  return Fail(ErrorCode::kInvalidArgument, "operator.id_mismatch",
              "the id in the body differs from the id in the path");
}

std::unexpected<Error> MapNotFound(const Error& error, const std::string& what) {
  if (error.code == ErrorCode::kNotFound) {
    return Fail(ErrorCode::kNotFound, "operator.not_found", what + " not found");
  }
  return Fail(error);
}

struct ActionSpec {
  const char* action;
  store::DeviceStatus status;
  const char* default_reason;
};

ActionSpec SpecFor(DeviceAction action) {
  switch (action) {
    case DeviceAction::kDisable:
      return {"device.disable", store::DeviceStatus::kDisabled, "operator.disabled"};
    case DeviceAction::kEnable:
      return {"device.enable", store::DeviceStatus::kActive, "operator.enabled"};
    case DeviceAction::kRevoke:
      return {"device.revoke", store::DeviceStatus::kRevoked, "operator.revoked"};
    case DeviceAction::kRetire:
      return {"device.retire", store::DeviceStatus::kRetired, "operator.retired"};
  }
  return {"device.disable", store::DeviceStatus::kDisabled, "operator.disabled"};
}

}  // namespace

OperatorService::OperatorService(std::shared_ptr<store::Store> store, OperatorHooks hooks)
    : store_(std::move(store)), hooks_(std::move(hooks)) {
  if (!hooks_.clock) hooks_.clock = [] { return std::time(nullptr); };
}

store::AuditRecord OperatorService::Audit(const Caller& caller, std::string action,
                                          std::string subject, std::string details) const {
  store::AuditRecord record;
  record.time = hooks_.clock();
  record.actor = "operator:" + (caller.name.empty() ? std::string("unknown") : caller.name);
  record.action = std::move(action);
  record.subject = std::move(subject);
  record.outcome = "ok";
  record.reason = "ok";
  record.details = std::move(details);
  return record;
}

void OperatorService::Notify(const store::AuditRecord& record) const {
  if (hooks_.on_audit) hooks_.on_audit(record);
}

Status OperatorService::CheckPolicyExists(const std::string& id) {
  if (id.empty()) return Ok();
  auto policy = store_->GetPcrPolicy(id);
  if (!policy && policy.error().code == ErrorCode::kNotFound) {
    return Fail(ErrorCode::kInvalidArgument, "operator.unknown_pcr_policy",
                "PCR policy '" + id + "' does not exist");
  }
  if (!policy) return Fail(policy.error());
  return Ok();
}

// ---- PCR policies ----

Result<std::string> OperatorService::ListPcrPolicies() {
  auto list = store_->ListPcrPolicies();
  if (!list) return Fail(list.error());
  return ToJson(*list);
}

Result<std::string> OperatorService::GetPcrPolicy(const std::string& id) {
  auto policy = store_->GetPcrPolicy(id);
  if (!policy) return MapNotFound(policy.error(), "PCR policy");
  return ToJson(*policy);
}

template <typename Parsed, typename Put>
Result<std::string> OperatorService::Write(const Caller& caller, const char* action, Parsed parsed,
                                           Put put) {
  auto record = Audit(caller, action, parsed.first);
  if (auto ok = put(record); !ok) return Fail(ok.error());
  Notify(record);
  return parsed.second;
}

Result<std::string> OperatorService::CreatePcrPolicy(const Caller& caller, std::string_view body) {
  auto policy = ParsePcrPolicy(body);
  if (!policy) return Fail(policy.error());
  if (store_->GetPcrPolicy(policy->id)) {
    return Fail(ErrorCode::kAlreadyExists, "operator.exists", "PCR policy exists");
  }
  return Write(caller, "pcr_policy.create", std::pair{policy->id, ToJson(*policy)},
               [&](const store::AuditRecord& r) { return store_->PutPcrPolicy(*policy, r); });
}

Result<std::string> OperatorService::ReplacePcrPolicy(const Caller& caller, const std::string& id,
                                                      std::string_view body) {
  auto policy = ParsePcrPolicy(body);
  if (!policy) return Fail(policy.error());
  if (policy->id != id) return IdMismatch();
  return Write(caller, "pcr_policy.put", std::pair{policy->id, ToJson(*policy)},
               [&](const store::AuditRecord& r) { return store_->PutPcrPolicy(*policy, r); });
}

Status OperatorService::DeletePcrPolicy(const Caller& caller, const std::string& id) {
  auto policy = store_->GetPcrPolicy(id);
  if (!policy) return MapNotFound(policy.error(), "PCR policy");
  auto individuals = store_->ListIndividuals();
  if (!individuals) return Fail(individuals.error());
  auto groups = store_->ListGroups();
  if (!groups) return Fail(groups.error());
  bool used = false;
  for (const auto& e : *individuals) used = used || e.pcr_policy_id == id;
  for (const auto& g : *groups) used = used || g.pcr_policy_id == id;
  if (used) {
    return Fail(ErrorCode::kFailedPrecondition, "operator.pcr_policy_in_use",
                "an enrollment still refers to this PCR policy");
  }
  auto record = Audit(caller, "pcr_policy.delete", id);
  if (auto ok = store_->DeletePcrPolicy(id, record); !ok)
    return MapNotFound(ok.error(), "PCR policy");
  Notify(record);
  return Ok();
}

// ---- individual enrollments ----

Result<std::string> OperatorService::ListIndividuals() {
  auto list = store_->ListIndividuals();
  if (!list) return Fail(list.error());
  return ToJson(*list);
}

Result<std::string> OperatorService::GetIndividual(const std::string& id) {
  auto e = store_->GetIndividual(id);
  if (!e) return MapNotFound(e.error(), "individual enrollment");
  return ToJson(*e);
}

Result<std::string> OperatorService::CreateIndividual(const Caller& caller, std::string_view body) {
  auto e = ParseIndividualEnrollment(body);
  if (!e) return Fail(e.error());
  if (store_->GetIndividual(e->registration_id)) {
    return Fail(ErrorCode::kAlreadyExists, "operator.exists", "individual enrollment exists");
  }
  return ReplaceIndividual(caller, e->registration_id, body);
}

Result<std::string> OperatorService::ReplaceIndividual(const Caller& caller, const std::string& id,
                                                       std::string_view body) {
  auto e = ParseIndividualEnrollment(body);
  if (!e) return Fail(e.error());
  if (e->registration_id != id) return IdMismatch();
  if (auto ok = CheckPolicyExists(e->pcr_policy_id); !ok) return Fail(ok.error());
  auto existing = store_->GetIndividual(id);
  e->created_at = existing ? existing->created_at : hooks_.clock();
  nlohmann::json details = {{"ek_digest", e->ek_digest_hex}, {"enabled", e->enabled}};
  auto record =
      Audit(caller, existing ? "enrollment.individual.put" : "enrollment.individual.create", id,
            details.dump());
  if (auto ok = store_->PutIndividual(*e, record); !ok) return Fail(ok.error());
  Notify(record);
  return ToJson(*e);
}

Status OperatorService::DeleteIndividual(const Caller& caller, const std::string& id) {
  auto record = Audit(caller, "enrollment.individual.delete", id);
  if (auto ok = store_->DeleteIndividual(id, record); !ok) {
    return MapNotFound(ok.error(), "individual enrollment");
  }
  Notify(record);
  return Ok();
}

// ---- group enrollments ----

Result<std::string> OperatorService::ListGroups() {
  auto list = store_->ListGroups();
  if (!list) return Fail(list.error());
  return ToJson(*list);
}

Result<std::string> OperatorService::GetGroup(const std::string& id) {
  auto g = store_->GetGroup(id);
  if (!g) return MapNotFound(g.error(), "group enrollment");
  return ToJson(*g);
}

Result<std::string> OperatorService::CreateGroup(const Caller& caller, std::string_view body) {
  auto g = ParseGroupEnrollment(body);
  if (!g) return Fail(g.error());
  if (store_->GetGroup(g->group_id)) {
    return Fail(ErrorCode::kAlreadyExists, "operator.exists", "group enrollment exists");
  }
  return ReplaceGroup(caller, g->group_id, body);
}

Result<std::string> OperatorService::ReplaceGroup(const Caller& caller, const std::string& id,
                                                  std::string_view body) {
  auto g = ParseGroupEnrollment(body);
  if (!g) return Fail(g.error());
  if (g->group_id != id) return IdMismatch();
  if (auto ok = CheckPolicyExists(g->pcr_policy_id); !ok) return Fail(ok.error());
  auto existing = store_->GetGroup(id);
  g->created_at = existing ? existing->created_at : hooks_.clock();
  nlohmann::json details = {{"enabled", g->enabled}, {"pcr_policy_id", g->pcr_policy_id}};
  auto record = Audit(caller, existing ? "enrollment.group.put" : "enrollment.group.create", id,
                      details.dump());
  if (auto ok = store_->PutGroup(*g, record); !ok) return Fail(ok.error());
  Notify(record);
  return ToJson(*g);
}

Status OperatorService::DeleteGroup(const Caller& caller, const std::string& id) {
  auto record = Audit(caller, "enrollment.group.delete", id);
  if (auto ok = store_->DeleteGroup(id, record); !ok) return MapNotFound(ok.error(), "group");
  Notify(record);
  return Ok();
}

// ---- devices ----

Result<std::string> OperatorService::ListDevices(std::string_view limit, const std::string& after) {
  auto n = ParseLimit(limit);
  if (!n) return Fail(n.error());
  auto devices = store_->ListDevices(*n, after);
  if (!devices) return Fail(devices.error());
  std::string next = static_cast<int>(devices->size()) == *n ? devices->back().device_id : "";
  return ToJson(*devices, next);
}

Result<std::string> OperatorService::GetDevice(const std::string& id) {
  auto device = store_->GetDevice(id);
  if (!device) return MapNotFound(device.error(), "device");
  return ToJson(*device);
}

Result<std::string> OperatorService::ChangeDevice(const Caller& caller, const std::string& id,
                                                  DeviceAction action, std::string_view body) {
  ActionSpec spec = SpecFor(action);
  auto reason = ParseStatusReason(body, spec.default_reason);
  if (!reason) return Fail(reason.error());
  auto device = store_->GetDevice(id);
  if (!device) return MapNotFound(device.error(), "device");
  // Enabling a revoked device does not un-revoke its certificates: it must enroll again.
  nlohmann::json details = {{"from", store::DeviceStatusName(device->status)},
                            {"to", store::DeviceStatusName(spec.status)},
                            {"reason", *reason}};
  auto record = Audit(caller, spec.action, id, details.dump());
  if (auto ok = store_->UpdateDeviceStatus(id, spec.status, *reason, record); !ok) {
    return MapNotFound(ok.error(), "device");
  }
  Notify(record);
  if (action == DeviceAction::kRevoke && hooks_.on_revoked) hooks_.on_revoked();
  return GetDevice(id);
}

// ---- audit ----

Result<std::string> OperatorService::QueryAudit(const std::string& subject,
                                                const std::string& action,
                                                const std::string& outcome, std::string_view after,
                                                std::string_view limit) {
  store::AuditQuery query;
  if (!subject.empty()) query.subject = subject;
  if (!action.empty()) query.action = action;
  if (!outcome.empty()) query.outcome = outcome;
  if (!after.empty()) {
    auto value = ParseInt(after);
    if (!value || *value < 0) {
      return Fail(ErrorCode::kInvalidArgument, "request.bad_value", "after must be >= 0");
    }
    query.after_sequence = *value;
  }
  auto n = ParseLimit(limit);
  if (!n) return Fail(n.error());
  query.limit = *n;
  auto records = store_->QueryAudit(query);
  if (!records) return Fail(records.error());
  return ToJson(*records);
}

int HttpStatusFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return error.reason == "request.too_large" ? 413 : 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnavailable:
    case ErrorCode::kResourceExhausted:
      return 503;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace edgetrust::enrollment::operator_api
