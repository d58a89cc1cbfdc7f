#include "enrollment/store/records.h"

namespace edgetrust::enrollment::store {

const char* DeviceStatusName(DeviceStatus status) {
  switch (status) {
    case DeviceStatus::kActive:
      return "active";
    case DeviceStatus::kDisabled:
      return "disabled";
    case DeviceStatus::kRevoked:
      return "revoked";
    case DeviceStatus::kRetired:
      return "retired";
    case DeviceStatus::kFailedAttestation:
      return "failed_attestation";
  }
  return "unknown";
}

std::optional<DeviceStatus> ParseDeviceStatus(const std::string& name) {
  for (DeviceStatus s : {DeviceStatus::kActive, DeviceStatus::kDisabled, DeviceStatus::kRevoked,
                         DeviceStatus::kRetired, DeviceStatus::kFailedAttestation}) {
    if (name == DeviceStatusName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace edgetrust::enrollment::store
