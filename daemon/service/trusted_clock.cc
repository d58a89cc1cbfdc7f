#include "daemon/service/trusted_clock.h"

#include <algorithm>
#include <cmath>

namespace edgetrust::daemon::service {

TrustedClock::TrustedClock(TimeSources sources)
    : sources_(std::move(sources)),
      anchor_wall_(sources_.wall()),
      anchor_monotonic_(sources_.monotonic()) {}

std::time_t TrustedClock::Now() const {
  auto elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(sources_.monotonic() - anchor_monotonic_);
  std::time_t running = anchor_wall_ + static_cast<std::time_t>(elapsed.count());
  return std::max({sources_.wall(), running, floor_.load()});
}

void TrustedClock::RaiseFloor(std::time_t floor) {
  std::time_t current = floor_.load();
  while (floor > current && !floor_.compare_exchange_weak(current, floor)) {
  }
}

std::chrono::seconds RenewalDelay(std::time_t not_before, std::time_t not_after, double threshold,
                                  std::time_t now) {
  if (not_after <= not_before) return std::chrono::seconds(0);
  double lifetime = static_cast<double>(not_after - not_before);
  auto due = not_before + static_cast<std::time_t>(std::floor(lifetime * threshold));
  return std::chrono::seconds(std::max<std::time_t>(0, due - now));
}

}  // namespace edgetrust::daemon::service
