// The gate and power cuts (ISSUE 5 §3: "power loss at any step leaves either the old or the new
// deployment in force, never neither"): with v1 healthy, the daemon is SIGKILLed right after
// each TPM command of "submit v2, report it healthy" in turn (fresh swtpm each time). After a
// restart a deployment is in force (v1, or v2 pending or healthy), the TPM floor is never above
// it, and the deployment can be driven to healthy v2. Slow (label `slow`).
#include <thread>

#include "tests/gate_e2e.h"

namespace edgetrust::e2e {
namespace {

using daemon::api::DeploymentState;

class GatePowerCutTest : public GateE2eTest {
 protected:
  // Prepare starts a daemon on `tpm` with the TPM command log and brings v1 to healthy;
  // returns the number of TPM commands logged so far.
  size_t Prepare(DaemonProcess& daemon, const std::string& log) {
    Enrolled(daemon);
    auto [code, body] = Submit(daemon, v1_);
    EXPECT_EQ(code, 200) << body;
    auto healthy = daemon.client().ReportHealthy("fleet-a", {1, std::nullopt});
    EXPECT_TRUE(healthy.has_value()) << healthy.error().ToString();
    return Lines(log).size();
  }
  // Update is what the kill interrupts: submit v2, then report it healthy.
  static void Update(const daemon::api::LocalClient& client, const std::string& v2) {
    if (!client.SubmitDeployment(v2)) return;
    (void)client.ReportHealthy("fleet-a", {2, std::nullopt});
  }
  DaemonOptions LoggedOptions(const swtpm::SwtpmProcess& tpm, const std::string& log,
                              size_t k) const {
    DaemonOptions options = GateOptions();
    options.tcti = tpm.tcti();
    options.registration_id = "gw-cut-" + std::to_string(k);
    options.env["EDGETRUST_TPM_COMMAND_LOG"] = log;
    return options;
  }

  std::string v1_, v2_;
};

TEST_F(GatePowerCutTest, KillDashNineAfterEachTpmCommandOfAnUpdateLeavesADeploymentInForce) {
  ModuleImage sleeper = SleeperImage();
  // By tag: each kill point runs a fresh TPM under its own registration id.
  v1_ = SignedDeployment(1, {sleeper, WriterImage("v1")}, {});
  v2_ = SignedDeployment(2, {sleeper, WriterImage("v2")}, {});

  // Calibration: how many TPM commands the update takes.
  size_t steps = 0;
  {
    const std::string log = Path("calibration.log");
    auto daemon = StartDaemon(LoggedOptions(*tpm_, log, 0));
    ASSERT_TRUE(daemon);
    const size_t base = Prepare(*daemon, log);
    Update(daemon->client(), v2_);
    ASSERT_TRUE(daemon->client().GetCurrentDeployment().has_value());
    ASSERT_EQ(daemon->client().GetCurrentDeployment()->state, DeploymentState::kHealthy);
    steps = Lines(log).size() - base;
    ASSERT_GE(steps, 5u);
  }
  for (size_t k = 1; k <= steps; k += kPowerCutStride) {
    SCOPED_TRACE("killed after TPM command " + std::to_string(k) + " of " + std::to_string(steps));
    auto tpm = swtpm::SwtpmProcess::Start();
    ASSERT_TRUE(tpm) << tpm.error().ToString();
    const std::string log = (*tpm)->state_dir() + "/../commands.log";
    auto daemon = StartDaemon(LoggedOptions(**tpm, log, k));
    ASSERT_TRUE(daemon);
    const size_t base = Prepare(*daemon, log);
    if (HasFailure()) return;
    std::thread update(Update, daemon->client(), v2_);
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (Lines(log).size() < base + k && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    daemon->Kill();
    update.join();
    daemon->options().env.erase("EDGETRUST_TPM_COMMAND_LOG");
    ASSERT_TRUE(daemon->Restart().has_value()) << DaemonLog(*daemon);

    auto current = daemon->client().GetCurrentDeployment();
    ASSERT_TRUE(current.has_value()) << current.error().ToString() << DaemonLog(*daemon);
    const bool old_in_force = current->version == 1 && current->state == DeploymentState::kHealthy;
    const bool new_in_force = current->version == 2;
    EXPECT_TRUE(old_in_force || new_in_force) << daemon::api::ToJson(*current);
    // The in-force deployment again is accepted (idempotent) and reports the floor.
    auto again = daemon->client().SubmitDeployment(current->version == 1 ? v1_ : v2_);
    ASSERT_TRUE(again.has_value()) << "error: " << again.error().ToString() << "\n"
                                   << daemon->OutputTail(60);
    EXPECT_LE(again->rollback_floor, current->version);
    // And the update can be finished.
    Update(daemon->client(), v2_);
    auto finished = daemon->client().GetCurrentDeployment();
    ASSERT_TRUE(finished.has_value());
    EXPECT_EQ(finished->version, 2u);
    EXPECT_EQ(finished->state, DeploymentState::kHealthy);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace edgetrust::e2e
