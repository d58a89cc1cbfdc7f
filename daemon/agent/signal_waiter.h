// SignalWaiter is the agent's only way to sleep: it waits for SIGTERM, SIGINT or SIGCHLD
// (sigtimedwait) up to a timeout, so a child's exit wakes the loop at once and a stop request
// is never missed. Construct it before any thread starts: it blocks the three signals in the
// calling thread, which later threads inherit (children get a clean mask from Spawn), and
// ignores SIGPIPE. Not thread-safe; use it from the thread that made it.
#ifndef EDGETRUST_DAEMON_AGENT_SIGNAL_WAITER_H_
#define EDGETRUST_DAEMON_AGENT_SIGNAL_WAITER_H_

#include <signal.h>

#include <chrono>

namespace edgetrust::daemon::agent {

class SignalWaiter {
 public:
  SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Wait returns after a signal or `timeout` (negative counts as zero); true once a stop
  // signal has arrived (then stop_signal() says which).
  bool Wait(std::chrono::milliseconds timeout);
  bool stop_requested() const { return stop_signal_ != 0; }
  int stop_signal() const { return stop_signal_; }

 private:
  sigset_t signals_;
  int stop_signal_ = 0;
};

}  // namespace edgetrust::daemon::agent

#endif  // EDGETRUST_DAEMON_AGENT_SIGNAL_WAITER_H_
