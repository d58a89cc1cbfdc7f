// LocalServerTest: a LocalServer on a socket in a private temp directory, a FakeControl behind
// it, and helpers to call it. TEST ONLY.
#ifndef EDGETRUST_DAEMON_SERVER_LOCAL_SERVER_FIXTURE_H_
#define EDGETRUST_DAEMON_SERVER_LOCAL_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "daemon/api/local_client.h"
#include "daemon/server/fake_control.h"
#include "daemon/server/local_server.h"
#include "daemon/server/test_util.h"

namespace edgetrust::daemon::server::testing {

class LocalServerTest : public ::testing::Test {
 protected:
  void StartServer(LocalServerOptions options) {
    auto server = LocalServer::Start(options, control_);
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    server_ = std::move(*server);
  }
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    socket_ = dir_.Child("edgetrustd.sock");
  }
  api::LocalClient Client() const { return api::LocalClient({socket_, std::chrono::seconds(10)}); }
  api::LocalResponse Call(std::string_view method, std::string_view target,
                          std::string_view body = {}) const {
    auto r = Client().Request(method, target, body);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    return r.value_or(api::LocalResponse{});
  }
  static void ExpectError(const api::LocalResponse& r, int status, const std::string& reason) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    auto e = api::ParseErrorResponse(r.body);
    ASSERT_TRUE(e.has_value()) << r.body;
    EXPECT_EQ(e->error, reason);
    EXPECT_FALSE(e->message.empty());
  }

  TempDir dir_;
  std::string socket_;
  FakeControl control_;
  std::unique_ptr<LocalServer> server_;
};

}  // namespace edgetrust::daemon::server::testing

#endif  // EDGETRUST_DAEMON_SERVER_LOCAL_SERVER_FIXTURE_H_
