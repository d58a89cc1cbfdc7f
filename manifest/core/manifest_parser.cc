#include "manifest/core/manifest_parser.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "manifest/core/field_reader.h"
#include "manifest/core/manifest_schema.h"
#include "manifest/core/module_parser.h"
#include "manifest/core/names.h"
#include "manifest/core/rfc3339.h"
#include "manifest/core/strict_json.h"

namespace edgetrust::manifest {
namespace {

using json = nlohmann::json;
using internal::AsArray;
using internal::AsInteger;
using internal::AsString;
using internal::CheckObject;
using internal::JoinPath;
using internal::ManifestError;
using internal::Member;

Result<std::string> RequiredString(const json& object, std::string_view name) {
  auto m = Member(object, "", name, true);
  if (!m) return Fail(m.error());
  return AsString(**m, name);
}

Result<std::time_t> Timestamp(const json& object, std::string_view name) {
  auto text = RequiredString(object, name);
  if (!text) return Fail(text.error());
  auto time = internal::ParseUtcTimestamp(*text);
  if (!time) {
    return ManifestError("manifest.bad_time", name,
                         "must be an RFC 3339 UTC time like 2026-11-26T10:00:00Z");
  }
  return *time;
}

// NameList reads an optional array of allow-listed strings.
Result<std::vector<std::string>> NameList(const json& object, const std::string& path,
                                          std::string_view member,
                                          const std::function<bool(std::string_view)>& allowed,
                                          std::string_view pattern) {
  auto m = Member(object, path, member, false);
  if (!m) return Fail(m.error());
  std::vector<std::string> names;
  if (*m == nullptr) return names;
  std::string list_path = JoinPath(path, member);
  if (auto ok = AsArray(**m, list_path); !ok) return Fail(ok.error());
  if ((*m)->size() > internal::kMaxTargetEntries) {
    return ManifestError(
        "manifest.too_many", list_path,
        "has more than " + std::to_string(internal::kMaxTargetEntries) + " entries");
  }
  for (size_t i = 0; i < (*m)->size(); ++i) {
    std::string entry_path = internal::IndexPath(list_path, i);
    auto name = AsString((**m)[i], entry_path);
    if (!name) return Fail(name.error());
    if (!allowed(*name)) return ManifestError("manifest.bad_name", entry_path, pattern);
    names.push_back(std::move(*name));
  }
  return names;
}

Result<Target> ParseTarget(const json& root) {
  auto m = Member(root, "", "target", true);
  if (!m) return Fail(m.error());
  const std::string path = "target";
  if (auto ok = CheckObject(**m, path, internal::kTargetMembers); !ok) return Fail(ok.error());
  Target target;
  auto ids = NameList(**m, path, "deviceIds", internal::IsDeviceId,
                      "must match [A-Za-z0-9._:-]{1,128} and not start with '.' or '-'");
  if (!ids) return Fail(ids.error());
  auto tags = NameList(**m, path, "tags", internal::IsTag, "must match [A-Za-z0-9._-]{1,64}");
  if (!tags) return Fail(tags.error());
  if (ids->empty() && tags->empty()) {
    return ManifestError("manifest.missing_field", path, "must list a device id or a tag");
  }
  target.device_ids = std::move(*ids);
  target.tags = std::move(*tags);
  return target;
}

Result<std::vector<Module>> ParseModules(const json& root) {
  auto m = Member(root, "", "modules", true);
  if (!m) return Fail(m.error());
  const std::string path = "modules";
  if (!(*m)->is_object()) return ManifestError("manifest.wrong_type", path, "must be an object");
  if ((*m)->empty()) return ManifestError("manifest.missing_field", path, "has no module");
  if ((*m)->size() > kMaxModules) {
    return ManifestError("manifest.too_many", path,
                         "has more than " + std::to_string(kMaxModules) + " modules");
  }
  std::vector<Module> modules;
  for (const auto& [name, value] : (*m)->items()) {
    std::string module_path = JoinPath(path, name);
    if (!internal::IsModuleName(name)) {
      return ManifestError("manifest.bad_name", module_path,
                           "module name must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    }
    auto module = internal::ParseModule(name, value, module_path);
    if (!module) return Fail(module.error());
    modules.push_back(std::move(*module));
  }
  std::sort(modules.begin(), modules.end(), [](const Module& a, const Module& b) {
    return std::tie(a.startup_order, a.name) < std::tie(b.startup_order, b.name);
  });
  return modules;
}

Result<std::map<std::string, std::string>> ParseRoutes(const json& root) {
  auto m = Member(root, "", "routes", false);
  if (!m) return Fail(m.error());
  std::map<std::string, std::string> routes;
  if (*m == nullptr) return routes;
  const std::string path = "routes";
  if (!(*m)->is_object()) return ManifestError("manifest.wrong_type", path, "must be an object");
  if ((*m)->size() > internal::kMaxRoutes) {
    return ManifestError("manifest.too_many", path,
                         "has more than " + std::to_string(internal::kMaxRoutes) + " routes");
  }
  for (const auto& [name, value] : (*m)->items()) {
    std::string route_path = JoinPath(path, name);
    if (!internal::IsModuleName(name)) {
      return ManifestError("manifest.bad_name", route_path,
                           "route name must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    }
    auto expression = AsString(value, route_path);
    if (!expression) return Fail(expression.error());
    if (expression->empty() || expression->size() > internal::kMaxRouteExpressionBytes ||
        expression->find('\0') != std::string::npos) {
      return ManifestError("manifest.out_of_range", route_path,
                           "must be 1 to " + std::to_string(internal::kMaxRouteExpressionBytes) +
                               " bytes without NUL");
    }
    routes.emplace(name, std::move(*expression));
  }
  return routes;
}

Status ParseStoreAndForward(const json& root, Manifest& manifest) {
  auto m = Member(root, "", "storeAndForward", false);
  if (!m) return Fail(m.error());
  if (*m == nullptr) return Ok();
  const std::string path = "storeAndForward";
  if (auto ok = CheckObject(**m, path, internal::kStoreAndForwardMembers); !ok) {
    return Fail(ok.error());
  }
  auto ttl = Member(**m, path, "timeToLiveSecs", true);
  if (!ttl) return Fail(ttl.error());
  auto secs = AsInteger(**ttl, JoinPath(path, "timeToLiveSecs"), 0, internal::kMaxTimeToLiveSecs);
  if (!secs) return Fail(secs.error());
  manifest.store_and_forward_ttl_secs = static_cast<uint32_t>(*secs);
  return Ok();
}

Status ParseHeader(const json& root, Manifest& manifest) {
  auto schema = RequiredString(root, "schemaVersion");
  if (!schema) return Fail(schema.error());
  if (*schema != internal::kSchemaVersion) {
    return ManifestError("manifest.out_of_range", "schemaVersion", "must be \"1.0\"");
  }
  manifest.schema_version = std::move(*schema);

  auto id = RequiredString(root, "deploymentId");
  if (!id) return Fail(id.error());
  if (!internal::IsDeploymentId(*id)) {
    return ManifestError("manifest.bad_name", "deploymentId",
                         "must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  }
  manifest.deployment_id = std::move(*id);

  auto version = Member(root, "", "version", true);
  if (!version) return Fail(version.error());
  auto n = AsInteger(**version, "version", 1, internal::kMaxVersion);
  if (!n) return Fail(n.error());
  manifest.version = *n;

  auto issued = Timestamp(root, "issuedAt");
  if (!issued) return Fail(issued.error());
  auto expires = Timestamp(root, "expiresAt");
  if (!expires) return Fail(expires.error());
  if (*issued >= *expires) {
    return ManifestError("manifest.bad_time", "expiresAt", "must be later than issuedAt");
  }
  manifest.issued_at = *issued;
  manifest.expires_at = *expires;
  return Ok();
}

}  // namespace

Result<Manifest> ParseManifest(ByteView payload) {
  if (payload.size() > kMaxManifestSize) {
    return ManifestError("manifest.too_large", "",
                         "exceeds " + std::to_string(kMaxManifestSize) + " bytes");
  }
  std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  auto root = internal::ParseStrictJsonObject(text, kMaxManifestDepth);
  if (!root) return Fail(root.error());
  if (auto ok = CheckObject(*root, "", internal::kManifestMembers); !ok) return Fail(ok.error());

  Manifest manifest;
  if (auto ok = ParseHeader(*root, manifest); !ok) return Fail(ok.error());
  auto target = ParseTarget(*root);
  if (!target) return Fail(target.error());
  manifest.target = std::move(*target);
  auto modules = ParseModules(*root);
  if (!modules) return Fail(modules.error());
  manifest.modules = std::move(*modules);
  auto routes = ParseRoutes(*root);
  if (!routes) return Fail(routes.error());
  manifest.routes = std::move(*routes);
  if (auto ok = ParseStoreAndForward(*root, manifest); !ok) return Fail(ok.error());
  return manifest;
}

}  // namespace edgetrust::manifest
