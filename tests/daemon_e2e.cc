#include "tests/daemon_e2e.h"

#include <fstream>
#include <sstream>

#include "certs/certificate.h"

namespace edgetrust::e2e {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

void DaemonE2eTest::SetUp() {
  EnrollmentE2eTest::SetUp();
  ASSERT_TRUE(EnsureSwtpmGroup());
  auto tpm = swtpm::SwtpmProcess::Start();
  ASSERT_TRUE(tpm) << tpm.error().ToString();
  tpm_ = std::move(*tpm);
}

DaemonOptions DaemonE2eTest::OptionsFor(const swtpm::SwtpmProcess& tpm,
                                        server::testing::EnrolldProcess* service) const {
  server::testing::EnrolldProcess& svc = service != nullptr ? *service : enrolld();
  DaemonOptions options;
  options.tcti = tpm.tcti();
  options.service_url = svc.device_url();
  options.ca_bundle = svc.ca_bundle_path();
  return options;
}

std::unique_ptr<DaemonProcess> DaemonE2eTest::StartDaemon(DaemonOptions options) {
  auto daemon = DaemonProcess::Start(std::move(options));
  EXPECT_TRUE(daemon) << daemon.error().ToString();
  return daemon ? std::move(*daemon) : nullptr;
}

daemon::api::StatusResponse DaemonE2eTest::Enrolled(const DaemonProcess& daemon) {
  auto status = daemon.WaitForState(DeviceState::kEnrolled, 30s);
  EXPECT_TRUE(status) << status.error().ToString();
  return status ? *status : daemon::api::StatusResponse{};
}

::testing::AssertionResult DaemonE2eTest::RegisterGroup(server::testing::EnrolldProcess& service) {
  std::ifstream in(ManufacturerBundlePath());
  std::stringstream pem;
  pem << in.rdbuf();
  nlohmann::json body{{"group_id", "swtpm-manufacturer"}, {"manufacturer_ca_pem", pem.str()}};
  OperatorAnswer a = Operator("POST", "/v1/operator/enrollments/groups", body.dump(), &service);
  if (a.status / 100 != 2 && a.status != 409) {
    return ::testing::AssertionFailure() << "group: HTTP " << a.status << " " << a.body << a.output;
  }
  return ::testing::AssertionSuccess();
}

std::string DaemonE2eTest::LeafSerial(const std::string& chain_pem) {
  auto leaf = certs::Certificate::FromPem(chain_pem);
  return leaf ? leaf->SerialHex() : "";
}

std::string DaemonE2eTest::LeafPublicKeyPem(const std::string& chain_pem) {
  auto leaf = certs::Certificate::FromPem(chain_pem);
  if (!leaf) return "";
  auto key = leaf->public_key();
  if (!key) return "";
  auto pem = key->ToPem();
  return pem ? *pem : "";
}

std::string DaemonE2eTest::DaemonLog(const DaemonProcess& daemon) {
  std::ifstream in(daemon.output_path());
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.find("local_api: uid=") == std::string::npos) out += line + "\n";
  }
  return out;
}

}  // namespace edgetrust::e2e
