// What the station did to one device: the per-device record the factory's MES receives as a
// JSON line, and the rows of the summary table an operator reads at the end of a batch.
//
// JSON line (one object, keys in this order, docs/factory-station.md):
//   {"line","tcti","serial","outcome":"provisioned"|"unchanged"|"failed",
//    "registration_id","ek_algorithm","ek_certificate":"present"|"factory"|"issued"|"none",
//    "ek_certificate_serial" (hex, "" without one),
//    "enrollment":"created"|"exists"|"not_registered","bundle":"written"|...,
//    "bundle_dir","error":{"step","reason","message"}|null,
//    "timing_ms":{"total","tpm","hsm","service","station"},"finished_at":"<RFC 3339 UTC>"}
// Fields the station did not reach are "". Pure, thread-safe.
#ifndef EDGETRUST_TOOLS_FACTORY_RECORD_H_
#define EDGETRUST_TOOLS_FACTORY_RECORD_H_

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "tools/factory/device_list.h"

namespace edgetrust::factory {

enum class Outcome { kProvisioned, kUnchanged, kFailed };
const char* OutcomeName(Outcome o);

// PhaseTimes: wall-clock milliseconds spent waiting on each party; station = total - the rest.
struct PhaseTimes {
  double total = 0;
  double tpm = 0;
  double hsm = 0;
  double service = 0;
  double station() const { return total - tpm - hsm - service; }
};

struct DeviceRecord {
  DeviceLine device;
  Outcome outcome = Outcome::kFailed;
  std::string registration_id;
  std::string ek_algorithm;
  std::string ek_certificate;
  std::string ek_certificate_serial;
  std::string enrollment;
  std::string bundle;
  std::string bundle_dir;
  std::string failed_step;  // "tpm", "ek_certificate", "register", "bundle"
  std::optional<Error> error;
  PhaseTimes times;
  std::string finished_at;
};

std::string ToJsonLine(const DeviceRecord& record);  // without the trailing newline

// SummaryTable renders the records as an aligned text table followed by a totals line
// ("12 devices: 10 provisioned, 1 unchanged, 1 failed").
std::string SummaryTable(const std::vector<DeviceRecord>& records);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_RECORD_H_
