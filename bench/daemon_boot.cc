// daemon_boot: edgetrustd's boot benchmark, issue 4 §5 (not a test, not in CTest).
//
// Run: bench/boot.sh [--iterations N] [--poll-ms MS] [--timeout-s S] builds the release preset
// (edgetrustd, edgetrust-enrolld, daemon_boot), sets EDGETRUST_MANUFACTURER_CA_DIR to a
// temporary directory when unset, and runs this program.
//
// One edgetrust-enrolld (EnrolldProcess: SoftHSM CA, SQLite) runs on loopback with the swtpm
// manufacturer group registered over the operator API (curl, mutual TLS). Each iteration gets
// a fresh swtpm (SwtpmProcess) and times two boots of a real edgetrustd (DaemonProcess, log
// level info) against it:
//   cold: empty state directory -> keys created, EK read, enrolled, certificate stored;
//   warm: SIGTERM, then a new process on the same state and swtpm -> enrolled again with the
//         same certificate serial (no re-enrollment).
// Wall time runs from just before the fork (DaemonProcess::spawned_at, with wait_for_ready off)
// to the first GET /status, polled every --poll-ms over the Unix socket with LocalClient, that
// reports "enrolled" with a certificate. The TPM commands are those the daemon logged
// (EDGETRUST_TPM_COMMAND_LOG, one file per boot), read the moment "enrolled" is seen; the
// swtpm's own start-up probe is not in them. "answering" is the first status answer of any kind.
//
// Output: one line per iteration, p50/max wall ms and p50 command counts per phase, the
// command histograms of the first cold and warm boot, and one verdict per target, judged on
// every boot (max): cold <= 1.5 s, warm <= 100 ms, warm <= 8 TPM commands, no CreatePrimary
// (nor Create) on a warm boot. Exit status 0 when the benchmark ran, whatever the verdicts;
// 1 when it could not run.
//
// Environment: EDGETRUST_MANUFACTURER_CA_DIR (a shared swtpm manufacturer CA, one group for
// every swtpm; without it each swtpm makes its own CA, about 1 s each, and gets its own group),
// EDGETRUSTD and EDGETRUST_ENROLLD (binaries; default: those of this build tree).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "attestation/command_log.h"
#include "common/testing/shell.h"
#include "daemon/testing/daemon_process.h"
#include "enrollment/server/testing/enrolld_process.h"
#include "swtpm/swtpm_process.h"
#include "swtpm/temp_dir.h"

