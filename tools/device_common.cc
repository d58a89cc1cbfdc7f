// Shared pieces of the `edgetrust device` commands: the socket option and the status view.
#include <cstdlib>
#include <string>

#include "daemon/api/local_client.h"
#include "tools/device_commands.h"

namespace edgetrust::tools {
namespace {

void Line(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ':';
  out.append(name.size() < 17 ? 17 - name.size() : 1, ' ');
  out += value;
  out += '\n';
}

// Duration renders milliseconds as "4.0s", "2m05s", "1h02m".
std::string Duration(int64_t ms) {
  int64_t s = ms / 1000;
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%lld.%llds", static_cast<long long>(s),
                  static_cast<long long>((ms % 1000) / 100));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>((s % 3600) / 60));
  }
  return buf;
}

}  // namespace

std::string DefaultDeviceSocket() {
  const char* env = std::getenv("EDGETRUSTD_SOCKET");
  if (env != nullptr && *env != '\0') return env;
  return daemon::api::kDefaultSocketPath;
}

void AddSocketOption(CLI::App& cmd, std::string* socket) {
  *socket = DefaultDeviceSocket();
  cmd.add_option("--socket", *socket,
                 "edgetrustd's local API socket (default $EDGETRUSTD_SOCKET, else " +
                     std::string(daemon::api::kDefaultSocketPath) + ")");
}

std::string FormatStatus(const daemon::api::StatusResponse& status) {
  std::string out;
  Line(out, "state", daemon::api::DeviceStateName(status.state));
  Line(out, "registration id",
       status.registration_id.empty() ? "(not read yet)" : status.registration_id);
  Line(out, "device id", status.device_id.value_or("(not enrolled)"));
  if (status.certificate) {
    Line(out, "subject", status.certificate->subject);
    Line(out, "serial", status.certificate->serial);
    Line(out, "valid", status.certificate->not_before + " to " + status.certificate->not_after);
  } else {
    Line(out, "certificate", "(none)");
  }
  if (status.renew_after) Line(out, "renew after", *status.renew_after);
  if (status.last_error) Line(out, "last error", *status.last_error);
  if (status.failed_attempts > 0)
    Line(out, "failed attempts", std::to_string(status.failed_attempts));
  if (status.next_attempt_in_ms) Line(out, "next attempt in", Duration(*status.next_attempt_in_ms));
  return out;
}

}  // namespace edgetrust::tools
