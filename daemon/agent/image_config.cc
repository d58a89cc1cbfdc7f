#include "daemon/agent/image_config.h"

#include "common/strict_json.h"
#include "daemon/agent/tar_header.h"

namespace edgetrust::daemon::agent {
namespace {

constexpr size_t kMaxArgs = 256;
constexpr size_t kMaxArgSize = 4096;

std::unexpected<Error> Bad(std::string message) {
  return Fail(ErrorCode::kPermissionDenied, "image.bad_config", std::move(message));
}

}  // namespace

Result<ImageConfig> ParseImageConfig(std::string_view text) {
  auto doc = ParseStrictJsonObject(text, {.max_size = 64 * 1024,
                                          .max_depth = 4,
                                          .where = "edgetrust-image.json",
                                          .too_large_reason = "image.bad_config",
                                          .malformed_reason = "image.bad_config",
                                          .not_object_reason = "image.bad_config"});
  if (!doc) {
    Error e = doc.error();
    e.code = ErrorCode::kPermissionDenied;
    return Fail(std::move(e));
  }
  if (doc->size() != 1 || !doc->contains("entrypoint")) {
    return Bad("edgetrust-image.json must have exactly the member \"entrypoint\"");
  }
  const auto& entry = (*doc)["entrypoint"];
  if (!entry.is_array() || entry.empty() || entry.size() > kMaxArgs) {
    return Bad("entrypoint must be an array of 1 to 256 strings");
  }
  ImageConfig config;
  for (const auto& arg : entry) {
    if (!arg.is_string()) return Bad("entrypoint must be an array of strings");
    const auto& s = arg.get_ref<const std::string&>();
    if (s.size() > kMaxArgSize || s.find('\0') != std::string::npos) {
      return Bad("an entrypoint argument is too long or holds NUL");
    }
    config.entrypoint.push_back(s);
  }
  auto path = NormalizeTarPath(config.entrypoint[0], /*directory=*/false);
  if (!path || path->empty()) return Bad("entrypoint[0] must be a relative path inside the image");
  return config;
}

}  // namespace edgetrust::daemon::agent
