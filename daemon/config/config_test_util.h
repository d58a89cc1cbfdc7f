// Helpers shared by the daemon config tests. TEST ONLY.
#ifndef EDGETRUST_DAEMON_CONFIG_CONFIG_TEST_UTIL_H_
#define EDGETRUST_DAEMON_CONFIG_CONFIG_TEST_UTIL_H_

#include <sstream>
#include <string>

namespace edgetrust::daemon::config::testing {

// kBase is the smallest valid file; the bad cases append to it or rewrite it.
inline constexpr const char* kBase =
    "tcti = \"device:/dev/tpmrm0\"\n"
    "[enrollment]\n"
    "service_url = \"https://enroll.example.com:8443\"\n"
    "ca_bundle = \"/etc/edgetrust/service-ca.pem\"\n";

// MarkedLine returns the 1-based number of the line carrying the "# <-" marker, -1 if none.
inline int MarkedLine(const std::string& text) {
  std::istringstream in(text);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find("# <-") != std::string::npos) return number;
  }
  return -1;
}

}  // namespace edgetrust::daemon::config::testing

#endif  // EDGETRUST_DAEMON_CONFIG_CONFIG_TEST_UTIL_H_
