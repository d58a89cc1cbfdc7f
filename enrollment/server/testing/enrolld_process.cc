#include "enrollment/server/testing/enrolld_process.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "common/file.h"
#include "swtpm/child_process.h"
#include "swtpm/temp_dir.h"

namespace edgetrust::enrollment::server::testing {
namespace {

using swtpm::ChildProcess;

std::unexpected<Error> SetupError(std::string message) {
  return Fail(ErrorCode::kUnavailable, "enrolld.setup", std::move(message));
}

// FreePort asks the kernel for an unused loopback port. The port is free when this returns;
// another process could take it before the child binds (Start then fails, rarely).
Result<uint16_t> FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SetupError("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) return SetupError("cannot find a free port");
  return ntohs(addr.sin_port);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string DefaultBinary() {
  if (const char* env = std::getenv("EDGETRUST_ENROLLD"); env != nullptr && *env != '\0') {
    return env;
  }
  return EDGETRUST_ENROLLD_PATH;
}

std::string ConfigText(const std::string& dir, uint16_t device_port, uint16_t operator_port,
                       const EnrolldOptions& options) {
  std::ostringstream toml;
  toml << "# written by EnrolldProcess (test only)\n"
       << "[listeners.device]\naddress = \"127.0.0.1\"\nport = " << device_port << "\n"
       << "tls_certificate_chain = \"tls-chain.pem\"\n"
       << "tls_key_uri = \"" << EnrolldProcess::kTlsKeyUri << "\"\n\n"
       << "[listeners.operator]\naddress = \"127.0.0.1\"\nport = " << operator_port << "\n"
       << "tls_certificate_chain = \"tls-chain.pem\"\n"
       << "tls_key_uri = \"" << EnrolldProcess::kTlsKeyUri << "\"\n"
       << "client_ca = \"operator-ca.pem\"\n\n"
       << "[ca]\npkcs11_module = \"" << EnrolldProcess::kPkcs11Module << "\"\n"
       << "key_uri = \"" << EnrolldProcess::kCaKeyUri << "\"\n"
       << "pin_file = \"hsm.pin\"\nchain = \"ca.pem\"\n\n"
       << "[store]\nurl = \"sqlite:" << dir << "/registry.db\"\n\n"
       << "[audit]\nlog = \"audit.jsonl\"\n\n"
       << "[options]\n"
       << options.options_toml << "\n"
       << "[log]\nlevel = \"" << options.log_level << "\"\n";
  return toml.str();
}

}  // namespace

struct EnrolldProcess::State {
  swtpm::TempDir temp;
  EnrolldOptions options;
  std::optional<ChildProcess> child;
};

EnrolldProcess::EnrolldProcess(std::unique_ptr<State> state) : state_(std::move(state)) {
  dir_ = state_->temp.path();
}

EnrolldProcess::~EnrolldProcess() {
  if (state_ && state_->child && state_->child->running()) {
    state_->child->Terminate(std::chrono::milliseconds(5000));
  }
}

Result<std::unique_ptr<EnrolldProcess>> EnrolldProcess::Start(EnrolldOptions options) {
  auto temp = swtpm::TempDir::Create("edgetrust-enrolld-");
  if (!temp) return SetupError("temp dir: " + temp.error().ToString());
  auto state = std::make_unique<State>(State{std::move(*temp), std::move(options), std::nullopt});
  if (state->options.binary.empty()) state->options.binary = DefaultBinary();
  std::unique_ptr<EnrolldProcess> process(new EnrolldProcess(std::move(state)));
  const std::string& dir = process->dir_;

  auto bash = swtpm::FindExecutable("bash");
  if (!bash) return SetupError("bash not found");
  swtpm::SpawnSpec setup;
  setup.program = *bash;
  setup.args = {std::string(EDGETRUST_ENROLLD_SCRIPT_DIR) + "/make-enrolld-env.sh", dir};
  setup.output_path = dir + "/setup.out";
  auto child = ChildProcess::Spawn(setup);
  if (!child) return SetupError("make-enrolld-env.sh: " + child.error().ToString());
  auto status = child->WaitFor(std::chrono::milliseconds(60000));
  if (!status || *status != 0) {
    return SetupError("make-enrolld-env.sh failed (" +
                      (status ? swtpm::DescribeWaitStatus(*status) : std::string("timeout")) +
                      "): " + swtpm::ReadTail(setup.output_path));
  }

  // A port found free can be taken before the child binds it: retry with new ports then.
  for (int attempt = 0;; ++attempt) {
    if (auto ok = process->PickPortsAndWriteConfig(); !ok) return Fail(ok.error());
    auto launched = process->Launch();
    if (launched) return process;
    if (attempt == 2 || launched.error().message.find("server.listen") == std::string::npos) {
      return Fail(launched.error());
    }
  }
}

Status EnrolldProcess::PickPortsAndWriteConfig() {
  auto device_port = FreePort();
  if (!device_port) return Fail(device_port.error());
  uint16_t operator_port = 0;
  do {
    auto p = FreePort();
    if (!p) return Fail(p.error());
    operator_port = *p;
  } while (operator_port == *device_port);
  device_port_ = *device_port;
  operator_port_ = operator_port;
  device_url_ = "https://127.0.0.1:" + std::to_string(*device_port);
  operator_url_ = "https://127.0.0.1:" + std::to_string(operator_port);
  std::string config = ConfigText(dir_, device_port_, operator_port_, state_->options);
  if (auto ok = WriteFileAtomic(
          config_path(), ByteView(reinterpret_cast<const uint8_t*>(config.data()), config.size()));
      !ok) {
    return SetupError("enrolld.toml: " + ok.error().ToString());
  }
  return Ok();
}

Status EnrolldProcess::Launch() {
  std::string before = ReadAll(output_path());
  swtpm::SpawnSpec spec;
  spec.program = "/usr/bin/env";
  spec.args = {"SOFTHSM2_CONF=" + softhsm_conf_path(), state_->options.binary, "--config",
               config_path()};
  spec.output_path = output_path();
  auto child = ChildProcess::Spawn(spec);
  if (!child) return Fail(ErrorCode::kUnavailable, "enrolld.start", child.error().ToString());
  state_->child.emplace(std::move(*child));
  auto deadline = std::chrono::steady_clock::now() + state_->options.ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string out = ReadAll(output_path());
    if (out.size() > before.size() &&
        out.find("edgetrust-enrolld: ready", before.size()) != std::string::npos) {
      return Ok();
    }
    if (auto status = state_->child->Poll()) {
      return Fail(ErrorCode::kUnavailable, "enrolld.start",
                  "edgetrust-enrolld exited (" + swtpm::DescribeWaitStatus(*status) +
                      "): " + swtpm::ReadTail(output_path()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  state_->child->Terminate(std::chrono::milliseconds(2000));
  return Fail(ErrorCode::kUnavailable, "enrolld.start",
              "edgetrust-enrolld not ready in time: " + swtpm::ReadTail(output_path()));
}

std::string EnrolldProcess::output() const { return ReadAll(output_path()); }

pid_t EnrolldProcess::pid() const { return state_->child ? state_->child->pid() : -1; }

bool EnrolldProcess::running() {
  if (!state_->child) return false;
  state_->child->Poll();
  return state_->child->running();
}

Status EnrolldProcess::Stop() {
  if (!state_->child || !state_->child->running()) return Ok();
  int status = state_->child->Terminate(std::chrono::milliseconds(10000));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Fail(ErrorCode::kInternal, "enrolld.exit",
                "edgetrust-enrolld stopped with " + swtpm::DescribeWaitStatus(status) + ": " +
                    swtpm::ReadTail(output_path()));
  }
  return Ok();
}

Status EnrolldProcess::Restart() {
  if (auto ok = Stop(); !ok) return ok;
  return Launch();
}

}  // namespace edgetrust::enrollment::server::testing
