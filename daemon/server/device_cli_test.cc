// `edgetrust device ...` (the real binary) against a LocalServer with a fake Control.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/testing/shell.h"
#include "daemon/server/fake_control.h"
#include "daemon/server/local_server.h"
#include "daemon/server/test_util.h"

namespace edgetrust::daemon::server {
namespace {

using test_util::CommandResult;
using test_util::RunCommand;
using test_util::ShellQuote;

class DeviceCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = dir_.Child("d.sock");
    auto s = LocalServer::Start(testing::OptionsFor(socket_), control_);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    server_ = std::move(*s);
  }
  CommandResult Cli(const std::string& args) const {
    return RunCommand(std::string(EDGETRUST_CLI) + " device " + args + " --socket " +
                      ShellQuote(socket_));
  }

  testing::TempDir dir_;
  std::string socket_;
  testing::FakeControl control_;
  std::unique_ptr<LocalServer> server_;
};

TEST_F(DeviceCliTest, StatusForPeople) {
  auto out = Cli("status");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  for (const char* want :
       {"state:            enrolled\n", "registration id:  line7-0042\n",
        "device id:        dev-5f1c\n", "subject:          CN=line7-0042,O=edgetrust\n",
        "serial:           0a1b2c\n",
        "valid:            2026-01-01T00:00:00Z to 2026-12-31T00:00:00Z\n",
        "renew after:      2026-10-01T00:00:00Z\n", "last error:       service.unreachable\n",
        "next attempt in:  4.0s\n"}) {
    EXPECT_NE(out.output.find(want), std::string::npos) << want << "\n" << out.output;
  }

  api::StatusResponse fresh;  // first boot: nothing known yet
  control_.set_status(fresh);
  out = Cli("status");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("state:            enrolling\n"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("certificate:      (none)\n"), std::string::npos) << out.output;
}

TEST_F(DeviceCliTest, StatusAsJson) {
  auto out = Cli("status --json");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  auto status = api::ParseStatusResponse(out.output);
  ASSERT_TRUE(status.has_value()) << out.output;
  EXPECT_EQ(api::ToJson(*status), api::ToJson(testing::SampleStatus()));
}

TEST_F(DeviceCliTest, SocketFromTheEnvironment) {
  auto out = RunCommand("EDGETRUSTD_SOCKET=" + ShellQuote(socket_) + " " + EDGETRUST_CLI +
                        " device status --json");
  EXPECT_EQ(out.exit_code, 0) << out.output;
}

TEST_F(DeviceCliTest, CertificateToStdoutAndFile) {
  auto out = Cli("certificate");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(out.output, testing::kFakeChainPem);

  std::string file = dir_.Child("chain.pem");
  out = Cli("certificate --out " + ShellQuote(file));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  std::ifstream in(file);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), testing::kFakeChainPem);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);

  control_.set_chain(Fail(ErrorCode::kNotFound, "daemon.no_certificate", "not yet"));
  out = Cli("certificate");
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("daemon.no_certificate"), std::string::npos) << out.output;
}

TEST_F(DeviceCliTest, ReenrollAndFactoryReset) {
  auto out = Cli("reenroll");
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(control_.reenrolls(), 1);

  out = Cli("factory-reset");
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("--yes"), std::string::npos) << out.output;
  EXPECT_EQ(control_.resets(), 0);
  out = Cli("factory-reset --yes");
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_EQ(control_.resets(), 1);
}

TEST_F(DeviceCliTest, ErrorsAndUsage) {
  auto out = RunCommand(std::string(EDGETRUST_CLI) + " device status --socket " +
                        ShellQuote(dir_.Child("none.sock")));
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("local_api.unreachable"), std::string::npos) << out.output;
  EXPECT_EQ(Cli("status --bogus").exit_code, 2);
  EXPECT_EQ(RunCommand(std::string(EDGETRUST_CLI) + " device").exit_code, 2);
}

TEST_F(DeviceCliTest, AnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another uid";
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(socket_.c_str(), 0666), 0);  // past the mode: the uid check refuses
  std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  auto out =
      RunCommand(as_nobody + EDGETRUST_CLI + " device status --socket " + ShellQuote(socket_));
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("api.forbidden"), std::string::npos) << out.output;

  ASSERT_EQ(::chmod(socket_.c_str(), 0660), 0);  // the mode refuses first
  out = RunCommand(as_nobody + EDGETRUST_CLI + " device status --socket " + ShellQuote(socket_));
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("local_api.forbidden"), std::string::npos) << out.output;
}

}  // namespace
}  // namespace edgetrust::daemon::server
