#include "daemon/agent/process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/unique_fd.h"
#include "daemon/agent/sys_error.h"

namespace edgetrust::daemon::agent {
namespace {

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Child runs between fork and exec: async-signal-safe calls only, no allocation.
[[noreturn]] void Child(const char* exe, char* const* argv, char* const* envp, const char* cwd,
                        int null_fd, int out_fd, int report_fd) {
  ::setpgid(0, 0);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // undo SIG_IGN
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int err = 0;
  if (::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0 ||
      ::dup2(report_fd, 3) < 0) {
    err = errno;
  } else if (::syscall(SYS_close_range, 4U, ~0U, 0U) != 0 || ::fcntl(3, F_SETFD, FD_CLOEXEC) != 0) {
    err = errno;
  } else if (::chdir(cwd) != 0) {
    err = errno;
  } else {
    ::execve(exe, argv, envp);
    err = errno;
  }
  ssize_t ignored = ::write(3, &err, sizeof(err));
  (void)ignored;
  ::_exit(127);
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (signal != 0) return "signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
  return "exit " + std::to_string(code);
}

Result<pid_t> Spawn(const SpawnSpec& spec) {
  if (spec.argv.empty() || !spec.executable.starts_with('/')) {
    return Fail(ErrorCode::kInvalidArgument, "agent.spawn_failed", "bad spawn spec");
  }
  UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null_fd.valid())
    return std::unexpected(SysError(errno, "agent.spawn_failed", "open", "/dev/null"));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return std::unexpected(SysError(errno, "agent.spawn_failed", "pipe2", spec.executable));
  }
  UniqueFd report_read(pipe_fds[0]);
  UniqueFd report_write(pipe_fds[1]);
  std::vector<char*> argv = CStrings(spec.argv);
  std::vector<char*> envp = CStrings(spec.env);
  const int out_fd = spec.output_fd >= 0 ? spec.output_fd : null_fd.get();
  pid_t pid = ::fork();
  if (pid < 0)
    return std::unexpected(SysError(errno, "agent.spawn_failed", "fork", spec.executable));
  if (pid == 0) {
    Child(spec.executable.c_str(), argv.data(), envp.data(), spec.cwd.c_str(), null_fd.get(),
          out_fd, report_write.get());
  }
  // Also in the parent, so that a stop signal sent before the child ran setpgid finds the group.
  ::setpgid(pid, pid);
  report_write.reset();
  int child_errno = 0;
  ssize_t n = 0;
  while ((n = ::read(report_read.get(), &child_errno, sizeof(child_errno))) < 0 && errno == EINTR) {
  }
  if (n == 0) return pid;  // the pipe closed on exec
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return std::unexpected(
      SysError(n > 0 ? child_errno : EIO, "agent.spawn_failed", "execve", spec.executable));
}

std::optional<ExitStatus> ReapIfExited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid != pid) {
    return std::nullopt;
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return ExitStatus{0, WTERMSIG(status)};
  return ExitStatus{WEXITSTATUS(status), 0};
}

void StopProcesses(const std::vector<pid_t>& pids, std::chrono::milliseconds grace) {
  for (pid_t pid : pids) ::kill(-pid, SIGTERM);
  std::vector<pid_t> left = pids;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!left.empty()) {
    std::erase_if(left, [](pid_t pid) { return ReapIfExited(pid).has_value(); });
    if (left.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (pid_t pid : left) {
    ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace edgetrust::daemon::agent
