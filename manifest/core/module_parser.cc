#include "manifest/core/module_parser.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "manifest/core/field_reader.h"
#include "manifest/core/manifest_schema.h"
#include "manifest/core/names.h"
#include "manifest/core/strict_json.h"

namespace edgetrust::manifest::internal {
namespace {

using json = nlohmann::json;

constexpr std::string_view kDigestPrefix = "sha256:";
constexpr size_t kDigestHexDigits = 64;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Enum values are matched exactly (case-sensitive), as written in docs/manifest.md.
std::optional<RestartPolicy> RestartPolicyFromName(std::string_view s) {
  if (s == "always") return RestartPolicy::kAlways;
  if (s == "on-failure") return RestartPolicy::kOnFailure;
  if (s == "on-unhealthy") return RestartPolicy::kOnUnhealthy;
  if (s == "never") return RestartPolicy::kNever;
  return std::nullopt;
}

std::optional<ModuleStatus> StatusFromName(std::string_view s) {
  if (s == "running") return ModuleStatus::kRunning;
  if (s == "stopped") return ModuleStatus::kStopped;
  return std::nullopt;
}

Result<std::string> CreateOptions(const json& value, const std::string& path) {
  if (!value.is_object()) return ManifestError("manifest.wrong_type", path, "must be an object");
  // The document is valid UTF-8 (checked while parsing), so dumping cannot meet bad bytes;
  // `replace` only keeps dump() from ever throwing.
  std::string compact = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (compact.size() > kMaxCreateOptionsBytes) {
    return ManifestError(
        "manifest.too_large", path,
        "exceeds " + std::to_string(kMaxCreateOptionsBytes) + " bytes as compact JSON");
  }
  return compact;
}

Result<std::map<std::string, std::string>> Env(const json& value, const std::string& path) {
  if (!value.is_object()) return ManifestError("manifest.wrong_type", path, "must be an object");
  if (value.size() > kMaxEnvEntries) {
    return ManifestError("manifest.too_many", path,
                         "has more than " + std::to_string(kMaxEnvEntries) + " entries");
  }
  std::map<std::string, std::string> env;
  for (const auto& [name, entry] : value.items()) {
    std::string entry_path = JoinPath(path, name);
    if (!IsEnvName(name)) {
      return ManifestError("manifest.bad_name", entry_path,
                           "is not an environment variable name ([A-Za-z_][A-Za-z0-9_]{0,127})");
    }
    auto text = AsString(entry, entry_path);
    if (!text) return Fail(text.error());
    if (text->size() > kMaxEnvValueBytes || text->find('\0') != std::string::npos) {
      return ManifestError(
          "manifest.out_of_range", entry_path,
          "must be at most " + std::to_string(kMaxEnvValueBytes) + " bytes without NUL");
    }
    env.emplace(name, std::move(*text));
  }
  return env;
}

// OptionalEnum reads an optional string member that must name one of an enum's values.
template <typename T, typename FromName>
Status OptionalEnum(const json& object, const std::string& path, std::string_view member,
                    FromName from_name, std::string_view allowed, T& out) {
  auto m = Member(object, path, member, false);
  if (!m) return Fail(m.error());
  if (*m == nullptr) return Ok();
  std::string member_path = JoinPath(path, member);
  auto text = AsString(**m, member_path);
  if (!text) return Fail(text.error());
  std::optional<T> value = from_name(*text);
  if (!value) return ManifestError("manifest.out_of_range", member_path, allowed);
  out = *value;
  return Ok();
}

}  // namespace

Result<ImageRef> ParseImageReference(std::string_view reference, std::string_view path) {
  size_t at = reference.find('@');
  if (at == std::string_view::npos || reference.find('@', at + 1) != std::string_view::npos) {
    return ManifestError("manifest.bad_image", path,
                         "must be <repository>@sha256:<64 lower-case hex digits>");
  }
  std::string_view repository = reference.substr(0, at);
  std::string_view digest = reference.substr(at + 1);
  if (!digest.starts_with(kDigestPrefix)) {
    return ManifestError("manifest.bad_image", path, "must be pinned by a sha256 digest");
  }
  std::string_view hex = digest.substr(kDigestPrefix.size());
  if (hex.size() != kDigestHexDigits || !std::all_of(hex.begin(), hex.end(), IsLowerHex)) {
    return ManifestError("manifest.bad_image", path,
                         "digest must be exactly 64 lower-case hex digits");
  }
  if (!IsRepository(repository)) {
    return ManifestError("manifest.bad_image", path,
                         "repository must match [a-z0-9][a-z0-9._/:-]{0,254} without \"..\" or "
                         "\"//\"");
  }
  auto bytes = HexDecode(hex);
  if (!bytes) return ManifestError("manifest.bad_image", path, "digest is not hex");
  ImageRef image;
  image.repository = std::string(repository);
  image.sha256 = std::move(*bytes);
  return image;
}

Result<Module> ParseModule(std::string name, const json& value, const std::string& path) {
  if (auto ok = CheckObject(value, path, kModuleMembers); !ok) return Fail(ok.error());
  Module module;
  module.name = std::move(name);

  std::string image_path = JoinPath(path, "image");
  auto image_member = Member(value, path, "image", true);
  if (!image_member) return Fail(image_member.error());
  auto reference = AsString(**image_member, image_path);
  if (!reference) return Fail(reference.error());
  auto image = ParseImageReference(*reference, image_path);
  if (!image) return Fail(image.error());
  module.image = std::move(*image);

  std::string size_path = JoinPath(path, "imageSize");
  auto size_member = Member(value, path, "imageSize", true);
  if (!size_member) return Fail(size_member.error());
  auto size = AsInteger(**size_member, size_path, 1, kMaxImageSize);
  if (!size) return Fail(size.error());
  module.image.size = *size;

  module.create_options = "{}";
  auto options = Member(value, path, "createOptions", false);
  if (!options) return Fail(options.error());
  if (*options != nullptr) {
    auto compact = CreateOptions(**options, JoinPath(path, "createOptions"));
    if (!compact) return Fail(compact.error());
    module.create_options = std::move(*compact);
  }

  auto env = Member(value, path, "env", false);
  if (!env) return Fail(env.error());
  if (*env != nullptr) {
    auto parsed = Env(**env, JoinPath(path, "env"));
    if (!parsed) return Fail(parsed.error());
    module.env = std::move(*parsed);
  }

  if (auto ok = OptionalEnum(value, path, "restartPolicy", RestartPolicyFromName,
                             "must be one of always, on-failure, on-unhealthy, never",
                             module.restart_policy);
      !ok) {
    return Fail(ok.error());
  }

  auto order = Member(value, path, "startupOrder", false);
  if (!order) return Fail(order.error());
  if (*order != nullptr) {
    auto n = AsInteger(**order, JoinPath(path, "startupOrder"), 0, kMaxStartupOrder);
    if (!n) return Fail(n.error());
    module.startup_order = static_cast<uint32_t>(*n);
  }

  if (auto ok = OptionalEnum(value, path, "status", StatusFromName,
                             "must be one of running, stopped", module.status);
      !ok) {
    return Fail(ok.error());
  }
  return module;
}

}  // namespace edgetrust::manifest::internal
