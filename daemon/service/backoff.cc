#include "daemon/service/backoff.h"

#include <algorithm>

namespace edgetrust::daemon::service {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      rng_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  ++failures_;
  // Double without overflow: stop doubling once the cap is reached.
  int64_t ceiling = initial_.count();
  for (int64_t i = 1; i < failures_ && ceiling < max_.count(); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max_.count());
  std::uniform_int_distribution<int64_t> half(ceiling - ceiling / 2, ceiling);
  return std::chrono::milliseconds(half(rng_));
}

}  // namespace edgetrust::daemon::service
