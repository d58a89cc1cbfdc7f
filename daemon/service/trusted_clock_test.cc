#include "daemon/service/trusted_clock.h"

#include <gtest/gtest.h>

#include <chrono>

namespace edgetrust::daemon::service {
namespace {

using namespace std::chrono_literals;

// A controllable pair of clocks: tests move the wall clock like an attacker or an NTP step.
struct FakeClocks {
  std::time_t wall = 1'800'000'000;
  std::chrono::steady_clock::time_point mono{};
  TimeSources sources() {
    return {[this] { return wall; }, [this] { return mono; }};
  }
};

TEST(TrustedClockTest, FollowsTheWallClockWhileItBehaves) {
  FakeClocks c;
  TrustedClock clock(c.sources());
  EXPECT_EQ(clock.Now(), c.wall);
  c.wall += 60;
  c.mono += 60s;
  EXPECT_EQ(clock.Now(), c.wall);
}

TEST(TrustedClockTest, SettingTheClockBackDoesNotMoveNowBack) {
  FakeClocks c;
  TrustedClock clock(c.sources());
  std::time_t start = c.wall;
  c.wall -= 365 * 86400;  // attacker sets the clock back a year
  c.mono += 10s;
  EXPECT_EQ(clock.Now(), start + 10);
}

TEST(TrustedClockTest, AFloorProvedBeforeARebootHoldsAgainstAClockSetBack) {
  FakeClocks c;
  TrustedClock clock(c.sources());
  std::time_t proved = c.wall + 1000;  // wall now 1000 s behind what the daemon can prove
  clock.RaiseFloor(proved);
  EXPECT_EQ(clock.Now(), proved);
  clock.RaiseFloor(proved - 500);  // a lower floor changes nothing
  EXPECT_EQ(clock.Now(), proved);
  c.mono += 10s;
  c.wall += 10;
  EXPECT_EQ(clock.Now(), proved);
}

TEST(TrustedClockTest, SettingTheClockForwardMovesNowForward) {
  FakeClocks c;
  TrustedClock clock(c.sources());
  c.wall += 86400;
  EXPECT_EQ(clock.Now(), c.wall);  // fail closed: validity can end early, never late
}

TEST(RenewalDelayTest, DueAtTheThresholdOfTheLifetime) {
  std::time_t nb = 1'800'000'000;
  std::time_t na = nb + 1000;
  EXPECT_EQ(RenewalDelay(nb, na, 0.8, nb), 800s);
  EXPECT_EQ(RenewalDelay(nb, na, 0.8, nb + 500), 300s);
  EXPECT_EQ(RenewalDelay(nb, na, 0.8, nb + 800), 0s);
  EXPECT_EQ(RenewalDelay(nb, na, 0.8, na + 5000), 0s);
  EXPECT_EQ(RenewalDelay(nb, na, 0.5, nb), 500s);
}

TEST(RenewalDelayTest, AnInvertedValidityIsDueAtOnce) {
  EXPECT_EQ(RenewalDelay(2000, 1000, 0.8, 1500), 0s);
}

}  // namespace
}  // namespace edgetrust::daemon::service
