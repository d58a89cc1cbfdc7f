#include "daemon/agent/agent_options.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>

namespace edgetrust::daemon::agent {

const char* const kAgentUsage =
    "usage: edgetrust-agent --work-dir DIR [--socket PATH] [--smoke-test CMD]\n"
    "                       [--smoke-arg ARG]... [--smoke-timeout DURATION] [--poll DURATION]\n"
    "                       [--once] [--log-level debug|info|warning|error]\n"
    "  --socket PATH            daemon local API socket (default "
    "/run/edgetrust/edgetrustd.sock)\n"
    "  --work-dir DIR           agent-owned directory (created 0700)\n"
    "  --smoke-test CMD         smoke test command, split on spaces\n"
    "  --smoke-arg ARG          one more smoke test argument, verbatim (repeatable)\n"
    "  --smoke-timeout DURATION smoke test time limit (default 30s)\n"
    "  --poll DURATION          how often to ask the daemon for the plan (default 5s)\n"
    "  --once                   apply the current plan once, report, stop; exit 0 healthy,\n"
    "                           1 failed, 2 no plan or usage error\n"
    "DURATION: an integer with a unit: ms, s, m, h (500ms, 30s, 2m)\n";

namespace {

std::unexpected<Error> Usage(std::string message) {
  return Fail(ErrorCode::kInvalidArgument, "agent.usage", std::move(message));
}

Result<LogLevel> ParseLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warning") return LogLevel::kWarning;
  if (name == "error") return LogLevel::kError;
  return Usage("--log-level must be debug, info, warning or error");
}

std::vector<std::string> SplitOnSpaces(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    if (end > i) out.emplace_back(text.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string_view unit = text.substr(digits);
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (digits == 0 || digits > 9 || ec != std::errc() || value == 0) {
    return Usage("'" + std::string(text) + "' is not a positive duration (e.g. 30s)");
  }
  uint64_t ms = 0;
  if (unit == "ms") {
    ms = value;
  } else if (unit == "s") {
    ms = value * 1000;
  } else if (unit == "m") {
    ms = value * 60 * 1000;
  } else if (unit == "h") {
    ms = value * 60 * 60 * 1000;
  } else {
    return Usage("'" + std::string(text) + "' needs a unit: ms, s, m or h");
  }
  if (ms > 24ULL * 60 * 60 * 1000) return Usage("'" + std::string(text) + "' is over 24h");
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

Result<AgentOptions> ParseAgentFlags(const std::vector<std::string_view>& args) {
  AgentOptions options;
  bool have_smoke = false;
  std::vector<std::string> smoke_args;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    std::optional<std::string_view> inline_value;
    if (size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto value = [&]() -> Result<std::string_view> {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) return Usage(std::string(flag) + " needs a value");
      return args[++i];
    };
    if (flag == "--once" || flag == "--help" || flag == "-h") {
      if (inline_value) return Usage(std::string(flag) + " takes no value");
      (flag == "--once" ? options.once : options.help) = true;
      continue;
    }
    static constexpr std::string_view kValued[] = {"--socket",    "--work-dir",      "--smoke-test",
                                                   "--smoke-arg", "--smoke-timeout", "--poll",
                                                   "--log-level"};
    if (std::find(std::begin(kValued), std::end(kValued), flag) == std::end(kValued)) {
      return Usage("unknown argument '" + std::string(args[i]) + "'");
    }
    auto v = value();
    if (!v) return Fail(v.error());
    if (flag == "--socket") {
      options.socket_path = std::string(*v);
    } else if (flag == "--work-dir") {
      options.work_dir = std::string(*v);
    } else if (flag == "--smoke-test") {
      if (have_smoke) return Usage("--smoke-test given twice");
      have_smoke = true;
      options.smoke_test = SplitOnSpaces(*v);
    } else if (flag == "--smoke-arg") {
      smoke_args.emplace_back(*v);
    } else if (flag == "--smoke-timeout" || flag == "--poll") {
      auto d = ParseDuration(*v);
      if (!d) return Fail(d.error());
      (flag == "--poll" ? options.poll : options.smoke_timeout) = *d;
    } else if (flag == "--log-level") {
      auto level = ParseLevel(*v);
      if (!level) return Fail(level.error());
      options.log_level = *level;
    } else {
      return Usage("unknown argument '" + std::string(args[i]) + "'");
    }
  }
  if (options.help) return options;
  if (options.work_dir.empty()) return Usage("--work-dir is required");
  if (have_smoke && options.smoke_test.empty()) return Usage("--smoke-test is empty");
  if (!smoke_args.empty() && !have_smoke) return Usage("--smoke-arg needs --smoke-test");
  for (auto& a : smoke_args) options.smoke_test.push_back(std::move(a));
  if (options.socket_path.empty()) return Usage("--socket is empty");
  return options;
}

}  // namespace edgetrust::daemon::agent
