// The edgetrust-agent command line (agent_options.h).
#include "daemon/agent/agent_options.h"

#include <gtest/gtest.h>

namespace edgetrust::daemon::agent {
namespace {

using namespace std::chrono_literals;

Result<AgentOptions> Parse(std::vector<std::string_view> args) { return ParseAgentFlags(args); }

TEST(AgentOptionsTest, DefaultsAndEveryFlag) {
  auto d = Parse({"--work-dir", "/var/lib/agent"});
  ASSERT_TRUE(d.has_value()) << d.error().ToString();
  EXPECT_EQ(d->socket_path, "/run/edgetrust/edgetrustd.sock");
  EXPECT_EQ(d->smoke_timeout, 30s);
  EXPECT_EQ(d->poll, 5s);
  EXPECT_FALSE(d->once);
  EXPECT_TRUE(d->smoke_test.empty());
  EXPECT_EQ(d->log_level, LogLevel::kInfo);

  auto o = Parse({"--socket=/s.sock", "--work-dir", "/w", "--smoke-test", "/bin/check  -q x",
                  "--smoke-arg", "a b", "--smoke-arg=c", "--smoke-timeout", "500ms", "--poll=2m",
                  "--once", "--log-level", "debug"});
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->socket_path, "/s.sock");
  EXPECT_EQ(o->work_dir, "/w");
  EXPECT_EQ(o->smoke_test, (std::vector<std::string>{"/bin/check", "-q", "x", "a b", "c"}));
  EXPECT_EQ(o->smoke_timeout, 500ms);
  EXPECT_EQ(o->poll, 2min);
  EXPECT_TRUE(o->once);
  EXPECT_EQ(o->log_level, LogLevel::kDebug);
  EXPECT_TRUE(Parse({"--help"})->help);
}

TEST(AgentOptionsTest, UsageErrors) {
  for (const auto& args : std::vector<std::vector<std::string_view>>{
           {},
           {"--work-dir"},
           {"--work-dir", "/w", "--bogus"},
           {"--work-dir", "/w", "--poll", "5"},
           {"--work-dir", "/w", "--poll", "0s"},
           {"--work-dir", "/w", "--poll", "-1s"},
           {"--work-dir", "/w", "--poll", "25h"},
           {"--work-dir", "/w", "--poll", "1.5s"},
           {"--work-dir", "/w", "--smoke-test", "  "},
           {"--work-dir", "/w", "--smoke-arg", "x"},
           {"--work-dir", "/w", "--smoke-test", "a", "--smoke-test", "b"},
           {"--work-dir", "/w", "--log-level", "verbose"},
           {"--work-dir", "/w", "--once=yes"}}) {
    auto r = Parse(args);
    ASSERT_FALSE(r.has_value()) << ::testing::PrintToString(args);
    EXPECT_EQ(r.error().reason, "agent.usage");
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(AgentOptionsTest, Durations) {
  EXPECT_EQ(ParseDuration("1ms").value(), 1ms);
  EXPECT_EQ(ParseDuration("30s").value(), 30s);
  EXPECT_EQ(ParseDuration("24h").value(), 24h);
  for (const char* bad : {"", "s", "10", "10S", "10 s", "1e3ms", "9999999999s"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace edgetrust::daemon::agent
