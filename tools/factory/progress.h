// Progress of a batch on a terminal: a bar redrawn in place with done/total, failures, elapsed
// time and an ETA (elapsed / done * left, so the workers' parallelism is in it). On a
// non-terminal (a log file, CI) one line per finished device instead. Writes to the FILE given
// (stderr), never to stdout, which carries the summary or the JSON lines. Not thread-safe: RunBatch
// serializes calls.
#ifndef EDGETRUST_TOOLS_FACTORY_PROGRESS_H_
#define EDGETRUST_TOOLS_FACTORY_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <string>

#include "tools/factory/record.h"

namespace edgetrust::factory {

class Progress {
 public:
  Progress(size_t total, std::FILE* out, bool terminal);
  void Finished(const DeviceRecord& record);
  // Close ends the bar's line (terminal only).
  void Close();

 private:
  size_t total_;
  size_t done_ = 0;
  size_t failed_ = 0;
  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// FormatSeconds renders 4.2 -> "4.2s", 95 -> "1m35s", 4000 -> "1h06m".
std::string FormatSeconds(double seconds);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_PROGRESS_H_
