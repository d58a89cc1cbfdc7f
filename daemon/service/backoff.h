// Backoff spaces out retries after failures: the n-th consecutive failure waits
// min(max, initial · 2^(n-1)) with "equal jitter" (a uniform draw from the upper half of that
// delay), so a fleet that lost its service at the same moment does not come back in lockstep,
// and no device waits longer than `max`. Reset() after a success starts over.
//
// Not thread-safe (the daemon's worker thread owns it).
#ifndef EDGETRUST_DAEMON_SERVICE_BACKOFF_H_
#define EDGETRUST_DAEMON_SERVICE_BACKOFF_H_

#include <chrono>
#include <cstdint>
#include <random>

namespace edgetrust::daemon::service {

class Backoff {
 public:
  // `initial` must be > 0 and <= `max` (the config parser guarantees it); `seed` makes tests
  // reproducible, the daemon passes std::random_device output.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);

  // Next records one more failure and returns how long to wait before the next attempt.
  std::chrono::milliseconds Next();
  void Reset() { failures_ = 0; }
  int64_t failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int64_t failures_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_BACKOFF_H_
