#include "enrollment/server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>

namespace edgetrust::enrollment::server {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskBeforeStopReturns) {
  std::atomic<int> done{0};
  WorkerPool pool(2, 1000);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.TrySubmit([&done] { ++done; }));
  pool.Stop();
  EXPECT_EQ(done.load(), 100);
  EXPECT_FALSE(pool.TrySubmit([] {}));  // stopped
  pool.Stop();                          // idempotent
}

TEST(WorkerPoolTest, RefusesWhenTheQueueIsFull) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  WorkerPool pool(1, 2);
  ASSERT_TRUE(pool.TrySubmit([&started, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the only thread is busy: the queue holds the next two
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_FALSE(pool.TrySubmit([] {}));
  release.set_value();
  pool.Stop();
}

TEST(WorkerPoolTest, ThrowingTaskDoesNotKillTheThread) {
  std::atomic<int> done{0};
  WorkerPool pool(1, 10);
  ASSERT_TRUE(pool.TrySubmit([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(pool.TrySubmit([&done] { ++done; }));
  pool.Stop();
  EXPECT_EQ(done.load(), 1);
}

TEST(WorkerPoolTest, DefaultThreadsIsAtLeastEight) { EXPECT_GE(WorkerPool::DefaultThreads(), 8u); }

}  // namespace
}  // namespace edgetrust::enrollment::server
