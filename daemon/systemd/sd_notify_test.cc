#include "daemon/systemd/sd_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

namespace edgetrust::daemon::systemd {
namespace {

// ScopedEnv sets (or unsets, for std::nullopt) a variable and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Receiver is the systemd side: a datagram socket bound to a path or an abstract name.
class Receiver {
 public:
  // Bind binds to `address` in NOTIFY_SOCKET syntax ("/path" or "@name").
  static std::optional<Receiver> Bind(const std::string& address) {
    Receiver r(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (r.fd_ < 0) return std::nullopt;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (address.size() >= sizeof(addr.sun_path)) return std::nullopt;
    std::memcpy(addr.sun_path, address.data(), address.size());
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size() + 1);
    if (address.front() == '@') {
      addr.sun_path[0] = '\0';
      len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
    }
    if (::bind(r.fd_, reinterpret_cast<const sockaddr*>(&addr), len) != 0) return std::nullopt;
    timeval timeout{5, 0};  // a lost datagram fails the test instead of hanging it
    ::setsockopt(r.fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    return r;
  }
  Receiver(Receiver&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Receiver& operator=(Receiver&&) = delete;
  ~Receiver() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Receive returns the next datagram, "<timeout>" when there is none.
  std::string Receive() const {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return "<timeout>";
    return std::string(buf, static_cast<size_t>(n));
  }
  // Pending reports whether a datagram is waiting.
  bool Pending() const {
    char c;
    return ::recv(fd_, &c, 1, MSG_DONTWAIT | MSG_PEEK) >= 0;
  }

 private:
  explicit Receiver(int fd) : fd_(fd) {}
  int fd_;
};

std::string UniqueName() {
  std::random_device rd;
  return "edgetrust-sd-notify-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

class SdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / UniqueName();
    std::filesystem::create_directory(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SdNotifyTest, UnsetOrEmptyNotifySocketIsANoOp) {
  {
    ScopedEnv env("NOTIFY_SOCKET", std::nullopt);
    EXPECT_TRUE(SdNotify("READY=1").has_value());
    EXPECT_TRUE(NotifyReady().has_value());
    EXPECT_TRUE(NotifyStatus("idle").has_value());
    EXPECT_TRUE(NotifyStopping().has_value());
    EXPECT_TRUE(NotifyWatchdog().has_value());
  }
  ScopedEnv env("NOTIFY_SOCKET", "");
  EXPECT_TRUE(NotifyReady().has_value());
}

TEST_F(SdNotifyTest, SendsExactMessagesToAPathSocket) {
  const std::string path = (dir_ / "notify").string();
  auto receiver = Receiver::Bind(path);
  ASSERT_TRUE(receiver.has_value()) << std::strerror(errno);
  ScopedEnv env("NOTIFY_SOCKET", path);

  ASSERT_TRUE(NotifyReady().has_value());
  EXPECT_EQ(receiver->Receive(), "READY=1");
  ASSERT_TRUE(NotifyStatus("enrolled, certificate valid until 2026-11-26").has_value());
  EXPECT_EQ(receiver->Receive(), "STATUS=enrolled, certificate valid until 2026-11-26");
  ASSERT_TRUE(NotifyStopping().has_value());
  EXPECT_EQ(receiver->Receive(), "STOPPING=1");
  ASSERT_TRUE(NotifyWatchdog().has_value());
  EXPECT_EQ(receiver->Receive(), "WATCHDOG=1");
  ASSERT_TRUE(SdNotify("READY=1\nSTATUS=serving").has_value());
  EXPECT_EQ(receiver->Receive(), "READY=1\nSTATUS=serving");
  EXPECT_FALSE(receiver->Pending());
}

TEST_F(SdNotifyTest, SendsToAnAbstractSocket) {
  const std::string address = "@" + UniqueName();
  auto receiver = Receiver::Bind(address);
  ASSERT_TRUE(receiver.has_value()) << std::strerror(errno);
  ScopedEnv env("NOTIFY_SOCKET", address);

  ASSERT_TRUE(NotifyReady().has_value());
  EXPECT_EQ(receiver->Receive(), "READY=1");
  ASSERT_TRUE(NotifyStatus("offline, retrying in 30s").has_value());
  EXPECT_EQ(receiver->Receive(), "STATUS=offline, retrying in 30s");
}

TEST_F(SdNotifyTest, StatusCannotInjectAssignments) {
  const std::string path = (dir_ / "notify").string();
  auto receiver = Receiver::Bind(path);
  ASSERT_TRUE(receiver.has_value());
  ScopedEnv env("NOTIFY_SOCKET", path);

  ASSERT_TRUE(NotifyStatus("bad\nREADY=1\r\x7f\tend").has_value());
  EXPECT_EQ(receiver->Receive(), "STATUS=bad READY=1   end");
}

TEST_F(SdNotifyTest, RejectsMalformedAddresses) {
  for (std::string address : {std::string("run/systemd/notify"), std::string("vsock:2:1234"),
                              "/" + std::string(107, 'a'), "@" + std::string(108, 'a')}) {
    ScopedEnv env("NOTIFY_SOCKET", address);
    auto status = NotifyReady();
    ASSERT_FALSE(status.has_value()) << address;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.error().reason, "systemd.notify_socket");
  }
}

TEST_F(SdNotifyTest, LongestAddressesAreAcceptedAndSendErrorsAreValues) {
  // 107 path bytes + NUL and '@' + 107 name bytes both fill sun_path exactly: they pass the
  // length check and fail only in sendto, as nothing listens there.
  for (std::string address : {"/" + std::string(106, 'a'), "@" + std::string(107, 'z')}) {
    ScopedEnv env("NOTIFY_SOCKET", address);
    auto status = NotifyReady();
    ASSERT_FALSE(status.has_value()) << address;
    EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(status.error().reason, "systemd.notify");
  }
  ScopedEnv env("NOTIFY_SOCKET", (dir_ / "nobody-listens").string());
  auto status = NotifyReady();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(status.error().reason, "systemd.notify");
  EXPECT_EQ(status.error().native, static_cast<uint64_t>(ENOENT));
}

TEST_F(SdNotifyTest, RejectsAnEmptyState) {
  const std::string path = (dir_ / "notify").string();
  auto receiver = Receiver::Bind(path);
  ASSERT_TRUE(receiver.has_value());
  ScopedEnv env("NOTIFY_SOCKET", path);
  auto status = SdNotify("");
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().reason, "systemd.notify");
  EXPECT_FALSE(receiver->Pending());
}

TEST(WatchdogIntervalTest, ReadsWatchdogUsecForThisProcess) {
  const std::string self = std::to_string(::getpid());
  {
    ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
    ScopedEnv pid("WATCHDOG_PID", std::nullopt);
    EXPECT_EQ(WatchdogInterval(), std::nullopt);
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "30000000");
    ScopedEnv pid("WATCHDOG_PID", std::nullopt);
    EXPECT_EQ(WatchdogInterval(), std::chrono::seconds(30));
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "250000");
    ScopedEnv pid("WATCHDOG_PID", self);
    EXPECT_EQ(WatchdogInterval(), std::chrono::milliseconds(250));
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "30000000");
    ScopedEnv pid("WATCHDOG_PID", std::to_string(::getpid() + 1));  // meant for someone else
    EXPECT_EQ(WatchdogInterval(), std::nullopt);
  }
}

TEST(WatchdogIntervalTest, MalformedValuesMeanNoWatchdog) {
  ScopedEnv pid("WATCHDOG_PID", std::nullopt);
  for (const char* value : {"", "0", "-5", "+5", "12x", " 12", "abc", "99999999999999999999"}) {
    ScopedEnv usec("WATCHDOG_USEC", value);
    EXPECT_EQ(WatchdogInterval(), std::nullopt) << value;
  }
  ScopedEnv usec("WATCHDOG_USEC", "1000");
  for (const char* value : {"", "x", "-1"}) {
    ScopedEnv bad_pid("WATCHDOG_PID", value);
    EXPECT_EQ(WatchdogInterval(), std::nullopt) << value;
  }
}

}  // namespace
}  // namespace edgetrust::daemon::systemd
