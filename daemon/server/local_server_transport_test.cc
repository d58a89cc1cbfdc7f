// LocalServer's transport against real peers: THREATS D1 with a child of another uid, curl as
// an independent client (keep-alive), slow clients, oversized headers, the connection cap and
// what the request log holds (D2).
#include "daemon/server/local_server.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "common/testing/shell.h"
#include "daemon/server/local_server_fixture.h"
#include "enrollment/api/wire.h"

namespace edgetrust::daemon::server {
namespace {

using testing::FakeControl;
using testing::LocalServerTest;
using testing::OptionsFor;
using testing::TempDir;

// what happened: 3 = HTTP 403 api.forbidden, 4 = connect EACCES, 5 = HTTP 200, else failure.
int RequestAs(const std::string& socket, uid_t uid, gid_t gid) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0 ||
        ::setresuid(uid, uid, uid) != 0) {
      ::_exit(10);
    }
    int fd = testing::ConnectRaw(socket);
    if (fd == -EACCES) ::_exit(4);
    if (fd < 0) ::_exit(11);
    if (!testing::SendAll(fd, "GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
      ::_exit(12);
    }
    std::string answer = testing::ReadUntilClosed(fd);
    if (answer.starts_with("HTTP/1.1 403") && answer.find("api.forbidden") != std::string::npos) {
      ::_exit(3);
    }
    ::_exit(answer.starts_with("HTTP/1.1 200") ? 5 : 13);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(LocalServerTest, AnotherUidIsRefusedByTheUidCheck) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another uid";
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  LocalServerOptions options = OptionsFor(socket_);
  options.mode = 0666;  // let the connection through so that the uid check is what refuses
  StartServer(options);
  EXPECT_EQ(RequestAs(socket_, 65534, 65534), 3);
  EXPECT_EQ(Call("GET", "/status").status, 200);  // the principal still gets in

  // The same uid as a principal is served: the check is by uid, not by "not root".
  server_.reset();
  options.principals.push_back(config::Principal{"nobody", 65534, {api::Endpoint::kStatus}});
  StartServer(options);
  EXPECT_EQ(RequestAs(socket_, 65534, 65534), 5);
}

TEST_F(LocalServerTest, TheSocketModeKeepsOthersOut) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another uid";
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  StartServer(OptionsFor(socket_));  // 0660 root:root
  EXPECT_EQ(RequestAs(socket_, 65534, 65534), 4);
}

TEST_F(LocalServerTest, CurlIsServedWithKeepAlive) {
  StartServer(OptionsFor(socket_));
  std::string curl = "curl -sS --unix-socket " + test_util::ShellQuote(socket_);
  auto out = test_util::RunCommand(curl + " http://localhost/status");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto status = api::ParseStatusResponse(out.output);
  ASSERT_TRUE(status.has_value()) << out.output;
  EXPECT_EQ(status->registration_id, "line7-0042");

  // Two requests on one connection: the second needs no new connect.
  auto twice =
      test_util::RunCommand(curl +
                            " -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\\n'"
                            " http://localhost/status http://localhost/certificate");
  EXPECT_EQ(twice.output, "200 1\n200 0\n");
}

TEST_F(LocalServerTest, ASlowClientIsDroppedWhileOthersAreServed) {
  LocalServerOptions options = OptionsFor(socket_);
  options.read_timeout = std::chrono::milliseconds(400);
  StartServer(options);
  // Before connecting: the server's read timer starts at accept, which is later.
  auto start = std::chrono::steady_clock::now();
  int slow = testing::ConnectRaw(socket_);
  ASSERT_GE(slow, 0);
  ASSERT_TRUE(testing::SendAll(slow, "GET /status HTTP/1.1\r\nHost: loc"));
  EXPECT_EQ(Call("GET", "/status").status, 200);        // not blocked by the slow one
  std::string answer = testing::ReadUntilClosed(slow);  // returns when the server hangs up
  auto waited = std::chrono::steady_clock::now() - start;
  ::close(slow);
  EXPECT_EQ(answer, "");
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LT(waited, std::chrono::seconds(4));
  EXPECT_EQ(Call("GET", "/status").status, 200);
}

TEST_F(LocalServerTest, OversizedHeadersAndGarbageAreRefused) {
  StartServer(OptionsFor(socket_));
  int fd = testing::ConnectRaw(socket_);
  ASSERT_GE(fd, 0);
  testing::SendAll(fd,
                   "GET /status HTTP/1.1\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n");
  std::string answer = testing::ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer.substr(0, 100);
  EXPECT_NE(answer.find("request.headers_too_large"), std::string::npos);

  fd = testing::ConnectRaw(socket_);
  ASSERT_GE(fd, 0);
  testing::SendAll(fd, "HELLO\r\n\r\n");
  answer = testing::ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  EXPECT_NE(answer.find("request.malformed_http"), std::string::npos);
}

TEST_F(LocalServerTest, ConnectionsAreCapped) {
  LocalServerOptions options = OptionsFor(socket_);
  options.max_connections = 2;
  StartServer(options);
  int a = testing::ConnectRaw(socket_);
  int b = testing::ConnectRaw(socket_);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the server accept both
  auto refused = Client().GetStatus();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable) << refused.error().ToString();
  ::close(a);
  ::close(b);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let it notice the hang-ups
  EXPECT_EQ(Call("GET", "/status").status, 200);
}

TEST_F(LocalServerTest, LogsRequestsButNeverBodies) {
  StartServer(OptionsFor(socket_));
  Bytes digest(32, 0x5a);
  ::testing::internal::CaptureStderr();
  auto sign = Call("POST", "/sign", api::ToJson(api::SignRequest{digest}));
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(sign.status, 200);
  EXPECT_NE(log.find("uid=" + std::to_string(::getuid()) + " principal=test POST /sign -> 200"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find(enrollment::api::Base64UrlEncode(digest)), std::string::npos) << log;
  auto signature = api::ParseSignResponse(sign.body);
  ASSERT_TRUE(signature.has_value());
  EXPECT_EQ(log.find(enrollment::api::Base64UrlEncode(signature->signature)), std::string::npos);
}
}  // namespace
}  // namespace edgetrust::daemon::server
