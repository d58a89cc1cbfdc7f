// The gate across crashes, TPM restarts and tampered or wiped state (THREATS M6; ISSUE 5 §3
// "power loss at any step leaves either the old or the new deployment in force").
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "daemon/gate/gate_test_fixture.h"

namespace edgetrust::daemon::gate::testing {
namespace {

using swtpm::RunCommand;
using swtpm::ShellQuote;

class GateRecoveryTest : public GateTest {
 protected:
  // Healthy submits and confirms `version`.
  void Healthy(Gate& gate, uint64_t version) {
    auto submitted = Submit(gate, Spec(version));
    ASSERT_TRUE(submitted.has_value()) << submitted.error().ToString();
    auto ok = gate.Report("fleet-a", true, {version, std::nullopt}, Tpm());
    ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  }
  void Shell(const std::string& command) {
    auto r = RunCommand(command);
    ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
  }
  void AppendToLog(const std::string& text) {
    int fd = ::open(Path("state/gate/events.log").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
};

TEST_F(GateRecoveryTest, M6FloorSurvivesAWipedStateDirectoryAndATpmRestart) {
  uint64_t start = 0;
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    start = FloorInTpm();
    Healthy(*gate, start + 3);
  }
  Shell("rm -rf " + ShellQuote(Path("state/gate")) + " " + ShellQuote(Path("store")));
  RestartSwtpm();
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  EXPECT_FALSE(gate->Current().has_value());  // nothing kept, nothing in force
  auto older = Submit(*gate, Spec(start + 2));
  ASSERT_FALSE(older.has_value());
  EXPECT_EQ(older.error().reason, "gate.refused_rollback");
  auto same = Submit(*gate, Spec(start + 3));  // the floor itself is allowed again
  ASSERT_TRUE(same.has_value()) << same.error().ToString();
  EXPECT_EQ(same->rollback_floor, start + 3);
}

TEST_F(GateRecoveryTest, ANewTpmBootMeasuresWhatIsInForceAgain) {
  uint64_t start = 0;
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    start = FloorInTpm();
    Healthy(*gate, start + 1);
    ASSERT_TRUE(Submit(*gate, Spec(start + 2)).has_value());  // pending on top
  }
  RestartSwtpm();
  EXPECT_EQ(PcrValue(), Bytes(32, 0));
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  auto log = EventLog::Open(Path("state/gate/events.log"), kPcr);
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(log->initial(), Bytes(32, 0));
  ASSERT_EQ(log->events().size(), 6u);  // healthy: manifest + 2 images, then pending's
  EXPECT_EQ(log->events()[0].version, start + 1);
  EXPECT_EQ(log->events()[3].version, start + 2);
  EXPECT_EQ(EventLog::Replay(log->initial(), log->events()), PcrValue());
  auto current = gate->Current();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->version, start + 2);
  EXPECT_EQ(current->state, api::DeploymentState::kPending);
}

TEST_F(GateRecoveryTest, ACrashBetweenTheHealthyRecordAndTheFloorRaiseIsFinished) {
  uint64_t start = 0;
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    start = FloorInTpm();
    ASSERT_TRUE(Submit(*gate, Spec(start + 4)).has_value());
    WithTpm dies = [](const TpmWork&) -> Status {
      return Fail(ErrorCode::kUnavailable, "tpm.io", "power lost");
    };
    auto report = gate->Report("fleet-a", true, {start + 4, std::nullopt}, dies);
    ASSERT_FALSE(report.has_value());
    EXPECT_EQ(FloorInTpm(), start);
    // The agent retries its report: the gate answers "not ready" until it has reconciled with
    // the TPM again (the daemon does that on the retried call), then answers as healthy.
    auto early = gate->Report("fleet-a", true, {start + 4, std::nullopt}, Tpm());
    ASSERT_FALSE(early.has_value());
    EXPECT_EQ(early.error().reason, "gate.not_ready");
    ASSERT_TRUE(gate->Reconcile(Tpm()).has_value());
    auto retried = gate->Report("fleet-a", true, {start + 4, std::nullopt}, Tpm());
    ASSERT_TRUE(retried.has_value()) << retried.error().ToString();
    EXPECT_EQ(retried->rollback_floor, start + 4);
    EXPECT_EQ(FloorInTpm(), start + 4);
    auto failed_late = gate->Report("fleet-a", false, {start + 4, std::nullopt}, Tpm());
    ASSERT_FALSE(failed_late.has_value());
    EXPECT_EQ(failed_late.error().reason, "gate.not_pending");
  }
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  EXPECT_EQ(FloorInTpm(), start + 4);
  auto current = gate->Current();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->state, api::DeploymentState::kHealthy);
}

TEST_F(GateRecoveryTest, ACrashBetweenLogAndExtendIsCompletedAndATornLineDropped) {
  std::string in_force;
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    auto submitted = Submit(*gate, Spec(FloorInTpm()));
    ASSERT_TRUE(submitted.has_value());
    in_force = submitted->current->manifest_sha256;
  }
  // Logged but not extended (the process died between the fsync and TPM2_PCR_Extend).
  const size_t before = EventLog::Open(Path("state/gate/events.log"), kPcr)->events().size();
  AppendToLog(R"({"seq":)" + std::to_string(before + 1) + R"(,"type":"image","digest":")" +
              std::string(64, 'a') + R"(","deployment_id":"fleet-a","version":1,"module":"x"})" +
              "\n");
  EXPECT_NE(ReplayedLog(), PcrValue());
  size_t after = 0;
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    EXPECT_EQ(ReplayedLog(), PcrValue());  // the interrupted extend was completed
    auto log = EventLog::Open(Path("state/gate/events.log"), kPcr);
    ASSERT_TRUE(log.has_value());
    after = log->events().size();
    EXPECT_GT(after, before + 1);  // and the deployment in force measured again after it
    ASSERT_NE(log->LastNamed(), nullptr);
    EXPECT_EQ(HexEncode(log->LastNamed()->digest), in_force);
  }
  // Torn mid-append: never fsync'ed whole, never extended; dropped on reading.
  AppendToLog(R"({"seq":99,"type":"ima)");
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  EXPECT_EQ(EventLog::Open(Path("state/gate/events.log"), kPcr)->events().size(), after);
  EXPECT_EQ(ReplayedLog(), PcrValue());
}

