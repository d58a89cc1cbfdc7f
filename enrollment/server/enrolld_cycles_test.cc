// edgetrust-enrolld start/stop cycles: the CA signer and both TLS keys share one libp11 context
// on the SoftHSM module (certs/pkcs11_key.h); every stop must be a clean exit 0, even right
// after TLS handshakes signed with the token key on cpprestsdk's I/O threads (THE regression:
// "corrupted double-linked list" at shutdown when two libp11 contexts shared the module).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "enrollment/server/testing/enrolld_process.h"

namespace edgetrust::enrollment::server::testing {
namespace {

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// HealthzOverTls makes one TLS handshake (signed by the token's TLS key) and one request.
bool HealthzOverTls(const EnrolldProcess& enrolld) {
  std::string command = "curl -sSf -o /dev/null --max-time 10 --cacert " +
                        Quote(enrolld.ca_bundle_path()) + " " +
                        Quote(enrolld.device_url() + "/healthz") + " " +
                        Quote(enrolld.device_url() + "/healthz") + " 2>&1";
  return std::system(command.c_str()) == 0;
}

TEST(EnrolldCyclesTest, TwentyStartStopCyclesExitZero) {
  auto enrolld = EnrolldProcess::Start();
  ASSERT_TRUE(enrolld.has_value()) << enrolld.error().ToString();
  for (int cycle = 0; cycle < 20; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    ASSERT_TRUE(HealthzOverTls(**enrolld)) << (*enrolld)->output();
    if (cycle + 1 < 20) {
      auto restarted = (*enrolld)->Restart();  // Stop checks exit status 0
      ASSERT_TRUE(restarted.has_value()) << restarted.error().ToString();
    }
  }
  auto stopped = (*enrolld)->Stop();
  ASSERT_TRUE(stopped.has_value()) << stopped.error().ToString();
}

}  // namespace
}  // namespace edgetrust::enrollment::server::testing
