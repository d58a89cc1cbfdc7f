#include "swtpm/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "common/unique_fd.h"

extern char** environ;

namespace edgetrust::swtpm {
namespace {

Error ErrnoError(ErrorCode code, std::string_view reason, const std::string& what, int err) {
  return Error{code, std::string(reason), what + ": " + std::strerror(err),
               static_cast<uint64_t>(err)};
}

// AboveStdio takes ownership of `fd` (the result of a call that sets errno on failure) and
// moves it to a number >= 3, close-on-exec, so the child's dup2 onto 0-2 never clobbers it.
Result<UniqueFd> AboveStdio(int fd, const std::string& what) {
  if (fd < 0) {
    return std::unexpected(ErrnoError(ErrorCode::kUnavailable, "swtpm.spawn_failed", what, errno));
  }
  UniqueFd owned(fd);
  if (fd >= 3) return owned;
  UniqueFd moved(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
  if (!moved.valid()) {
    return std::unexpected(ErrnoError(ErrorCode::kUnavailable, "swtpm.spawn_failed", what, errno));
  }
  return moved;
}

// Everything the child needs, prepared before fork so the child does not allocate.
struct ChildPlan {
  pid_t parent = 0;
  int devnull = -1;
  int output = -1;
  int error_pipe = -1;
  bool own_group = false;
  int max_fd = 0;
  const std::vector<int>* inherit = nullptr;
  char* const* argv = nullptr;
};

[[noreturn]] void ExecChild(const ChildPlan& plan) noexcept {
  // Only async-signal-safe calls from here to execve.
  int err = 0;
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) err = errno;
  if (err == 0 && ::getppid() != plan.parent) ::_exit(127);  // the parent died already
  if (err == 0 && plan.own_group) ::setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
  }
  if (err == 0 &&
      (::dup2(plan.devnull, 0) < 0 || ::dup2(plan.output, 1) < 0 || ::dup2(plan.output, 2) < 0)) {
    err = errno;
  }
  if (err == 0 && ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < plan.max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  for (int fd : *plan.inherit) {
    if (err == 0 && ::fcntl(fd, F_SETFD, 0) != 0) err = errno;
  }
  if (err == 0) {
    ::execve(plan.argv[0], plan.argv, environ);
    err = errno;
  }
  ssize_t ignored = ::write(plan.error_pipe, &err, sizeof(err));
  (void)ignored;
  ::_exit(127);
}

}  // namespace

Result<ChildProcess> ChildProcess::Spawn(const SpawnSpec& spec) {
  for (int fd : spec.inherit_fds) {
    if (fd < 3) {
      return Fail(ErrorCode::kInvalidArgument, "swtpm.spawn_failed",
                  "inherit_fds must be >= 3, got " + std::to_string(fd));
    }
  }
  auto devnull = AboveStdio(::open("/dev/null", O_RDWR | O_CLOEXEC), "open /dev/null");
  if (!devnull) return Fail(devnull.error());
  auto output =
      AboveStdio(::open(spec.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600),
                 "open " + spec.output_path);
  if (!output) return Fail(output.error());
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Fail(ErrnoError(ErrorCode::kUnavailable, "swtpm.spawn_failed", "pipe2", errno));
  }
  UniqueFd pipe_write(pipe_fds[1]);
  auto pipe_read = AboveStdio(pipe_fds[0], "pipe2");
  if (!pipe_read) return Fail(pipe_read.error());
  if (pipe_write.get() < 3) {
    auto moved = AboveStdio(pipe_write.release(), "pipe2");
    if (!moved) return Fail(moved.error());
    pipe_write = std::move(*moved);
  }

  std::vector<std::string> args_storage;
  args_storage.push_back(spec.program);
  args_storage.insert(args_storage.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (std::string& arg : args_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  struct rlimit limit {};
  int max_fd = 65536;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536) {
    max_fd = static_cast<int>(limit.rlim_cur);
  }
  ChildPlan plan{.parent = ::getpid(),
                 .devnull = devnull->get(),
                 .output = output->get(),
                 .error_pipe = pipe_write.get(),
                 .own_group = spec.own_process_group,
                 .max_fd = max_fd,
                 .inherit = &spec.inherit_fds,
                 .argv = argv.data()};

  pid_t pid = ::fork();
  if (pid < 0) {
    return Fail(ErrnoError(ErrorCode::kUnavailable, "swtpm.spawn_failed", "fork", errno));
  }
  if (pid == 0) ExecChild(plan);

  ChildProcess child(pid, spec.own_process_group);
  if (spec.own_process_group) ::setpgid(pid, pid);  // also here: no race with our first kill
  pipe_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(pipe_read->get(), &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  if (n == 0) return child;  // the pipe closed on a successful execve
  child.KillAndReap();
  if (n != static_cast<ssize_t>(sizeof(child_errno))) child_errno = EIO;
  ErrorCode code = child_errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable;
  return Fail(ErrnoError(code, child_errno == ENOENT ? "swtpm.exec_failed" : "swtpm.spawn_failed",
                         "execve " + spec.program, child_errno));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), group_(other.group_), status_(other.status_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    KillAndReap();
    pid_ = std::exchange(other.pid_, -1);
    group_ = other.group_;
    status_ = other.status_;
  }
  return *this;
}

ChildProcess::~ChildProcess() { KillAndReap(); }

void ChildProcess::Signal(int sig) const {
  if (pid_ <= 0) return;
  if (group_) ::kill(-pid_, sig);
  ::kill(pid_, sig);
}

std::optional<int> ChildProcess::Poll() {
  if (pid_ <= 0) return status_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;
  // r < 0 (ECHILD) means someone else reaped it; the status is lost.
  status_ = r > 0 ? status : 0;
  pid_ = -1;
  return status_;
}

std::optional<int> ChildProcess::WaitFor(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto status = Poll()) return status;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int ChildProcess::Terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return status_;
  Signal(SIGTERM);
  if (auto status = WaitFor(grace)) return *status;
  KillAndReap();
  return status_;
}

void ChildProcess::KillAndReap() noexcept {
  if (pid_ <= 0) return;
  Signal(SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  status_ = r > 0 ? status : 0;
  pid_ = -1;
}

Result<std::string> FindExecutable(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && dir[0] == '/') {
      std::string candidate = dir + "/" + std::string(name);
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return Fail(ErrorCode::kNotFound, "swtpm.tool_missing",
              std::string(name) + " not found in PATH (install swtpm and swtpm-tools)");
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

std::string ReadTail(const std::string& path, size_t max_lines) {
  std::ifstream in(path);
  if (!in) return "";
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (lines.size() > max_lines) lines.erase(lines.begin());
  }
  std::ostringstream out;
  for (const std::string& line : lines) out << "\n  " << line;
  return out.str();
}

}  // namespace edgetrust::swtpm
