// WorkerPool runs submitted tasks on a fixed set of threads with a bounded queue. The HTTPS
// listeners use one to run the request handlers (crypto, PKCS#11, SQLite) off cpprestsdk's
// I/O pool, so that pool can stay small (see https_server.h).
//
// TrySubmit never blocks: it returns false when `max_queued` tasks already wait (the caller
// answers 503) or when the pool is stopping. A task must not throw; one that does is logged
// and dropped (the thread survives). Stop (or destruction) lets the queued tasks finish, then
// joins the threads; it is idempotent.
//
// Thread-safety: TrySubmit and Stop may be called from any thread, but not from a task.
#ifndef EDGETRUST_ENROLLMENT_SERVER_WORKER_POOL_H_
#define EDGETRUST_ENROLLMENT_SERVER_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace edgetrust::enrollment::server {

class WorkerPool {
 public:
  // DefaultThreads is 4 x std::thread::hardware_concurrency() (at least 2 cores assumed):
  // handlers also wait (audit fsync, SQLite, PKCS#11 locks), so one thread per core leaves
  // cores idle (bench/run.sh: 2 workers on 2 cores gave ~25% fewer enrollments/s).
  static size_t DefaultThreads();

  // `threads` and `max_queued` are raised to at least 1.
  WorkerPool(size_t threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool TrySubmit(std::function<void()> task);
  void Stop();

  size_t threads() const { return threads_.size(); }

 private:
  void Run();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace edgetrust::enrollment::server

#endif  // EDGETRUST_ENROLLMENT_SERVER_WORKER_POOL_H_
