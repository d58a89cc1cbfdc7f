// The agent against the daemon's real local API transport (daemon/server) with a scripted gate
// (FakeControl): --once in-process (healthy, failed smoke test, tampered image, no plan), and
// the edgetrust-agent binary's loop: a pending plan reported healthy, a bad one reported
// failed and replaced by the last good one, SIGTERM stopping every module.
#include "daemon/agent/agent.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "daemon/agent/process.h"
#include "daemon/agent/testing/agent_test_util.h"
#include "daemon/server/local_server_fixture.h"

extern char** environ;

namespace edgetrust::daemon::agent {
namespace {

using namespace std::chrono_literals;
using server::testing::LocalServerTest;
using server::testing::OptionsFor;

class AgentTest : public LocalServerTest {
 protected:
  void SetUp() override {
    LocalServerTest::SetUp();
    StartServer(OptionsFor(socket_, {api::Endpoint::kPlan, api::Endpoint::kReportHealth}));
    ASSERT_EQ(::mkdir(store_.c_str(), 0700), 0);
  }
  api::DeploymentPlan Plan(const std::string& id, uint64_t version, const std::string& script,
                           api::DeploymentState state = api::DeploymentState::kPending) {
    api::DeploymentPlan plan;
    plan.deployment_id = id;
    plan.version = version;
    plan.state = state;
    plan.manifest_sha256 = std::string(63, '0') + std::to_string(version % 10);
    plan.expires_at = "2099-01-01T00:00:00Z";
    plan.modules.push_back(testing::StoreImage(store_, "sensor", testing::ShellImage(script)));
    return plan;
  }
  AgentOptions Options(std::vector<std::string> smoke) {
    AgentOptions o;
    o.socket_path = socket_;
    o.work_dir = work_;
    o.smoke_test = std::move(smoke);
    o.smoke_timeout = 10s;
    o.once = true;
    return o;
  }
  int RunOnce(std::vector<std::string> smoke) {
    auto agent = Agent::Create(Options(std::move(smoke)));
    EXPECT_TRUE(agent.has_value()) << agent.error().ToString();
    return agent ? (*agent)->RunOnce(waiter_) : -1;
  }
  nlohmann::json Status() {
    auto j =
        nlohmann::json::parse(testing::ReadFileText(work_ + "/agent-status.json"), nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }

  std::string store_ = dir_.Child("store");
  std::string work_ = dir_.Child("work");
  SignalWaiter waiter_;
};

// The smoke test sees the deployment and the status file, and the module running in it.
const std::vector<std::string> kCheckingSmoke = {
    "/bin/sh", "-c",
    "test \"$EDGETRUST_DEPLOYMENT_ID\" = d1 && test \"$EDGETRUST_DEPLOYMENT_VERSION\" = 2 && "
    "grep -q '\"state\":\"running\"' \"$EDGETRUST_AGENT_STATUS\""};

TEST_F(AgentTest, OnceReportsHealthyAndRecordsWhatRan) {
  control_.set_plan(Plan("d1", 2, "sleep 30"));
  EXPECT_EQ(RunOnce(kCheckingSmoke), 0);
  EXPECT_EQ(control_.reports(), std::vector<std::string>{"healthy d1"});
  auto status = Status();
  EXPECT_EQ(status["deployment_id"], "d1");
  EXPECT_EQ(status["version"], 2);
  EXPECT_EQ(status["state"], "healthy");
  EXPECT_EQ(status["health"], "healthy");
  ASSERT_EQ(status["modules"].size(), 1u);
  const auto& m = status["modules"][0];
  EXPECT_EQ(m["name"], "sensor");
  EXPECT_EQ(m["sha256"], control_.plan()->modules[0].sha256);
  EXPECT_GT(m["pid"].get<int>(), 0);
  EXPECT_TRUE(m["dir"].get<std::string>().starts_with(work_ + "/run/sensor."));
  EXPECT_EQ(::kill(m["pid"].get<int>(), 0), -1) << "--once left the module running";
  EXPECT_TRUE(testing::Entries(work_ + "/run").empty());
}

TEST_F(AgentTest, OnceReportsAFailedSmokeTestAndTheGateFallsBack) {
  auto good = Plan("d0", 1, "sleep 30", api::DeploymentState::kHealthy);
  control_.set_plan(Plan("d1", 2, "sleep 30"), good);
  EXPECT_EQ(RunOnce({"/bin/false"}), 1);
  EXPECT_EQ(control_.reports(), std::vector<std::string>{"failed d1"});
  EXPECT_EQ(control_.plan()->deployment_id, "d0");
  EXPECT_EQ(Status()["health"], "failed");
}

TEST_F(AgentTest, OnceRefusesATamperedImage) {
  auto plan = Plan("d1", 2, "sleep 30");
  std::string bytes = testing::ReadFileText(plan.modules[0].path);
  bytes[1024 + 20] ^= 1;  // inside bin/run's data
  testing::WriteFile(plan.modules[0].path, bytes, 0444);
  control_.set_plan(plan);
  EXPECT_EQ(RunOnce({"/bin/true"}), 1);
  EXPECT_EQ(control_.reports(), std::vector<std::string>{"failed d1"});
  EXPECT_EQ(Status()["health"], "failed");
  EXPECT_TRUE(Status()["modules"].empty());
  EXPECT_TRUE(testing::Entries(work_ + "/run").empty());
}

TEST_F(AgentTest, OnceWithoutADeploymentExits2) {
  EXPECT_EQ(RunOnce({"/bin/true"}), 2);
  EXPECT_TRUE(control_.reports().empty());
  EXPECT_EQ(Status()["state"], "none");
}

TEST_F(AgentTest, BinaryLoopAppliesReportsFallsBackAndStops) {
  control_.set_plan(Plan("d1", 2, "sleep 30"));
  SpawnSpec spec{.executable = EDGETRUST_AGENT_BIN,
                 .argv = {EDGETRUST_AGENT_BIN, "--socket", socket_, "--work-dir", work_,
                          "--poll=200ms", "--smoke-timeout", "10s", "--smoke-test", "/bin/sh",
                          "--smoke-arg", "-c", "--smoke-arg",
                          "test \"$EDGETRUST_DEPLOYMENT_VERSION\" != 3", "--log-level", "debug"},
                 .cwd = dir_.path(),
                 .output_fd = 2};
  for (char** e = environ; *e != nullptr; ++e) spec.env.emplace_back(*e);
  auto pid = Spawn(spec);
  ASSERT_TRUE(pid.has_value()) << pid.error().ToString();
  auto health_is = [&](const std::string& id, const std::string& health) {
    auto s = Status();
    return s.value("deployment_id", "") == id && s.value("health", "") == health &&
           s.value("state", "") == "healthy";
  };
  EXPECT_TRUE(testing::WaitFor([&] { return health_is("d1", "healthy"); }, 10s));
  EXPECT_EQ(control_.reports(), std::vector<std::string>{"healthy d1"});
  int first_pid = Status()["modules"][0]["pid"].get<int>();

  // Version 3 fails its smoke test: reported, and the healthy d1 comes back.
  control_.set_plan(Plan("d1", 3, "sleep 31"), control_.plan());
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        return control_.reports().size() == 2 && health_is("d1", "healthy") &&
               Status()["version"] == 2;
      },
      10s));
  EXPECT_EQ(control_.reports().back(), "failed d1");
  int second_pid = Status()["modules"][0]["pid"].get<int>();
  EXPECT_NE(second_pid, first_pid);
  EXPECT_NE(::kill(first_pid, 0), 0);

  ASSERT_EQ(::kill(*pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(::kill(second_pid, 0), 0) << "a module outlived the agent";
  EXPECT_TRUE(Status()["modules"].empty());
}

}  // namespace
}  // namespace edgetrust::daemon::agent
