#include "daemon/agent/signal_waiter.h"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace edgetrust::daemon::agent {

SignalWaiter::SignalWaiter() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool SignalWaiter::Wait(std::chrono::milliseconds timeout) {
  if (stop_requested()) return true;
  if (timeout.count() < 0) timeout = std::chrono::milliseconds(0);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1000) * 1000000L;
  int sig = sigtimedwait(&signals_, nullptr, &ts);
  if (sig == SIGTERM || sig == SIGINT) stop_signal_ = sig;
  return stop_requested();
}

}  // namespace edgetrust::daemon::agent
