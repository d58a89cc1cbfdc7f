#include "tools/factory/progress.h"

#include <algorithm>
#include <cmath>

namespace edgetrust::factory {

std::string FormatSeconds(double seconds) {
  char text[32];
  // Choose the unit by the rounded value, so 59.96 is "1m00s", not "60.0s"; hours truncate
  // the seconds (4000 -> "1h06m", not "1h07m").
  if (std::round(seconds * 10) < 600) {
    std::snprintf(text, sizeof text, "%.1fs", seconds);
    return text;
  }
  const long s = std::lround(seconds);
  if (s < 3600) {
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, s / 60 % 60);
  }
  return text;
}

Progress::Progress(size_t total, std::FILE* out, bool terminal)
    : total_(total), out_(out), terminal_(terminal) {}

void Progress::Finished(const DeviceRecord& record) {
  ++done_;
  if (record.outcome == Outcome::kFailed) ++failed_;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_);
  const std::string timing = "elapsed " + FormatSeconds(elapsed) +
                             (done_ < total_ ? ", ETA " + FormatSeconds(eta) : std::string());
  if (terminal_) {
    constexpr size_t kWidth = 30;
    const size_t filled = done_ * kWidth / std::max<size_t>(total_, 1);
    std::fprintf(out_, "\r[%s%s] %zu/%zu (%zu failed)  %s\033[K", std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '.').c_str(), done_, total_, failed_, timing.c_str());
  } else {
    std::string what = OutcomeName(record.outcome);
    if (record.error) what += " (" + record.error->reason + ")";
    std::fprintf(out_, "[%zu/%zu] line %d %s: %s in %s; %s\n", done_, total_, record.device.line,
                 record.device.tcti.c_str(), what.c_str(),
                 FormatSeconds(record.times.total / 1000).c_str(), timing.c_str());
  }
  std::fflush(out_);
}

void Progress::Close() {
  if (terminal_ && done_ > 0) std::fputc('\n', out_);
}

}  // namespace edgetrust::factory
