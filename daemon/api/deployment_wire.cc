// The JSON bodies of the gate's endpoints (deployment_wire.h), read with enrollment/api's
// strict ObjectReader so that every local API body is refused in the same words.
#include "daemon/api/deployment_wire.h"

#include <limits>
#include <utility>

#include "common/strict_json.h"
#include "daemon/api/local_client.h"
#include "enrollment/api/json_reader.h"

namespace edgetrust::daemon::api {
namespace {

using enrollment::api::internal::ObjectReader;
using enrollment::api::internal::WireError;
using json = nlohmann::json;

constexpr size_t kMaxDetail = 256;

// Plans carry create options (nested JSON objects as signed): allow the manifest's depth plus
// the plan's own three levels.
Result<json> ParseBody(std::string_view body, size_t max_size) {
  return ParseStrictJsonObject(body, {.max_size = max_size,
                                      .max_depth = 32,
                                      .where = "body",
                                      .too_large_reason = "request.too_large",
                                      .malformed_reason = "request.malformed_json",
                                      .not_object_reason = "request.wrong_type"});
}

Result<uint64_t> NonNegative(ObjectReader& r, const char* name, uint64_t max) {
  auto v = r.Integer(name);
  if (!v) return Fail(v.error());
  if (*v < 0 || static_cast<uint64_t>(*v) > max) {
    return WireError("request.bad_value", std::string(name) + " is out of range");
  }
  return static_cast<uint64_t>(*v);
}

json ModuleJson(const PlannedModule& m) {
  json env = json::object();
  for (const auto& [k, v] : m.env) env[k] = v;
  return {{"name", m.name},
          {"image", m.image},
          {"sha256", m.sha256},
          {"size", m.size},
          {"path", m.path},
          {"create_options", json::parse(m.create_options, nullptr, false)},
          {"env", std::move(env)},
          {"restart_policy", m.restart_policy},
          {"startup_order", m.startup_order},
          {"status", m.status}};
}

Result<PlannedModule> ReadModule(const json& object) {
  if (!object.is_object()) return WireError("request.wrong_type", "module must be an object");
  ObjectReader r(object, "module");
  PlannedModule m;
  for (auto [name, field] :
       {std::pair{"name", &m.name}, std::pair{"image", &m.image}, std::pair{"sha256", &m.sha256},
        std::pair{"path", &m.path}, std::pair{"restart_policy", &m.restart_policy},
        std::pair{"status", &m.status}}) {
    auto v = r.String(name);
    if (!v) return Fail(v.error());
    *field = std::move(*v);
  }
  auto size = NonNegative(r, "size", std::numeric_limits<int64_t>::max());
  if (!size) return Fail(size.error());
  m.size = *size;
  auto order = NonNegative(r, "startup_order", std::numeric_limits<uint32_t>::max());
  if (!order) return Fail(order.error());
  m.startup_order = static_cast<uint32_t>(*order);
  auto options = r.Object("create_options");
  if (!options) return Fail(options.error());
  m.create_options = edgetrust::DumpJson(**options);
  auto env = r.Object("env");
  if (!env) return Fail(env.error());
  for (const auto& [k, v] : (*env)->items()) {
    if (!v.is_string()) return WireError("request.wrong_type", "module.env values are strings");
    m.env.emplace(k, v.get<std::string>());
  }
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return m;
}

Result<DeploymentPlan> ReadPlan(const json& object) {
  ObjectReader r(object, "deployment");
  DeploymentPlan plan;
  for (auto [name, field] : {std::pair{"deployment_id", &plan.deployment_id},
                             std::pair{"manifest_sha256", &plan.manifest_sha256},
                             std::pair{"expires_at", &plan.expires_at}}) {
    auto v = r.String(name);
    if (!v) return Fail(v.error());
    *field = std::move(*v);
  }
  auto version = NonNegative(r, "version", std::numeric_limits<int64_t>::max());
  if (!version) return Fail(version.error());
  plan.version = *version;
  auto state = r.String("state");
  if (!state) return Fail(state.error());
  if (*state == "pending") {
    plan.state = DeploymentState::kPending;
  } else if (*state == "healthy") {
    plan.state = DeploymentState::kHealthy;
  } else {
    return WireError("request.bad_value", "deployment.state is unknown");
  }
  auto modules = r.Array("modules");
  if (!modules) return Fail(modules.error());
  for (const auto& item : **modules) {
    auto m = ReadModule(item);
    if (!m) return Fail(m.error());
    plan.modules.push_back(std::move(*m));
  }
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return plan;
}

json PlanJson(const DeploymentPlan& plan) {
  json modules = json::array();
  for (const auto& m : plan.modules) modules.push_back(ModuleJson(m));
  return {{"deployment_id", plan.deployment_id},
          {"version", plan.version},
          {"state", DeploymentStateName(plan.state)},
          {"manifest_sha256", plan.manifest_sha256},
          {"expires_at", plan.expires_at},
          {"modules", std::move(modules)}};
}

}  // namespace

std::string_view DeploymentStateName(DeploymentState state) {
  return state == DeploymentState::kHealthy ? "healthy" : "pending";
}

std::string ToJson(const DeploymentPlan& plan) { return edgetrust::DumpJson(PlanJson(plan)); }

Result<DeploymentPlan> ParseDeploymentPlan(std::string_view body) {
  auto doc = ParseBody(body, kMaxLocalResponseSize);
  if (!doc) return Fail(doc.error());
  return ReadPlan(*doc);
}

std::string ToJson(const GateStatus& status) {
  json out = {{"rollback_floor", status.rollback_floor}};
  out["current"] = status.current ? PlanJson(*status.current) : json(nullptr);
  return edgetrust::DumpJson(out);
}

Result<GateStatus> ParseGateStatus(std::string_view body) {
  auto doc = ParseBody(body, kMaxLocalResponseSize);
  if (!doc) return Fail(doc.error());
  auto current = doc->find("current");
  if (current == doc->end()) return WireError("request.missing_field", "gate.current is missing");
  GateStatus out;
  if (!current->is_null()) {
    if (!current->is_object()) return WireError("request.wrong_type", "gate.current");
    auto plan = ReadPlan(*current);
    if (!plan) return Fail(plan.error());
    out.current = std::move(*plan);
  }
  json rest = std::move(*doc);
  rest.erase("current");  // read above; null is not a string, so ObjectReader cannot take it
  ObjectReader r(rest, "gate");
  auto floor = NonNegative(r, "rollback_floor", std::numeric_limits<int64_t>::max());
  if (!floor) return Fail(floor.error());
  out.rollback_floor = *floor;
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return out;
}

std::string ToJson(const HealthReport& report) {
  json out = {{"version", report.version}};
  if (report.detail) out["detail"] = *report.detail;
  return edgetrust::DumpJson(out);
}

Result<HealthReport> ParseHealthReport(std::string_view body) {
  auto doc = ParseBody(body, kMaxLocalBodySize);
  if (!doc) return Fail(doc.error());
  ObjectReader r(*doc, "report");
  HealthReport out;
  auto version = NonNegative(r, "version", std::numeric_limits<int64_t>::max());
  if (!version) return Fail(version.error());
  out.version = *version;
  auto detail = r.OptionalString("detail");
  if (!detail) return Fail(detail.error());
  if (*detail) {
    if ((*detail)->size() > kMaxDetail) {
      return WireError("request.bad_value", "report.detail is longer than 256 characters");
    }
    for (char c : **detail) {
      if (c < ' ' || c > '~') {
        return WireError("request.bad_value", "report.detail must be printable ASCII");
      }
    }
  }
  out.detail = std::move(*detail);
  if (auto done = r.Finish(); !done) return Fail(done.error());
  return out;
}

}  // namespace edgetrust::daemon::api
