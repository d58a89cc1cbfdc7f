#include "tools/factory/batch.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace edgetrust::factory {

std::vector<DeviceRecord> RunBatch(const Station& station, const std::vector<DeviceLine>& devices,
                                   int jobs, const DoneCallback& on_done) {
  std::vector<DeviceRecord> records(devices.size());
  std::atomic<size_t> next{0};
  std::mutex done_mutex;
  auto worker = [&] {
    for (size_t i = next++; i < devices.size(); i = next++) {
      records[i] = station.Provision(devices[i]);
      std::lock_guard lock(done_mutex);
      on_done(records[i]);
    }
  };
  const size_t workers = std::clamp<size_t>(static_cast<size_t>(std::max(jobs, 1)), 1,
                                            std::max<size_t>(devices.size(), 1));
  std::vector<std::jthread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(worker);
  worker();
  for (std::jthread& thread : threads) thread.join();  // before `records` is moved out
  return records;
}

}  // namespace edgetrust::factory
