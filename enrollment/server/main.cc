// edgetrust-enrolld: the enrollment service. Thin: flags, config, build, serve, stop on
// SIGTERM/SIGINT. Prints "edgetrust-enrolld: ready device=<url> operator=<url>" on stdout
// once both listeners accept connections (tests and supervisors wait for it).
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include "common/log.h"
#include "common/service_main.h"
#include "enrollment/server/config.h"
#include "enrollment/server/enrolld.h"
#include "enrollment/server/https_server.h"

#if defined(__SANITIZE_ADDRESS__)
// Sanitizer builds only. cpprestsdk's I/O threads are still alive when LeakSanitizer checks at
// exit, and OpenSSL's per-thread error state they hold (freed at thread exit) is reported as
// leaked. Suppress that third-party state by library; full unwinding is needed to see the
// cpprest frames (libcrypto has no frame pointers).
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }
extern "C" const char* __lsan_default_suppressions() { return "leak:libcpprest.so\n"; }
#endif

namespace {

// cpprestsdk's I/O threads (accept, TLS, HTTP parsing, replies), one per core (at least 2):
// none of them ever blocks since the handlers run on Enrolld's WorkerPool.
const size_t kTransportThreads = std::max(2u, std::thread::hardware_concurrency());

constexpr const char* kUsage =
    "usage: edgetrust-enrolld --config <file.toml> [--check-config]\n"
    "  --config FILE    service configuration (see docs/enrollment-service.md)\n"
    "  --check-config   parse and validate the configuration, then exit\n";

int Run(int argc, char** argv) {
  using namespace edgetrust;
  int exit_code = 0;
  auto flags = ParseServiceFlags(argc, argv, "edgetrust-enrolld", kUsage, &exit_code);
  if (!flags) return exit_code;
  auto config = enrollment::server::LoadConfig(flags->config_path);
  if (!config) {
    std::cerr << "edgetrust-enrolld: " << config.error().ToString() << "\n";
    return 2;
  }
  if (flags->check_only) {
    std::cout << "edgetrust-enrolld: config ok\n";
    return 0;
  }
  SetLogLevel(config->log_level);

  // Before any thread exists: every thread inherits the mask; only sigwait receives them.
  const sigset_t stop_signals = BlockStopSignals();

  // Before any cpprestsdk use: its pool only does I/O and TLS now (handlers run on the
  // Enrolld worker pool), so a few threads do; its default of 40 only adds wake-up churn.
  if (auto ok = enrollment::server::InitializeTransportThreads(kTransportThreads); !ok) {
    std::cerr << "edgetrust-enrolld: " << ok.error().ToString() << "\n";
    return 1;
  }
  auto server = enrollment::server::Enrolld::Start(*config);
  if (!server) {
    std::cerr << "edgetrust-enrolld: " << server.error().ToString() << "\n";
    return 1;
  }
  std::cout << "edgetrust-enrolld: ready device=" << (*server)->device_url()
            << " operator=" << (*server)->operator_url() << std::endl;
  int sig = WaitForStopSignal(stop_signals);
  LogInfo(std::string("edgetrust-enrolld: stopping on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
  (*server)->Stop();
  server->reset();
  std::cout << "edgetrust-enrolld: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "edgetrust-enrolld: fatal: " << e.what() << "\n";
    return 1;
  }
}
