#include "tools/factory/record.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace edgetrust::factory {
namespace {

double Ms(double value) { return std::round(value * 10) / 10; }

std::string Short(const std::string& id) { return id.size() > 16 ? id.substr(0, 16) + "…" : id; }

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kProvisioned:
      return "provisioned";
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kFailed:
      return "failed";
  }
  return "?";
}

std::string ToJsonLine(const DeviceRecord& r) {
  using nlohmann::ordered_json;
  ordered_json error = nullptr;
  if (r.error) {
    error = {{"step", r.failed_step}, {"reason", r.error->reason}, {"message", r.error->message}};
  }
  ordered_json line = {{"line", r.device.line},
                       {"tcti", r.device.tcti},
                       {"serial", r.device.serial},
                       {"outcome", OutcomeName(r.outcome)},
                       {"registration_id", r.registration_id},
                       {"ek_algorithm", r.ek_algorithm},
                       {"ek_certificate", r.ek_certificate},
                       {"ek_certificate_serial", r.ek_certificate_serial},
                       {"enrollment", r.enrollment},
                       {"bundle", r.bundle},
                       {"bundle_dir", r.bundle_dir},
                       {"error", error},
                       {"timing_ms",
                        {{"total", Ms(r.times.total)},
                         {"tpm", Ms(r.times.tpm)},
                         {"hsm", Ms(r.times.hsm)},
                         {"service", Ms(r.times.service)},
                         {"station", Ms(r.times.station())}}},
                       {"finished_at", r.finished_at}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string SummaryTable(const std::vector<DeviceRecord>& records) {
  std::vector<std::vector<std::string>> rows = {
      {"LINE", "SERIAL", "REGISTRATION ID", "EK CERT", "ENROLLMENT", "BUNDLE", "RESULT"}};
  size_t counts[3] = {0, 0, 0};
  for (const DeviceRecord& r : records) {
    ++counts[static_cast<int>(r.outcome)];
    std::string result = OutcomeName(r.outcome);
    if (r.error) result += " at " + r.failed_step + ": " + r.error->reason;
    rows.push_back({std::to_string(r.device.line), r.device.serial.empty() ? "-" : r.device.serial,
                    r.registration_id.empty() ? "-" : Short(r.registration_id),
                    r.ek_certificate.empty() ? "-" : r.ek_certificate,
                    r.enrollment.empty() ? "-" : r.enrollment, r.bundle.empty() ? "-" : r.bundle,
                    result});
  }
  std::vector<size_t> width(rows.front().size(), 0);
  auto display = [](const std::string& s) {  // UTF-8 code points ("…" is one column)
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], display(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(width[i] - display(row[i]) + 2, ' ');
    }
    out += "\n";
  }
  out += std::to_string(records.size()) + (records.size() == 1 ? " device: " : " devices: ") +
         std::to_string(counts[0]) + " provisioned, " + std::to_string(counts[1]) + " unchanged, " +
         std::to_string(counts[2]) + " failed\n";
  for (const DeviceRecord& r : records) {
    if (r.error) {
      out += "  line " + std::to_string(r.device.line) + " (" + r.device.tcti +
             "): " + r.error->ToString() + "\n";
    }
  }
  return out;
}

}  // namespace edgetrust::factory
