// LocalClient against the real LocalServer (fake Control) and against raw sockets that
// misbehave: typed calls, error mapping, timeouts and the response size bound.
#include "daemon/api/local_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "daemon/server/fake_control.h"
#include "daemon/server/local_server.h"
#include "daemon/server/socket_file.h"
#include "daemon/server/test_util.h"

namespace edgetrust::daemon::api {
namespace {

using server::testing::FakeControl;
using server::testing::OptionsFor;
using server::testing::TempDir;

class LocalClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = dir_.Child("d.sock");
    auto s = server::LocalServer::Start(OptionsFor(socket_), control_);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    server_ = std::move(*s);
  }
  LocalClient Client() const { return LocalClient({socket_}); }

  TempDir dir_;
  std::string socket_;
  FakeControl control_;
  std::unique_ptr<server::LocalServer> server_;
};

TEST_F(LocalClientTest, TypedCalls) {
  EXPECT_EQ(Client().options().timeout, std::chrono::seconds(60));
  auto status = Client().GetStatus();
  ASSERT_TRUE(status.has_value()) << status.error().ToString();
  EXPECT_EQ(ToJson(*status), ToJson(server::testing::SampleStatus()));
  auto pem = Client().GetCertificateChainPem();
  ASSERT_TRUE(pem.has_value()) << pem.error().ToString();
  EXPECT_EQ(*pem, server::testing::kFakeChainPem);
  auto sig = Client().Sign(SignRequest{Bytes(32, 3)});
  ASSERT_TRUE(sig.has_value()) << sig.error().ToString();
  EXPECT_EQ(sig->algorithm, "ES256");
  EXPECT_EQ(sig->signature, (Bytes{0x30, 0x06, 1, 2, 3, 4}));
  EXPECT_TRUE(Client().Reenroll().has_value());
  EXPECT_TRUE(Client().FactoryReset().has_value());
  EXPECT_EQ(control_.reenrolls(), 1);
  EXPECT_EQ(control_.resets(), 1);
}

TEST_F(LocalClientTest, ServerErrorsBecomeErrors) {
  control_.set_chain(Fail(ErrorCode::kNotFound, "daemon.no_certificate", "secret detail"));
  auto pem = Client().GetCertificateChainPem();
  ASSERT_FALSE(pem.has_value());
  EXPECT_EQ(pem.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(pem.error().reason, "daemon.no_certificate");
  EXPECT_EQ(pem.error().message.find("secret"), std::string::npos);

  auto sig = Client().Sign(SignRequest{Bytes(20, 3)});
  ASSERT_FALSE(sig.has_value());
  EXPECT_EQ(sig.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sig.error().reason, "signer.digest_size");

  control_.set_action_result(Fail(ErrorCode::kUnavailable, "tpm.unavailable", "x"));
  auto reset = Client().FactoryReset();
  ASSERT_FALSE(reset.has_value());
  EXPECT_EQ(reset.error().code, ErrorCode::kUnavailable);
  control_.set_action_result(Fail(ErrorCode::kFailedPrecondition, "daemon.no_identity", "x"));
  auto reenroll = Client().Reenroll();
  ASSERT_FALSE(reenroll.has_value());
  EXPECT_EQ(reenroll.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(reenroll.error().reason, "daemon.no_identity");

  auto raw = Client().Request("GET", "/nope");
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->status, 404);
  Error e = ErrorFromResponse(*raw);
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.reason, "api.not_found");
}

TEST_F(LocalClientTest, ForbiddenIsPermissionDenied) {
  server_.reset();
  auto s = server::LocalServer::Start(OptionsFor(socket_, {Endpoint::kStatus}), control_);
  ASSERT_TRUE(s.has_value());
  server_ = std::move(*s);
  auto reset = Client().FactoryReset();
  ASSERT_FALSE(reset.has_value());
  EXPECT_EQ(reset.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(reset.error().reason, "api.forbidden");
}

TEST(ErrorFromResponseTest, MapsStatusesAndOddBodies) {
  auto reason = [](int status) { return ErrorFromResponse({status, "text/plain", "oops"}); };
  EXPECT_EQ(reason(400).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(reason(403).code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(reason(404).code, ErrorCode::kNotFound);
  EXPECT_EQ(reason(409).code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(reason(412).code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(reason(503).code, ErrorCode::kUnavailable);
  EXPECT_EQ(reason(500).code, ErrorCode::kInternal);
  EXPECT_EQ(reason(418).code, ErrorCode::kInternal);
  EXPECT_EQ(reason(502).reason, "local_api.http_502");
}

TEST(LocalClientTransportTest, NoDaemonIsUnreachable) {
  TempDir dir;
  auto missing = LocalClient({dir.Child("none.sock")}).GetStatus();
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(missing.error().reason, "local_api.unreachable");

  // A stale socket file: connect is refused.
  auto bound = server::BindListeningSocket(dir.Child("stale.sock"), 0600);
  ASSERT_TRUE(bound.has_value());
  ::close(bound->fd);
  auto refused = LocalClient({dir.Child("stale.sock")}).GetStatus();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().reason, "local_api.unreachable");

  auto bad = LocalClient({dir.Child("x.sock")}).Request("GET", "/a b");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  auto too_long = LocalClient({"/tmp/" + std::string(200, 'y')}).GetStatus();
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().reason, "local_api.bad_socket_path");
}

TEST(LocalClientTransportTest, SilentServerTimesOut) {
  TempDir dir;
  auto listening = server::BindListeningSocket(dir.Child("mute.sock"), 0600);
  ASSERT_TRUE(listening.has_value());  // listens, never accepts: the kernel queues us
  auto start = std::chrono::steady_clock::now();
  auto r = LocalClient({dir.Child("mute.sock"), std::chrono::milliseconds(300)}).GetStatus();
  auto took = std::chrono::steady_clock::now() - start;
  ::close(listening->fd);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().reason, "local_api.timeout");
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(5));
}

// ExpectBadResponse answers GetStatus with `answer` and expects "local_api.bad_response".
void ExpectBadResponse(const std::string& answer) {
  TempDir dir;
  auto listening = server::BindListeningSocket(dir.Child("odd.sock"), 0600);
  ASSERT_TRUE(listening.has_value());
  std::thread peer([fd = listening->fd, answer] {
    int conn = ::accept(fd, nullptr, nullptr);
    if (conn < 0) return;
    char buf[4096];
    (void)::recv(conn, buf, sizeof(buf), 0);
    server::testing::SendAll(conn, answer);
    ::close(conn);
  });
  auto r = LocalClient({dir.Child("odd.sock"), std::chrono::seconds(5)}).GetStatus();
  peer.join();
  ::close(listening->fd);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal) << r.error().ToString();
  EXPECT_EQ(r.error().reason, "local_api.bad_response");
}

TEST(LocalClientTransportTest, OversizedOrMalformedAnswersAreRefused) {
  ExpectBadResponse("HTTP/1.1 200 OK\r\nContent-Length: " +
                    std::to_string(kMaxLocalResponseSize + 1) + "\r\n\r\n");
  ExpectBadResponse("SSH-2.0-OpenSSH\r\n\r\n");
  ExpectBadResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nnope!");  // not a status
}

}  // namespace
}  // namespace edgetrust::daemon::api
