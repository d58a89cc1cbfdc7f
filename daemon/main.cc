// edgetrustd: the device security daemon. Thin: flags, config, build the core, serve the local
// API at once, then run the boot state machine; stop on SIGTERM/SIGINT. Prints
// "edgetrustd: ready socket=<path>" on stdout once the local API accepts connections (tests
// wait for it) and tells systemd READY=1 (Type=notify) at the same moment: readiness means
// "answering", not "enrolled" — GET /status says how far the device is.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "common/log.h"
#include "common/service_main.h"
#include "daemon/config/config.h"
#include "daemon/server/local_server.h"
#include "daemon/service/daemon.h"
#include "daemon/systemd/sd_notify.h"

#if defined(__SANITIZE_ADDRESS__)
// Sanitizer builds only: cpprestsdk's I/O threads (the enrollment client) are alive at exit
// with OpenSSL per-thread state; see enrollment/server/main.cc.
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }
extern "C" const char* __lsan_default_suppressions() { return "leak:libcpprest.so\n"; }
#endif

namespace {

constexpr const char* kUsage =
    "usage: edgetrustd --config <file.toml> [--check-config]\n"
    "  --config FILE    daemon configuration (see docs/daemon-config.md)\n"
    "  --check-config   parse and validate the configuration, then exit\n";

int Run(int argc, char** argv) {
  using namespace edgetrust;
  int exit_code = 0;
  auto flags = ParseServiceFlags(argc, argv, "edgetrustd", kUsage, &exit_code);
  if (!flags) return exit_code;
  auto config = daemon::config::LoadDaemonConfig(flags->config_path);
  if (!config) {
    std::cerr << "edgetrustd: " << config.error().ToString() << "\n";
    return 2;
  }
  if (flags->check_only) {
    std::cout << "edgetrustd: config ok\n";
    return 0;
  }
  SetLogLevel(config->log_level);

  // Before any thread exists: every thread inherits the mask; only sigwait receives them.
  const sigset_t stop_signals = BlockStopSignals();
  umask(0077);  // every file the daemon makes is private unless it says otherwise

  auto core = daemon::service::Daemon::Create(*config);
  if (!core) {
    std::cerr << "edgetrustd: " << core.error().ToString() << "\n";
    return 1;
  }
  daemon::server::LocalServerOptions api{config->socket_path, 0660, config->principals};
  auto server = daemon::server::LocalServer::Start(api, **core);
  if (!server) {
    std::cerr << "edgetrustd: " << server.error().ToString() << "\n";
    return 1;
  }
  (*core)->Start();
  std::cout << "edgetrustd: ready socket=" << config->socket_path << std::endl;
  if (auto notified = daemon::systemd::NotifyReady(); !notified) {
    LogWarning("sd_notify: " + notified.error().ToString());
  }

  int sig = WaitForStopSignal(stop_signals);
  LogInfo(std::string("edgetrustd: stopping on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
  (void)daemon::systemd::NotifyStopping();
  (*core)->RequestStop();  // waiting Control calls return now
  server->reset();         // no new requests; running ones finish
  (*core)->Stop();
  std::cout << "edgetrustd: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "edgetrustd: fatal: " << e.what() << "\n";
    return 1;
  }
}
