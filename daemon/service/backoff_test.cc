#include "daemon/service/backoff.h"

#include <gtest/gtest.h>

#include <chrono>

namespace edgetrust::daemon::service {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, GrowsExponentiallyWithJitterInTheUpperHalf) {
  Backoff backoff(milliseconds(100), milliseconds(100000), 7);
  int64_t ceiling = 100;
  for (int i = 0; i < 8; ++i, ceiling *= 2) {
    milliseconds delay = backoff.Next();
    EXPECT_GE(delay.count(), ceiling / 2) << "attempt " << i;
    EXPECT_LE(delay.count(), ceiling) << "attempt " << i;
  }
  EXPECT_EQ(backoff.failures(), 8);
}

TEST(BackoffTest, NeverExceedsTheCapEvenAfterManyFailures) {
  Backoff backoff(milliseconds(1000), milliseconds(300000), 1);
  for (int i = 0; i < 10000; ++i) EXPECT_LE(backoff.Next().count(), 300000);
  EXPECT_GE(backoff.Next().count(), 150000);  // and it does reach the cap's half-range
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff(milliseconds(50), milliseconds(5000), 3);
  for (int i = 0; i < 6; ++i) backoff.Next();
  backoff.Reset();
  EXPECT_EQ(backoff.failures(), 0);
  EXPECT_LE(backoff.Next().count(), 50);
}

TEST(BackoffTest, DevicesWithDifferentSeedsSpreadOut) {
  // A fleet that lost its service together must not retry in lockstep.
  Backoff a(milliseconds(1000), milliseconds(60000), 1);
  Backoff b(milliseconds(1000), milliseconds(60000), 2);
  int differing = 0;
  for (int i = 0; i < 5; ++i) differing += a.Next() != b.Next() ? 1 : 0;
  EXPECT_GE(differing, 4);
}

}  // namespace
}  // namespace edgetrust::daemon::service
