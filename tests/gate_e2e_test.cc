// The module gate end to end (ISSUE 5 §3-§5): edgetrustd verifies and measures a signed
// deployment, the reference agent runs exactly the verified copies and reports, a failed smoke
// test returns to the last good deployment, the event log replays to the PCR in a fresh quote
// (tpm2_quote + tpm2_checkquote), and the rollback floor survives a wiped state directory and
// a TPM restart (THREATS M6, M7, M12, M14 against the real daemon).
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/crypto.h"
#include "common/file.h"
#include "daemon/gate/event_log.h"
#include "tests/gate_e2e.h"

namespace edgetrust::e2e {
namespace {

using daemon::api::DeploymentState;
using swtpm::RunCommand;
using swtpm::ShellQuote;
using json = nlohmann::json;

// WaitForPlan polls GET /deployments/current until the plan has `version` in `state`.
::testing::AssertionResult WaitForPlan(const DaemonProcess& daemon, uint64_t version,
                                       DeploymentState state) {
  std::string last;
  for (int i = 0; i < 200; ++i) {
    auto plan = daemon.client().GetCurrentDeployment();
    if (plan && plan->version == version && plan->state == state) {
      return ::testing::AssertionSuccess();
    }
    last = plan ? daemon::api::ToJson(*plan) : plan.error().ToString();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ::testing::AssertionFailure() << "plan never reached version " << version << ": " << last;
}

json AgentStatus(const std::string& path) { return json::parse(ReadText(path), nullptr, false); }

const json* Module(const json& status, const std::string& name) {
  if (!status.is_object()) return nullptr;
  for (const auto& m : status["modules"]) {
    if (m.value("name", "") == name) return &m;
  }
  return nullptr;
}

std::string Readlink(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

class GateE2e : public GateE2eTest {};

TEST_F(GateE2e, TheAgentRunsExactlyTheVerifiedCopies) {
  auto daemon = StartDaemon(GateOptions());
  ASSERT_TRUE(daemon);
  Enrolled(*daemon);
  auto none = daemon->client().GetCurrentDeployment();
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().reason, "gate.no_deployment");

  ModuleImage sleeper = SleeperImage(), writer = WriterImage("v1");
  const std::string jws = SignedDeployment(1, {sleeper, writer});
  auto [code, body] = Submit(*daemon, jws);
  ASSERT_EQ(code, 200) << body << DaemonLog(*daemon);
  auto status = daemon::api::ParseGateStatus(body);
  ASSERT_TRUE(status.has_value()) << body;
  ASSERT_TRUE(status->current.has_value());
  EXPECT_EQ(status->current->state, DeploymentState::kPending);
  EXPECT_LE(status->rollback_floor, 1u);

  // The agent in its loop; its smoke test waits for the writer module's marker.
  ::setenv("EDGETRUST_E2E_LEAK", "must-not-reach-modules", 1);
  const std::string marker = Path("agent/writer.env");
  auto agent = swtpm::ChildProcess::Spawn(
      {EDGETRUST_AGENT,
       {"--socket", daemon->socket_path(), "--work-dir", Path("agent/wd"), "--poll", "200ms",
        "--smoke-test", "/bin/sh -c", "--smoke-arg",
        "for i in $(seq 50); do test -s " + marker + " && exit 0; sleep 0.1; done; exit 1"},
       Path("agent.out"),
       {},
       false});
  ::unsetenv("EDGETRUST_E2E_LEAK");
  ASSERT_TRUE(agent.has_value()) << agent.error().ToString();
  ASSERT_TRUE(WaitForPlan(*daemon, 1, DeploymentState::kHealthy)) << ReadText(Path("agent.out"));

  // The floor is now in the TPM: the same deployment again is a no-op that reports it.
  auto [again_code, again_body] = Submit(*daemon, jws);
  ASSERT_EQ(again_code, 200) << again_body;
  EXPECT_EQ(daemon::api::ParseGateStatus(again_body)->rollback_floor, 1u);

  // What runs is the verified copy, extracted by the agent: /proc/<pid>/exe is the copy of
  // /bin/sleep inside the agent's directory for this image, byte for byte.
  const std::string status_file = Path("agent/wd/agent-status.json");
  json st = AgentStatus(status_file);
  const json* s = Module(st, "sleeper");
  ASSERT_NE(s, nullptr) << st.dump();
  const std::string dir = s->value("dir", "");
  const std::string exe = s->value("exe", "");
  const pid_t pid = s->value("pid", 0);
  EXPECT_TRUE(dir.starts_with(Path("agent/wd/run/sleeper."))) << dir;
  EXPECT_EQ(exe, dir + "/bin/sleep");
  EXPECT_EQ(Readlink("/proc/" + std::to_string(pid) + "/exe"), exe);
  EXPECT_EQ(RunCommand("cmp /bin/sleep " + ShellQuote(exe)).exit_code, 0);
  EXPECT_EQ(s->value("sha256", ""), sleeper.sha256);
  // The writer saw exactly the plan's environment (plus the agent's own variables).
  const std::string env = ReadText(marker);
  EXPECT_NE(env.find("ROLE=writer\n"), std::string::npos) << env;
  EXPECT_NE(env.find("EDGETRUST_MODULE_NAME=writer\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("EDGETRUST_E2E_LEAK"), std::string::npos) << env;

  // M12: the staging file and the image sources are swapped after acceptance. The store
  // copy is what the plan names and still matches; a restarted module runs it again.
  ASSERT_TRUE(
      WriteFileAtomic(Path("staging/" + sleeper.sha256), AsBytes("#!/bin/sh\nexit 0\n"), 0644)
          .has_value());
  ASSERT_EQ(RunCommand("printf x > " + ShellQuote(Path("images/sleeper/bin/sleep"))).exit_code, 0);
  auto plan = daemon->client().GetCurrentDeployment();
  ASSERT_TRUE(plan.has_value());
  for (const auto& m : plan->modules) {
    auto bytes = ReadFile(m.path, 64 * 1024 * 1024);
    ASSERT_TRUE(bytes.has_value()) << m.path;
    EXPECT_EQ(HexEncode(*Digest(HashAlgorithm::kSha256, *bytes)), m.sha256) << m.name;
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);  // on-failure: the agent restarts it from the store
  std::string new_exe;
  pid_t new_pid = 0;
  for (int i = 0; i < 100 && (new_pid == 0 || new_pid == pid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const json now = AgentStatus(status_file);
    const json* m = Module(now, "sleeper");
    if (m != nullptr && m->value("state", "") == "running") {
      new_pid = m->value("pid", 0);
      new_exe = m->value("exe", "");
    }
  }
  ASSERT_NE(new_pid, 0) << ReadText(status_file);
  ASSERT_NE(new_pid, pid);
  EXPECT_EQ(Readlink("/proc/" + std::to_string(new_pid) + "/exe"), new_exe);
  EXPECT_EQ(RunCommand("cmp /bin/sleep " + ShellQuote(new_exe)).exit_code, 0);

  EXPECT_EQ(agent->Terminate(std::chrono::seconds(15)), 0);
  EXPECT_NE(::kill(new_pid, 0), 0);  // the agent stopped its modules
}

TEST_F(GateE2e, FailedDeploymentsFallBackTheLogMatchesAQuoteAndTheFloorOutlivesAWipe) {
  auto daemon = StartDaemon(GateOptions());
  ASSERT_TRUE(daemon);
  Enrolled(*daemon);
  ModuleImage sleeper = SleeperImage();
  std::map<uint64_t, std::string> jws;
  for (uint64_t v : {1, 2, 3}) {
    jws[v] = SignedDeployment(v, {sleeper, WriterImage("v" + std::to_string(v))});
  }
  for (uint64_t v : {1, 2}) {
    auto [code, body] = Submit(*daemon, jws[v]);
    ASSERT_EQ(code, 200) << body;
    auto [exit_code, output] = RunAgentOnce(*daemon, "/bin/true");
    ASSERT_EQ(exit_code, 0) << output;
    ASSERT_TRUE(WaitForPlan(*daemon, v, DeploymentState::kHealthy));
  }
  auto [code3, body3] = Submit(*daemon, jws[3]);
  ASSERT_EQ(code3, 200) << body3;
  auto [exit3, output3] = RunAgentOnce(*daemon, "/bin/false");
  EXPECT_EQ(exit3, 1) << output3;
  ASSERT_TRUE(WaitForPlan(*daemon, 2, DeploymentState::kHealthy));

  // Refusals through the daemon, each leaving v2 in force.
  auto expect_refused = [&](const std::string& signed_jws, const std::string& reason) {
    auto [code, body] = Submit(*daemon, signed_jws);
    EXPECT_EQ(code, 422) << body;
    EXPECT_NE(body.find("\"" + reason + "\""), std::string::npos) << body;
    EXPECT_TRUE(WaitForPlan(*daemon, 2, DeploymentState::kHealthy));
  };
  expect_refused(jws[1], "gate.refused_rollback");                                          // M6
  expect_refused(SignedDeployment(23, {sleeper}), "gate.refused_version_jump");             // M14
  expect_refused(SignedDeployment(4, {sleeper}, {"gw-other"}), "manifest.not_for_device");  // M7

  // The log, read as a verifier would, replays to PCR 15 in a fresh quote by tpm2-tools.
  auto log = daemon::gate::EventLog::Open(daemon->state_dir() + "/gate/events.log", 15);
  ASSERT_TRUE(log.has_value());
  ASSERT_FALSE(log->events().empty());
  EXPECT_EQ(log->events().back().type, "revert");
  EXPECT_EQ(log->events().back().version, 2u);
  const std::string replayed = ReplayEventLog(*daemon);
  ASSERT_TRUE(daemon->Stop().has_value());
  const std::string q = Path("quote");
  auto quote = RunCommand(
      "set -e; export TPM2TOOLS_TCTI=" + ShellQuote(tpm_->tcti()) + "; mkdir -p " + ShellQuote(q) +
      "; cd " + ShellQuote(q) +
      "; tpm2_createek -Q -c ek.ctx -G rsa -u ek.pub; tpm2_flushcontext -t"
      "; tpm2_createak -Q -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pem -f pem"
      " -n ak.name; tpm2_flushcontext -t"
      "; tpm2_quote -Q -c ak.ctx -l sha256:15 -q 5eed0b0a -m q.msg -s q.sig -o q.pcrs -g sha256"
      "; tpm2_flushcontext -t"
      "; tpm2_checkquote -u ak.pem -m q.msg -s q.sig -f q.pcrs -g sha256 -q 5eed0b0a");
  ASSERT_EQ(quote.exit_code, 0) << quote.output;
  std::string upper;
  for (char c : replayed) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_NE(quote.output.find("15: 0x" + upper), std::string::npos) << "replayed " << upper << "\n"
                                                                    << quote.output;

  // M6: the state directory wiped and the TPM restarted; the floor (2) is still in the TPM.
  ASSERT_EQ(RunCommand("rm -rf " + ShellQuote(daemon->state_dir())).exit_code, 0);
  ASSERT_TRUE(tpm_->Restart().has_value());
  ASSERT_TRUE(daemon->Restart().has_value()) << DaemonLog(*daemon);
  Enrolled(*daemon);
  auto [old_code, old_body] = Submit(*daemon, jws[1]);
  EXPECT_EQ(old_code, 422) << old_body;
  EXPECT_NE(old_body.find("gate.refused_rollback"), std::string::npos) << old_body;
  auto [same_code, same_body] = Submit(*daemon, jws[2]);
  EXPECT_EQ(same_code, 200) << same_body;
  auto fresh = daemon::gate::EventLog::Open(daemon->state_dir() + "/gate/events.log", 15);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->initial(), Bytes(32, 0));  // a new TPM boot, a new log
}

}  // namespace
}  // namespace edgetrust::e2e
