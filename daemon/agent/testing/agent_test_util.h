// Helpers for the agent's tests: a tiny POSIX ustar writer (independent of tar_reader.cc, so
// the reader is checked against something it did not produce), a private temporary directory,
// and module images written as the daemon's content store would hold them. TEST ONLY.
#ifndef EDGETRUST_DAEMON_AGENT_TESTING_AGENT_TEST_UTIL_H_
#define EDGETRUST_DAEMON_AGENT_TESTING_AGENT_TEST_UTIL_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "daemon/api/deployment_wire.h"

namespace edgetrust::daemon::agent::testing {

// TarEntry is one header (and data) of a test archive. `type` is the ustar typeflag.
struct TarEntry {
  std::string name{};
  std::string data{};
  char type = '0';
  mode_t mode = 0644;
  std::string linkname{};
  std::string prefix{};
};

// UstarHeader renders the 512-byte header of `e` (magic "ustar\0" "00", valid checksum,
// size = e.data.size()).
std::string UstarHeader(const TarEntry& e);

// BuildUstar renders headers, data and padding, then two zero blocks, then zero padding to
// `record` bytes when record > 0 (GNU tar pads to 10240).
std::string BuildUstar(const std::vector<TarEntry>& entries, size_t record = 0);

// ImageConfigEntry is edgetrust-image.json with the given entrypoint.
TarEntry ImageConfigEntry(const std::vector<std::string>& entrypoint);

// TempDir is a fresh directory under /tmp, removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Child(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string Sha256Hex(const std::string& bytes);

// WriteFile writes `bytes` to `path` with `mode`.
void WriteFile(const std::string& path, const std::string& bytes, mode_t mode = 0644);
std::string ReadFileText(const std::string& path);

// StoreImage writes `bytes` to <store>/<sha256> (0444) and returns a running module of that
// image named `name` with policy "never".
api::PlannedModule StoreImage(const std::string& store, const std::string& name,
                              const std::string& bytes);

// ShellImage is an image whose entrypoint is bin/run, a `#!/bin/sh` script with `body`.
std::string ShellImage(const std::string& body);

// Entries lists the names in `dir` (not recursive); ListTree lists every path below it.
std::vector<std::string> Entries(const std::string& dir);
std::vector<std::string> ListTree(const std::string& dir);

// WaitFor polls `condition` every 20 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace edgetrust::daemon::agent::testing

#endif  // EDGETRUST_DAEMON_AGENT_TESTING_AGENT_TEST_UTIL_H_
