#include "manifest/core/applicability.h"

#include <algorithm>

#include "manifest/core/rfc3339.h"

namespace edgetrust::manifest {
namespace {

bool SharesOne(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(), [&](const std::string& x) {
    return std::find(b.begin(), b.end(), x) != b.end();
  });
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return "[" + out + "]";
}

}  // namespace

Status CheckTarget(const Manifest& manifest, const DeviceIdentity& device) {
  if (SharesOne(manifest.target.device_ids, device.device_ids) ||
      SharesOne(manifest.target.tags, device.tags)) {
    return Ok();
  }
  return Fail(ErrorCode::kPermissionDenied, "manifest.not_for_device",
              "deployment " + manifest.deployment_id + " targets deviceIds " +
                  Join(manifest.target.device_ids) + " tags " + Join(manifest.target.tags) +
                  "; this device is " + Join(device.device_ids) + " with tags " +
                  Join(device.tags));
}

Status CheckFreshness(const Manifest& manifest, std::time_t now) {
  if (now >= manifest.expires_at) {
    return Fail(ErrorCode::kPermissionDenied, "manifest.expired",
                "deployment " + manifest.deployment_id + " expired at " +
                    internal::FormatUtcTimestamp(manifest.expires_at) + " (now " +
                    internal::FormatUtcTimestamp(now) + ")");
  }
  if (manifest.issued_at > now + kMaxIssuedAtSkew) {
    return Fail(ErrorCode::kPermissionDenied, "manifest.not_yet_valid",
                "deployment " + manifest.deployment_id + " is issued at " +
                    internal::FormatUtcTimestamp(manifest.issued_at) + ", more than " +
                    std::to_string(kMaxIssuedAtSkew) + " s after now (" +
                    internal::FormatUtcTimestamp(now) + ")");
  }
  return Ok();
}

Status CheckApplies(const Manifest& manifest, const DeviceIdentity& device, std::time_t now) {
  if (auto target = CheckTarget(manifest, device); !target) return target;
  return CheckFreshness(manifest, now);
}

}  // namespace edgetrust::manifest