TEST_F(GateRecoveryTest, AMeasurementWithoutItsRecordIsFollowedByWhatIsInForce) {
  // A crash between step 5 (measure v2) and step 6 (record it) of Submit: the log names v2,
  // v1 is in force. Simulated by measuring v2's manifest digest by hand.
  std::string v1;
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    auto submitted = Submit(*gate, Spec(FloorInTpm()));
    ASSERT_TRUE(submitted.has_value());
    v1 = submitted->current->manifest_sha256;
  }
  {
    auto log = EventLog::Open(Path("state/gate/events.log"), kPcr);
    ASSERT_TRUE(log.has_value());
    ASSERT_TRUE(log->Measure(tpm(), GateEvent{"manifest", Bytes(32, 0x5a), "fleet-a", 99, {}, {}})
                    .has_value());
  }
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  auto log = EventLog::Open(Path("state/gate/events.log"), kPcr);
  ASSERT_TRUE(log.has_value());
  ASSERT_NE(log->LastNamed(), nullptr);
  EXPECT_EQ(HexEncode(log->LastNamed()->digest), v1);
  EXPECT_EQ(log->ImagesAfterLastNamed().size(), 2u);
  EXPECT_EQ(EventLog::Replay(log->initial(), log->events()), PcrValue());
}

TEST_F(GateRecoveryTest, NothingIsServedBeforeTheFloorWasChecked) {
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    ASSERT_TRUE(Submit(*gate, Spec(FloorInTpm())).has_value());
  }
  auto verifier = manifest::jws::ManifestVerifier::Create(pki_->Policy());
  ASSERT_TRUE(verifier.has_value());
  auto gate = Gate::Open(Options(), std::move(*verifier), now_);
  ASSERT_TRUE(gate.has_value());
  auto early = (*gate)->Current();
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().reason, "gate.not_ready");
  ASSERT_TRUE((*gate)->Reconcile(Tpm()).has_value());
  EXPECT_TRUE((*gate)->Current().has_value());
}

TEST_F(GateRecoveryTest, MalformedStateFilesDoNotStopTheGate) {
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    ASSERT_TRUE(Submit(*gate, Spec(FloorInTpm())).has_value());
  }
  ASSERT_TRUE(WriteFileAtomic(Path("state/gate/gate.json"),
                              AsBytes(R"({"healthy":null,"pending":{"manifest_sha256":5,)"
                                      R"("accepted_at":"x"}})"),
                              0600)
                  .has_value());
  ASSERT_TRUE(WriteFileAtomic(Path("state/gate/events.log"),
                              AsBytes("{\"seq\":0,\"type\":\"boot\",\"initial\":7}\n"), 0600)
                  .has_value());
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  auto current = gate->Current();
  ASSERT_FALSE(current.has_value());
  EXPECT_EQ(current.error().reason, "gate.no_deployment");
  EXPECT_EQ(ReplayedLog(), PcrValue());  // a new log was started
}

TEST_F(GateRecoveryTest, AForeignIndexAtTheFloorHandleIsRefused) {
  auto r = Tpm2Tools("tpm2_nvdefine 0x0100ED6E -C o -s 8 -a 'ownerread|ownerwrite'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto verifier = manifest::jws::ManifestVerifier::Create(pki_->Policy());
  ASSERT_TRUE(verifier.has_value());
  auto gate = Gate::Open(Options(), std::move(*verifier), now_);
  ASSERT_TRUE(gate.has_value());
  auto reconciled = (*gate)->Reconcile(Tpm());
  ASSERT_FALSE(reconciled.has_value());
  EXPECT_EQ(reconciled.error().reason, "gate.nv_foreign");
  auto submitted = Submit(**gate, Spec(1));
  ASSERT_FALSE(submitted.has_value());
  EXPECT_EQ(submitted.error().reason, "gate.not_ready");
}

TEST_F(GateRecoveryTest, TamperedOrRolledBackStateIsNotInForce) {
  uint64_t start = 0;
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    start = FloorInTpm();
    Healthy(*gate, start + 1);
  }
  Shell("cp -a " + ShellQuote(Path("state/gate")) + " " + ShellQuote(Path("snapshot")));
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    Healthy(*gate, start + 2);
  }
  // A restored older state directory: its healthy deployment is below the TPM floor.
  Shell("rm -rf " + ShellQuote(Path("state/gate")) + " && mv " + ShellQuote(Path("snapshot")) +
        " " + ShellQuote(Path("state/gate")));
  {
    auto gate = OpenGate();
    ASSERT_TRUE(gate);
    auto current = gate->Current();
    ASSERT_FALSE(current.has_value());
    EXPECT_EQ(current.error().reason, "gate.no_deployment");
    Healthy(*gate, start + 2);
  }
  // A kept JWS edited on disk no longer verifies: not in force.
  Shell("cd " + ShellQuote(Path("state/gate/deployments")) +
        " && for f in *.jws; do sed -i 's/\"payload\":\"e/\"payload\":\"f/' \"$f\"; done");
  auto gate = OpenGate();
  ASSERT_TRUE(gate);
  EXPECT_FALSE(gate->Current().has_value());
}

}  // namespace
}  // namespace edgetrust::daemon::gate::testing
