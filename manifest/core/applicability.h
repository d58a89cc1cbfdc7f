// Whether a manifest applies to this device now (THREATS M7: a genuine manifest replayed to
// another device or tag, or after it expired). The module gate in the daemon and
// `edgetrust manifest verify` call the same functions, after ManifestVerifier::Verify has
// produced the manifest; rollback (the version floor, M6 and M14) is the gate's own check.
//
// CheckTarget: the manifest is for a device if one of its ids is in target.deviceIds or one of
// its tags is in target.tags. Comparison is exact (byte for byte, case-sensitive), as the
// parser's allow-lists define the names; a device with neither ids nor tags matches nothing.
// Else kPermissionDenied "manifest.not_for_device".
//
// CheckFreshness at `now` (seconds since the epoch, the device's clock):
//   - now < expiresAt, else kPermissionDenied "manifest.expired" (expiresAt itself is too late);
//   - issuedAt <= now + kMaxIssuedAtSkew, else kPermissionDenied "manifest.not_yet_valid": a
//     manifest from the future means a wrong clock on one side, and accepting it would let a
//     pre-signed deployment be used before its time. The allowance covers ordinary clock skew
//     between the signing pipeline and the device.
//
// CheckApplies is CheckTarget, then CheckFreshness: the first failure is returned.
// The messages name the manifest's values and the device's, never anything secret.
// Pure functions, thread-safe.
#ifndef EDGETRUST_MANIFEST_CORE_APPLICABILITY_H_
#define EDGETRUST_MANIFEST_CORE_APPLICABILITY_H_

#include <ctime>
#include <string>
#include <vector>

#include "common/error.h"
#include "manifest/core/manifest.h"

namespace edgetrust::manifest {

inline constexpr std::time_t kMaxIssuedAtSkew = 5 * 60;  // seconds

// DeviceIdentity is what a device is known as to the fleet: its registration id(s) and tags.
struct DeviceIdentity {
  std::vector<std::string> device_ids;
  std::vector<std::string> tags;
};

Status CheckTarget(const Manifest& manifest, const DeviceIdentity& device);
Status CheckFreshness(const Manifest& manifest, std::time_t now);
Status CheckApplies(const Manifest& manifest, const DeviceIdentity& device, std::time_t now);

}  // namespace edgetrust::manifest

#endif  // EDGETRUST_MANIFEST_CORE_APPLICABILITY_H_
