#include "daemon/service/trusted_clock.h"

#include <algorithm>
#include <cmath>

namespace edgetrust::daemon::service {

TrustedClock::TrustedClock(std::time_t floor, TimeSources sources)
    : sources_(std::move(sources)),
      anchor_wall_(std::max(sources_.wall(), floor)),
      anchor_monotonic_(sources_.monotonic()) {}

std::time_t TrustedClock::Now() const {
  auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(sources_.monotonic() -
                                                                  anchor_monotonic_);
  return std::max(sources_.wall(), anchor_wall_ + static_cast<std::time_t>(elapsed.count()));
}

std::chrono::seconds RenewalDelay(std::time_t not_before, std::time_t not_after, double threshold,
                                  std::time_t now) {
  if (not_after <= not_before) return std::chrono::seconds(0);
  double lifetime = static_cast<double>(not_after - not_before);
  auto due = not_before + static_cast<std::time_t>(std::floor(lifetime * threshold));
  return std::chrono::seconds(std::max<std::time_t>(0, due - now));
}

}  // namespace edgetrust::daemon::service
