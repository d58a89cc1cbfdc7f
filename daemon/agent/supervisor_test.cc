// The supervisor runs only verified copies (THREATS M12): a module's process image, working
// directory and environment are exactly what the plan and the verified directory say; restart
// policies; stopping reaches modules that ignore SIGTERM.
#include "daemon/agent/supervisor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "daemon/agent/status_file.h"
#include "daemon/agent/testing/agent_test_util.h"

namespace edgetrust::daemon::agent {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> ProcEnviron(pid_t pid) {
  std::string raw = testing::ReadFileText("/proc/" + std::to_string(pid) + "/environ");
  std::vector<std::string> out;
  for (size_t i = 0; i < raw.size();) {
    size_t end = raw.find('\0', i);
    out.push_back(raw.substr(i, end - i));
    i = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ProcLink(pid_t pid, const char* what) {
  char buf[4096];
  std::string link = "/proc/" + std::to_string(pid) + "/" + what;
  ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// GroupAlive says whether a process of group `pgid` is alive (zombies waiting for their
// reaper do not count).
bool GroupAlive(pid_t pgid) {
  for (const auto& pid : testing::Entries("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = testing::ReadFileText("/proc/" + pid + "/stat");
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (std::sscanf(stat.c_str() + paren + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
        pgrp == pgid && state != 'Z') {
      return true;
    }
  }
  return false;
}

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    for (const auto& d : {store_, run_, logs_}) ASSERT_EQ(::mkdir(d.c_str(), 0700), 0);
  }
  api::PlannedModule Module(const std::string& name, const std::string& script,
                            const std::string& policy = "never") {
    auto m = testing::StoreImage(store_, name, testing::ShellImage(script));
    m.restart_policy = policy;
    return m;
  }
  SupervisorOptions Options() {
    return {.run_dir = run_,
            .log_dir = logs_,
            .stop_grace = 300ms,
            .backoff_initial = 100ms,
            .backoff_max = 400ms};
  }
  // PollUntil polls `s` until `condition` holds on its snapshot of module 0.
  bool PollUntil(Supervisor& s, const std::function<bool(const ModuleSnapshot&)>& condition,
                 std::chrono::milliseconds timeout = 5s) {
    return testing::WaitFor(
        [&] {
          s.Poll(Clock::now());
          return condition(s.Snapshot().at(0));
        },
        timeout);
  }

  testing::TempDir dir_;
  std::string store_ = dir_.Child("store");
  std::string run_ = dir_.Child("run");
  std::string logs_ = dir_.Child("logs");
};

TEST_F(SupervisorTest, ModuleRunsFromItsVerifiedDirectoryWithExactlyThePlansEnv) {
  auto m = Module("sensor", "echo started; sleep 30");
  m.env = {{"MODE", "test"}, {"EMPTY", ""}};
  m.create_options = R"({"HostConfig":{"Memory":64}})";
  Supervisor s(Options());
  ASSERT_TRUE(s.Start({m}).has_value());
  ModuleSnapshot snap = s.Snapshot().at(0);
  ASSERT_GT(snap.pid, 0);
  EXPECT_EQ(snap.state, "running");
  EXPECT_TRUE(snap.dir.starts_with(run_ + "/sensor.")) << snap.dir;
  EXPECT_EQ(ProcLink(snap.pid, "cwd"), snap.dir);
  // /bin/sh runs the script: the script it was given is the verified copy.
  std::string cmdline = testing::ReadFileText("/proc/" + std::to_string(snap.pid) + "/cmdline");
  EXPECT_NE(cmdline.find(snap.dir + "/bin/run"), std::string::npos) << cmdline;
  EXPECT_EQ(ProcEnviron(snap.pid),
            (std::vector<std::string>{"EDGETRUST_CREATE_OPTIONS={\"HostConfig\":{\"Memory\":64}}",
                                      "EDGETRUST_MODULE_NAME=sensor", "EMPTY=", "MODE=test",
                                      "PATH=/usr/bin:/bin"}));
  EXPECT_TRUE(testing::WaitFor(
      [&] { return testing::ReadFileText(logs_ + "/sensor.log") == "started\n"; }, 5s));
  struct stat st {};
  ASSERT_EQ(::stat((logs_ + "/sensor.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  s.StopAll();  // reaps the leader; the group's other members die of the same SIGKILL
  EXPECT_TRUE(testing::WaitFor([&] { return !GroupAlive(snap.pid); }, 2s))
      << "still running after StopAll";
  EXPECT_TRUE(testing::Entries(run_).empty());
}

TEST_F(SupervisorTest, ExecutableIsTheVerifiedCopy) {
  // A real binary as the entrypoint: /proc/<pid>/exe is then the file in the verified dir.
  std::string sleep_bin = testing::ReadFileText("/bin/sleep");
  ASSERT_FALSE(sleep_bin.empty());
  auto m = testing::StoreImage(
      store_, "sleeper",
      testing::BuildUstar({testing::ImageConfigEntry({"bin/sleep", "30"}),
                           {.name = "bin/sleep", .data = sleep_bin, .mode = 0755}}));
  Supervisor s(Options());
  ASSERT_TRUE(s.Start({m}).has_value());
  ModuleSnapshot snap = s.Snapshot().at(0);
  EXPECT_EQ(ProcLink(snap.pid, "exe"), snap.dir + "/bin/sleep");
  EXPECT_EQ(ProcessExe(snap.pid), snap.dir + "/bin/sleep");
  EXPECT_NE(ProcLink(snap.pid, "exe"), "/bin/sleep");
  EXPECT_EQ(ProcLink(snap.pid, "cwd"), snap.dir);
  // Only the standard descriptors are open in the module (nothing of the agent leaks). Right
  // after exec the dynamic loader briefly holds its own (ld.so.cache, libc): a leaked one
  // stays, so the list must settle to exactly these.
  const std::string fd_dir = "/proc/" + std::to_string(snap.pid) + "/fd";
  const std::vector<std::string> standard{"0", "1", "2"};
  EXPECT_TRUE(testing::WaitFor([&] { return testing::Entries(fd_dir) == standard; }, 5s))
      << "open in the module: " << ::testing::PrintToString(testing::Entries(fd_dir));
}

TEST_F(SupervisorTest, OnFailureRestartsWithBackoff) {
  Supervisor s(Options());
  ASSERT_TRUE(s.Start({Module("flaky", "exit 3", "on-failure")}).has_value());
  EXPECT_TRUE(PollUntil(s, [](const auto& m) { return m.restarts >= 3; }));
  EXPECT_EQ(s.Snapshot().at(0).last_exit, "exit 3");
}

TEST_F(SupervisorTest, OnFailureLeavesACleanExitAlone) {
  Supervisor s(Options());
  ASSERT_TRUE(s.Start({Module("done", "exit 0", "on-failure")}).has_value());
  EXPECT_TRUE(PollUntil(s, [](const auto& m) { return m.state == "exited"; }));
  std::this_thread::sleep_for(300ms);
  s.Poll(Clock::now());
  EXPECT_EQ(s.Snapshot().at(0).restarts, 0u);
}

TEST_F(SupervisorTest, AlwaysRestartsACleanExit) {
  Supervisor s(Options());
  ASSERT_TRUE(s.Start({Module("loop", "exit 0", "always")}).has_value());
  EXPECT_TRUE(PollUntil(s, [](const auto& m) { return m.restarts >= 2; }));
}

TEST_F(SupervisorTest, NeverAndOnUnhealthyDoNotRestart) {
  for (const char* policy : {"never", "on-unhealthy"}) {
    SCOPED_TRACE(policy);
    Supervisor s(Options());
    ASSERT_TRUE(s.Start({Module("once", "exit 1", policy)}).has_value());
    EXPECT_TRUE(PollUntil(s, [](const auto& m) { return m.state == "exited"; }));
    std::this_thread::sleep_for(300ms);
    s.Poll(Clock::now());
    EXPECT_EQ(s.Snapshot().at(0).restarts, 0u);
    EXPECT_EQ(s.Snapshot().at(0).state, "exited");
    EXPECT_FALSE(s.NextRestart().has_value());
  }
}

TEST_F(SupervisorTest, StopKillsModulesThatIgnoreSigterm) {
  Supervisor s(Options());
  ASSERT_TRUE(s.Start({Module("stubborn", "trap '' TERM; sleep 30 & echo armed; wait; sleep 30")})
                  .has_value());
  pid_t pid = s.Snapshot().at(0).pid;
  // The trap is in place once the script says so (before that SIGTERM would end it at once).
  ASSERT_TRUE(testing::WaitFor(
      [&] { return testing::ReadFileText(logs_ + "/stubborn.log") == "armed\n"; }, 5s));
  ASSERT_TRUE(GroupAlive(pid));
  auto start = std::chrono::steady_clock::now();
  s.StopAll();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_TRUE(testing::WaitFor([&] { return !GroupAlive(pid); }, 2s))
      << "the module's process group survived";
}

TEST_F(SupervisorTest, StartOrderStoppedModulesAndFailures) {
  auto a = Module("a", "sleep 30");
  auto b = Module("b", "sleep 30");
  auto off = Module("off", "sleep 30");
  a.startup_order = 2;
  b.startup_order = 1;
  off.status = "stopped";
  Supervisor s(Options());
  ASSERT_TRUE(s.Start({a, off, b}).has_value());
  auto snap = s.Snapshot();
  ASSERT_EQ(snap.size(), 3u);
  EXPECT_EQ(snap[0].name, "off");  // order 0, never started
  EXPECT_EQ(snap[0].state, "stopped");
  EXPECT_EQ(snap[0].pid, 0);
  EXPECT_EQ(snap[1].name, "b");
  EXPECT_EQ(snap[2].name, "a");
  EXPECT_EQ(testing::Entries(run_).size(), 2u);

  // A module that cannot be prepared: the whole start fails, naming it, and nothing runs.
  auto bad = Module("bad", "sleep 31");  // its own image: the store file is shared by content
  testing::WriteFile(bad.path, "tampered", 0444);
  bad.startup_order = 5;
  auto st = s.Start({a, bad});
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().reason, "image.size_mismatch");
  EXPECT_NE(st.error().message.find("module bad"), std::string::npos);
  EXPECT_TRUE(s.Snapshot().empty());
  EXPECT_TRUE(testing::Entries(run_).empty());
}

TEST_F(SupervisorTest, ReservedEnvironmentIsRefused) {
  auto m = Module("sensor", "sleep 30");
  m.env = {{"EDGETRUST_MODULE_NAME", "other"}};
  Supervisor s(Options());
  auto st = s.Start({m});
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().reason, "agent.reserved_env");
  m.env = {{"PATH", "/opt/bin"}};
  auto env = ModuleEnvironment(m);
  ASSERT_TRUE(env.has_value());
  EXPECT_EQ(std::count(env->begin(), env->end(), "PATH=/opt/bin"), 1);
  EXPECT_EQ(std::count_if(env->begin(), env->end(),
                          [](const std::string& e) { return e.starts_with("PATH="); }),
            1);
  for (const std::string& name :
       {std::string("EDGETRUST_MODULE_NAME=other"), std::string(), std::string("A\0B", 3)}) {
    m.env = {{name, "x"}};
    auto bad = ModuleEnvironment(m);
    ASSERT_FALSE(bad.has_value()) << name;
    EXPECT_EQ(bad.error().reason, "agent.bad_plan");
  }
}

}  // namespace
}  // namespace edgetrust::daemon::agent