namespace {

using namespace edgetrust;
using daemon::api::DeviceState;
using daemon::api::StatusResponse;
using daemon::testing::DaemonOptions;
using daemon::testing::DaemonProcess;
using enrollment::server::testing::EnrolldProcess;
using Clock = std::chrono::steady_clock;

constexpr double kColdTargetMs = 1500;
constexpr double kWarmTargetMs = 100;
constexpr size_t kWarmCommandTarget = 8;

struct Flags {
  int iterations = 5;
  int poll_ms = 2;
  int timeout_s = 60;
};

// BenchError: every failure is a value that unwinds to main, so the destructors stop the
// children and remove their temporary directories.
std::unexpected<Error> BenchError(const std::string& what, const std::string& detail) {
  return Fail(ErrorCode::kUnavailable, "bench.daemon_boot", what + ": " + detail);
}

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Exited: the child is a zombie (exited, not reaped yet) or gone.
bool Exited(pid_t pid) {
  std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z';
}

// RegisterGroup registers `bundle_path` as group enrollment `group_id` over the operator API
// (curl with the operator client certificate, as tests/daemon_e2e.cc does); 409 is fine.
Status RegisterGroup(const EnrolldProcess& service, const std::string& group_id,
                     const std::string& bundle_path) {
  using test_util::ShellQuote;
  std::string pem = ReadText(bundle_path);
  if (pem.empty()) return BenchError("manufacturer bundle", "nothing at " + bundle_path);
  nlohmann::json body{{"group_id", group_id}, {"manufacturer_ca_pem", pem}};
  const std::string body_path = service.dir() + "/bench-group.json";
  const std::string out_path = service.dir() + "/bench-group-answer";
  std::ofstream(body_path, std::ios::binary | std::ios::trunc) << body.dump();
  auto result = test_util::RunCommand(
      "curl -sS --max-time 20 -X POST --cacert " + ShellQuote(service.ca_bundle_path()) +
      " --cert " + ShellQuote(service.operator_client_cert_path()) + " --key " +
      ShellQuote(service.operator_client_key_path()) +
      " -H 'Content-Type: application/json' --data-binary @" + ShellQuote(body_path) + " -o " +
      ShellQuote(out_path) + " -w '%{http_code}' " +
      ShellQuote(service.operator_url() + "/v1/operator/enrollments/groups"));
  int status = result.output.size() >= 3
                   ? std::atoi(result.output.substr(result.output.size() - 3).c_str())
                   : 0;
  if (result.exit_code != 0 || (status / 100 != 2 && status != 409)) {
    return BenchError("group registration", "curl " + std::to_string(result.exit_code) + " HTTP " +
                                                std::to_string(status) + " " + ReadText(out_path) +
                                                result.output);
  }
  return Ok();
}

struct Boot {
  double answering_ms = -1;  // first status answer of any state
  double enrolled_ms = -1;   // first status "enrolled" with a certificate
  std::string serial;
  std::vector<std::string> commands;  // in order, read when "enrolled" was seen
};

// AwaitEnrolled polls GET /status from the daemon's spawn until it reports "enrolled" with a
// certificate, then reads the TPM command log at once.
Result<Boot> AwaitEnrolled(const DaemonProcess& daemon, const std::string& command_log,
                           const Flags& flags) {
  daemon::api::LocalClient client({daemon.socket_path(), std::chrono::milliseconds(2000)});
  const Clock::time_point spawned = daemon.spawned_at();
  const Clock::time_point deadline = spawned + std::chrono::seconds(flags.timeout_s);
  Boot boot;
  std::string last = "no answer";
  for (int polls = 0;; ++polls) {
    auto status = client.GetStatus();
    Clock::time_point now = Clock::now();
    if (status) {
      if (boot.answering_ms < 0) boot.answering_ms = Millis(now - spawned);
      if (status->state == DeviceState::kEnrolled && status->certificate) {
        boot.enrolled_ms = Millis(now - spawned);
        boot.serial = status->certificate->serial;
        break;
      }
      last = daemon::api::ToJson(*status);
    } else {
      last = status.error().ToString();
    }
    if (now > deadline) {
      return BenchError("boot", "not enrolled within " + std::to_string(flags.timeout_s) +
                                    " s; last: " + last + "\n" + daemon.OutputTail());
    }
    if (polls % 50 == 49 && Exited(daemon.pid())) {
      return BenchError("boot", "edgetrustd exited; last: " + last + "\n" + daemon.OutputTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(flags.poll_ms));
  }
  auto commands = attestation::ReadTpmCommandLog(command_log);
  if (!commands) return BenchError("TPM command log " + command_log, commands.error().ToString());
  boot.commands = std::move(*commands);
  return boot;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// Histogram: command name -> count, in order of first use.
std::vector<std::pair<std::string, int>> Histogram(const std::vector<std::string>& commands) {
  std::vector<std::pair<std::string, int>> histogram;
  for (const std::string& name : commands) {
    auto it = std::find_if(histogram.begin(), histogram.end(),
                           [&](const auto& entry) { return entry.first == name; });
    if (it == histogram.end()) {
      histogram.emplace_back(name, 1);
    } else {
      ++it->second;
    }
  }
  return histogram;
}

void PrintHistogram(const std::string& title, const Boot& boot) {
  std::printf("%s: %zu TPM commands\n", title.c_str(), boot.commands.size());
  for (const auto& [name, count] : Histogram(boot.commands)) {
    std::printf("  %-28s %3d\n", name.c_str(), count);
  }
}

bool Contains(const std::vector<std::string>& commands, const std::string& name) {
  return std::find(commands.begin(), commands.end(), name) != commands.end();
}

void Verdict(bool pass, const std::string& what) {
  std::printf("%s  %s\n", pass ? "PASS" : "FAIL", what.c_str());
}

std::string Ms(double ms) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f ms", ms);
  return text;
}

struct Phase {
  std::vector<double> wall_ms, answering_ms, commands;
  void Add(const Boot& boot) {
    wall_ms.push_back(boot.enrolled_ms);
    answering_ms.push_back(boot.answering_ms);
    commands.push_back(static_cast<double>(boot.commands.size()));
  }
  void Print(const char* name) const {
    std::printf(
        "%-5s spawn->enrolled p50 %8.1f ms  max %8.1f ms | spawn->answering p50 %6.1f ms"
        " | TPM commands p50 %3.0f  max %3.0f\n",
        name, Percentile(wall_ms, 0.5), Percentile(wall_ms, 1.0), Percentile(answering_ms, 0.5),
        Percentile(commands, 0.5), Percentile(commands, 1.0));
  }
};

struct Iteration {
  Boot cold, warm;
};

// RunIteration boots edgetrustd cold then warm on a fresh swtpm (see the file comment).
Result<Iteration> RunIteration(int index, const EnrolldProcess& service,
                               const std::string& logs_dir, bool shared_ca, const Flags& flags) {
  auto tpm = swtpm::SwtpmProcess::Start();
  if (!tpm) return BenchError("swtpm", tpm.error().ToString());
  if (index == 0 || !shared_ca) {
    std::string group =
        shared_ca ? "swtpm-manufacturer" : "swtpm-manufacturer-" + std::to_string(index);
    if (auto registered = RegisterGroup(service, group, (*tpm)->ca_bundle_path()); !registered) {
      return Fail(registered.error());
    }
  }

  DaemonOptions options;
  options.tcti = (*tpm)->tcti();
  options.service_url = service.device_url();
  options.ca_bundle = service.ca_bundle_path();
  options.log_level = "info";
  options.wait_for_ready = false;
  const std::string n = std::to_string(index + 1);
  const std::string cold_log = logs_dir + "/cold-" + n + ".log";
  const std::string warm_log = logs_dir + "/warm-" + n + ".log";
  options.env[attestation::kTpmCommandLogEnv] = cold_log;

  auto daemon = DaemonProcess::Start(options);
  if (!daemon) return BenchError("edgetrustd (cold)", daemon.error().ToString());
  auto cold = AwaitEnrolled(**daemon, cold_log, flags);
  if (!cold) return Fail(cold.error());
  if (auto stopped = (*daemon)->Stop(); !stopped) {
    return BenchError("SIGTERM (cold)", stopped.error().ToString());
  }

  (*daemon)->options().env[attestation::kTpmCommandLogEnv] = warm_log;
  if (auto restarted = (*daemon)->Restart(); !restarted) {
    return BenchError("edgetrustd (warm)", restarted.error().ToString());
  }
  auto warm = AwaitEnrolled(**daemon, warm_log, flags);
  if (!warm) return Fail(warm.error());
  if (auto stopped = (*daemon)->Stop(); !stopped) {
    return BenchError("SIGTERM (warm)", stopped.error().ToString());
  }
  return Iteration{std::move(*cold), std::move(*warm)};
}

void Report(const Phase& cold_phase, const Phase& warm_phase, const Iteration& first,
            bool warm_create_primary, bool warm_create, bool serials_kept) {
  std::printf("\n");
  cold_phase.Print("cold");
  warm_phase.Print("warm");
  std::printf("\n");
  PrintHistogram("cold boot #1 (spawn -> certificate stored)", first.cold);
  PrintHistogram("warm boot #1 (spawn -> enrolled)", first.warm);
  std::printf("warm boot #1 sequence:");
  for (const std::string& name : first.warm.commands) std::printf(" %s", name.c_str());
  std::printf("\n\n");

  const double cold_max = Percentile(cold_phase.wall_ms, 1.0);
  const double warm_max = Percentile(warm_phase.wall_ms, 1.0);
  const double warm_commands_max = Percentile(warm_phase.commands, 1.0);
  Verdict(cold_max <= kColdTargetMs, "cold boot <= 1500 ms (every boot): p50 " +
                                         Ms(Percentile(cold_phase.wall_ms, 0.5)) + ", max " +
                                         Ms(cold_max));
  Verdict(warm_max <= kWarmTargetMs, "warm boot <= 100 ms (every boot): p50 " +
                                         Ms(Percentile(warm_phase.wall_ms, 0.5)) + ", max " +
                                         Ms(warm_max));
  Verdict(warm_commands_max <= static_cast<double>(kWarmCommandTarget),
          "warm boot <= 8 TPM commands (every boot): max " +
              std::to_string(static_cast<int>(warm_commands_max)));
  Verdict(!warm_create_primary && !warm_create, "no CreatePrimary (nor Create) on a warm boot");
  Verdict(serials_kept, "warm boot keeps the certificate serial (no re-enrollment)");
}

Status Run(const Flags& flags) {
  const bool shared_ca = std::getenv("EDGETRUST_MANUFACTURER_CA_DIR") != nullptr;
  auto service = EnrolldProcess::Start();
  if (!service) return BenchError("edgetrust-enrolld", service.error().ToString());
  std::printf("edgetrust-enrolld on %s; %d iteration(s), status polled every %d ms\n",
              (*service)->device_url().c_str(), flags.iterations, flags.poll_ms);
  // The command logs' directory must exist before the daemon's first spawn.
  auto logs = swtpm::TempDir::Create("edgetrust-boot-bench-");
  if (!logs) return BenchError("temp dir", logs.error().ToString());

  Phase cold_phase, warm_phase;
  std::optional<Iteration> first;
  bool warm_create_primary = false, warm_create = false, serials_kept = true;
  for (int i = 0; i < flags.iterations; ++i) {
    auto it = RunIteration(i, **service, logs->path(), shared_ca, flags);
    if (!it) return Fail(it.error());
    const Boot& cold = it->cold;
    const Boot& warm = it->warm;
    std::printf(
        "#%d cold %8.1f ms (answering %6.1f ms, %3zu cmds) | warm %7.1f ms (answering "
        "%6.1f ms, %2zu cmds) serial %s\n",
        i + 1, cold.enrolled_ms, cold.answering_ms, cold.commands.size(), warm.enrolled_ms,
        warm.answering_ms, warm.commands.size(), warm.serial == cold.serial ? "kept" : "CHANGED");
    std::fflush(stdout);
    serials_kept = serials_kept && warm.serial == cold.serial;
    warm_create_primary = warm_create_primary || Contains(warm.commands, "CreatePrimary");
    warm_create = warm_create || Contains(warm.commands, "Create");
    cold_phase.Add(cold);
    warm_phase.Add(warm);
    if (!first) first = std::move(*it);
  }
  Report(cold_phase, warm_phase, *first, warm_create_primary, warm_create, serials_kept);
  return Ok();
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"edgetrustd boot benchmark (issue 4 §5): cold and warm boot on swtpm"};
  app.add_option("--iterations", flags.iterations, "fresh swtpm + cold + warm boot, N times")
      ->check(CLI::PositiveNumber);
  app.add_option("--poll-ms", flags.poll_ms, "GET /status polling interval")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout-s", flags.timeout_s, "give up on a boot after this long")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (auto ran = Run(flags); !ran) {
    std::cerr << "daemon_boot: " << ran.error().ToString() << "\n";
    return 1;
  }
  return 0;
}
