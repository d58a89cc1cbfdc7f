// LocalServer on a real Unix socket with a fake Control: every endpoint, routing errors,
// generic error texts, the socket file's mode and life cycle, per-principal grants.
#include "daemon/server/local_server.h"

#include <gtest/gtest.h>

#include "common/testing/shell.h"
#include "daemon/server/local_server_fixture.h"
#include "enrollment/api/wire.h"

namespace edgetrust::daemon::server {
namespace {

using testing::FakeControl;
using testing::LocalServerTest;
using testing::OptionsFor;
using testing::TempDir;

TEST_F(LocalServerTest, ServesEveryEndpoint) {
  StartServer(OptionsFor(socket_));
  auto status = Call("GET", "/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.content_type, "application/json");
  EXPECT_EQ(status.body, api::ToJson(testing::SampleStatus()));

  auto cert = Call("GET", "/certificate");
  EXPECT_EQ(cert.status, 200);
  EXPECT_EQ(cert.content_type, "application/pem-certificate-chain");
  EXPECT_EQ(cert.body, testing::kFakeChainPem);

  auto sign = Call("POST", "/sign", api::ToJson(api::SignRequest{Bytes(32, 7)}));
  EXPECT_EQ(sign.status, 200);
  auto signature = api::ParseSignResponse(sign.body);
  ASSERT_TRUE(signature.has_value()) << sign.body;
  EXPECT_EQ(signature->algorithm, "ES256");
  EXPECT_EQ(control_.last_digest(), Bytes(32, 7));

  EXPECT_EQ(Call("POST", "/reenroll").status, 200);
  EXPECT_EQ(control_.reenrolls(), 1);
  auto reset = Call("POST", "/factory-reset", "{}");
  EXPECT_EQ(reset.status, 200);
  EXPECT_TRUE(api::ParseStatusResponse(reset.body).has_value());
  EXPECT_EQ(control_.resets(), 1);
}

TEST_F(LocalServerTest, RefusesUnknownPathsMethodsAndBadBodies) {
  StartServer(OptionsFor(socket_));
  ExpectError(Call("GET", "/nope"), 404, "api.not_found");
  ExpectError(Call("GET", "/status/"), 404, "api.not_found");
  ExpectError(Call("GET", "/status?x=1"), 404, "api.not_found");
  auto wrong = Call("POST", "/status");
  ExpectError(wrong, 405, "api.method_not_allowed");
  ExpectError(Call("GET", "/sign"), 405, "api.method_not_allowed");
  ExpectError(Call("POST", "/sign", "{\"digest\":"), 400, "request.malformed_json");
  ExpectError(Call("POST", "/sign", "{\"digest\":\"AA\",\"key\":\"x\"}"), 400,
              "request.unknown_field");
  ExpectError(Call("POST", "/sign", api::ToJson(api::SignRequest{Bytes(20, 1)})), 400,
              "signer.digest_size");
  ExpectError(Call("POST", "/reenroll", "{\"force\":true}"), 400, "request.unexpected_body");
  EXPECT_EQ(control_.reenrolls(), 0);
  ExpectError(Call("POST", "/sign", std::string(api::kMaxLocalBodySize + 1, 'x')), 413,
              "request.too_large");
}

TEST_F(LocalServerTest, MethodNotAllowedNamesTheMethod) {
  StartServer(OptionsFor(socket_));
  auto out = test_util::RunCommand("curl -sS -i -X DELETE --unix-socket " +
                                   test_util::ShellQuote(socket_) + " http://localhost/sign");
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("HTTP/1.1 405"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("Allow: POST"), std::string::npos) << out.output;
}

TEST_F(LocalServerTest, ControlErrorsKeepTheReasonAndHideTheMessage) {
  StartServer(OptionsFor(socket_));
  control_.set_chain(Fail(ErrorCode::kNotFound, "daemon.no_certificate", "/var/lib/x: ENOENT"));
  ExpectError(Call("GET", "/certificate"), 404, "daemon.no_certificate");
  control_.set_chain(
      Fail(ErrorCode::kFailedPrecondition, "daemon.certificate_expired", "expired at ..."));
  ExpectError(Call("GET", "/certificate"), 409, "daemon.certificate_expired");
  control_.set_sign(Fail(ErrorCode::kUnavailable, "tpm.unavailable",
                         "Esys_Sign: tpm:error(2.0): TPM_RC_RETRY 0x922"));
  auto sign = Call("POST", "/sign", api::ToJson(api::SignRequest{Bytes(32, 1)}));
  ExpectError(sign, 503, "tpm.unavailable");
  EXPECT_EQ(sign.body.find("TPM_RC"), std::string::npos) << sign.body;
  EXPECT_EQ(sign.body.find("0x922"), std::string::npos) << sign.body;
  control_.set_action_result(Fail(ErrorCode::kInternal, "daemon.state_write",
                                  "error:0A000086:SSL routines::certificate verify failed"));
  auto reset = Call("POST", "/factory-reset");
  ExpectError(reset, 500, "daemon.state_write");
  EXPECT_EQ(reset.body.find("SSL routines"), std::string::npos) << reset.body;
}

TEST_F(LocalServerTest, SocketIsCreatedWithTheModeAndRemovedOnStop) {
  StartServer(OptionsFor(socket_));
  struct stat st {};
  ASSERT_EQ(::lstat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(server_->socket_path(), socket_);
  server_.reset();
  EXPECT_NE(::lstat(socket_.c_str(), &st), 0);
  auto gone = Client().GetStatus();
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().reason, "local_api.unreachable");
}

TEST_F(LocalServerTest, ReplacesAStaleSocketButNothingElse) {
  // A socket file whose server died: bound, never unlinked.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  StartServer(OptionsFor(socket_));
  EXPECT_EQ(Call("GET", "/status").status, 200);

  // A live server at the path is not stale.
  auto second = LocalServer::Start(OptionsFor(socket_), control_);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(second.error().reason, "local_api.path_in_use");
  EXPECT_EQ(Call("GET", "/status").status, 200);  // and the first one still serves
}

TEST_F(LocalServerTest, RefusesARegularFileOrSymlinkAtThePath) {
  std::FILE* f = std::fopen(socket_.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto server = LocalServer::Start(OptionsFor(socket_), control_);
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(server.error().reason, "local_api.path_in_use");
  struct stat st {};
  ASSERT_EQ(::lstat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));  // untouched

  std::string link = dir_.Child("link.sock");
  ASSERT_EQ(::symlink(socket_.c_str(), link.c_str()), 0);
  auto via_link = LocalServer::Start(OptionsFor(link), control_);
  ASSERT_FALSE(via_link.has_value());
  EXPECT_EQ(via_link.error().reason, "local_api.path_in_use");
}

TEST_F(LocalServerTest, MissingDirectoryIsAClearError) {
  auto server = LocalServer::Start(OptionsFor(dir_.Child("no-such-dir/edgetrustd.sock")), control_);
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(server.error().reason, "local_api.bind");
  EXPECT_NE(server.error().message.find("no-such-dir"), std::string::npos);
}

TEST_F(LocalServerTest, PrincipalsGetOnlyTheirEndpoints) {
  StartServer(OptionsFor(socket_, {api::Endpoint::kStatus}));
  EXPECT_EQ(Call("GET", "/status").status, 200);
  ExpectError(Call("GET", "/certificate"), 403, "api.forbidden");
  ExpectError(Call("POST", "/sign", api::ToJson(api::SignRequest{Bytes(32, 1)})), 403,
              "api.forbidden");
  ExpectError(Call("POST", "/factory-reset"), 403, "api.forbidden");
  EXPECT_EQ(control_.resets(), 0);
  EXPECT_TRUE(control_.last_digest().empty());
}

TEST_F(LocalServerTest, AUidWithoutPrincipalGetsNothingRootIncluded) {
  LocalServerOptions options;
  options.socket_path = socket_;
  options.principals.push_back(
      config::Principal{"other", ::getuid() + 4242, testing::AllEndpoints()});
  StartServer(options);
  ExpectError(Call("GET", "/status"), 403, "api.forbidden");
  ExpectError(Call("POST", "/factory-reset"), 403, "api.forbidden");
  EXPECT_EQ(control_.resets(), 0);
}

// RequestAs forks a child that drops to `uid`/`gid` and sends GET /status; its exit code says
TEST(LocalServerOptionsTest, RejectsNonsense) {
  FakeControl control;
  TempDir dir;
  LocalServerOptions options = OptionsFor(dir.Child("s.sock"));
  options.max_connections = 0;
  auto server = LocalServer::Start(options, control);
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error().reason, "local_api.options");
  options = OptionsFor("/tmp/" + std::string(120, 'x'));
  server = LocalServer::Start(options, control);
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error().reason, "local_api.bad_socket_path");
}

}  // namespace
}  // namespace edgetrust::daemon::server
