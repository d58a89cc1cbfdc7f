// TrustedClock is the daemon's notion of "now" for certificate validity and renewal (THREATS
// D6: a clock set back must not make an expired certificate valid again; a clock set forward
// must not cause a storm of renewals).
//
// Now() = max(wall clock, anchor + monotonic time elapsed since the anchor, floor):
//   - setting the wall clock back cannot move Now() back: the monotonic term keeps advancing
//     from the last trustworthy reading, and `floor` (persisted in the state file, the latest
//     time the daemon has seen) survives reboots;
//   - setting it forward moves Now() forward (fail closed: a certificate can look expired
//     early, never late). Renewal deadlines are kept on the monotonic clock (RenewalDelay),
//     so the jump itself triggers at most the one renewal the certificate's validity demands.
//
// Time sources are injected so tests can move the wall clock. Thread-safe (const, no state
// after construction except through Observe).
#ifndef EDGETRUST_DAEMON_SERVICE_TRUSTED_CLOCK_H_
#define EDGETRUST_DAEMON_SERVICE_TRUSTED_CLOCK_H_

#include <chrono>
#include <ctime>
#include <functional>

namespace edgetrust::daemon::service {

struct TimeSources {
  std::function<std::time_t()> wall = [] { return std::time(nullptr); };
  std::function<std::chrono::steady_clock::time_point()> monotonic = [] {
    return std::chrono::steady_clock::now();
  };
};

class TrustedClock {
 public:
  // `floor`: the latest time seen before (0 when unknown).
  explicit TrustedClock(std::time_t floor, TimeSources sources = {});

  std::time_t Now() const;
  // floor is the value to persist: Now() at the time of the call.
  std::time_t floor() const { return Now(); }
  std::chrono::steady_clock::time_point Monotonic() const { return sources_.monotonic(); }

 private:
  TimeSources sources_;
  std::time_t anchor_wall_;
  std::chrono::steady_clock::time_point anchor_monotonic_;
};

// RenewalDelay: how long from `now` until a certificate valid [not_before, not_after] is due
// for renewal at `threshold` of its lifetime (0 when already due). Pure.
std::chrono::seconds RenewalDelay(std::time_t not_before, std::time_t not_after, double threshold,
                                  std::time_t now);

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_TRUSTED_CLOCK_H_
