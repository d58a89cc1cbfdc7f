// TrustedClock is the daemon's notion of "now" for certificate validity and renewal (THREATS
// D6: a clock set back must not make an expired certificate valid again; a clock set forward
// must not cause a storm of renewals).
//
// Now() = max(wall clock, wall clock at start + monotonic time since, floor):
//   - setting the wall clock back while the daemon runs cannot move Now() back: the monotonic
//     term keeps advancing from the reading at start;
//   - `floor` is a lower bound the daemon proves from authenticated time only: the notBefore of
//     a certificate the service issued, plus the TPM clock's progress since (see Daemon). It
//     survives reboots, so setting the clock back before a boot does not revive an expired
//     certificate either. Nothing read from the wall clock is ever persisted, so one bad
//     reading (an RTC glitch) is never made permanent;
//   - setting the wall clock forward moves Now() forward (fail closed: a certificate can look
//     expired early, never late). Renewal deadlines are kept on the monotonic clock and spaced
//     apart (Daemon), so the jump costs at most one renewal, not a storm.
//
// Time sources are injected so tests can move the wall clock; they must be thread-safe.
// Thread-safe: Now() may be called from any thread while the worker raises the floor.
#ifndef EDGETRUST_DAEMON_SERVICE_TRUSTED_CLOCK_H_
#define EDGETRUST_DAEMON_SERVICE_TRUSTED_CLOCK_H_

#include <atomic>
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
  explicit TrustedClock(TimeSources sources = {});

  std::time_t Now() const;
  std::chrono::steady_clock::time_point Monotonic() const { return sources_.monotonic(); }
  // RaiseFloor makes `floor` a lower bound of Now() (a lower value changes nothing).
  void RaiseFloor(std::time_t floor);
  std::time_t floor() const { return floor_.load(); }

 private:
  TimeSources sources_;
  std::time_t anchor_wall_;
  std::chrono::steady_clock::time_point anchor_monotonic_;
  std::atomic<std::time_t> floor_{0};
};

// RenewalDelay: how long from `now` until a certificate valid [not_before, not_after] is due
// for renewal at `threshold` of its lifetime (0 when already due). Pure.
std::chrono::seconds RenewalDelay(std::time_t not_before, std::time_t not_after, double threshold,
                                  std::time_t now);

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_TRUSTED_CLOCK_H_
