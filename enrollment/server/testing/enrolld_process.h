// EnrolldProcess (TEST ONLY) runs a real edgetrust-enrolld child for end-to-end tests.
//
// Start makes a private temp directory with (make-enrolld-env.sh): a fresh SoftHSM2 token
// "edgetrust" holding the device CA key ("device-ca") and the TLS server key ("tls"), a
// self-signed device CA certificate (ca.pem), a server certificate for 127.0.0.1/localhost
// issued by it (tls-chain.pem), an operator CA with an operator client certificate and key
// (software, test-only), and an unrelated CA with a client certificate (for THREATS E17). It
// then picks two free loopback ports, writes enrolld.toml (SQLite store and audit log in the
// temp dir), starts the child with SOFTHSM2_CONF pointing at the private token, and returns
// once the child printed "edgetrust-enrolld: ready".
//
// The child is killed when the EnrolldProcess is destroyed (and on test-process death, via
// PR_SET_PDEATHSIG); the temp dir is removed. Restart() stops (SIGTERM) and starts the child
// again on the same ports, token, store and audit log. Not thread-safe.
//
// Typical use:
//   auto enrolld = EnrolldProcess::Start();
//   ASSERT_TRUE(enrolld) << enrolld.error().ToString();
//   curl --cacert (*enrolld)->ca_bundle_path() (*enrolld)->device_url() + "/healthz"
//   curl --cacert ... --cert operator_client_cert_path() --key operator_client_key_path()
//        (*enrolld)->operator_url() + "/v1/operator/devices"
#ifndef EDGETRUST_ENROLLMENT_SERVER_TESTING_ENROLLD_PROCESS_H_
#define EDGETRUST_ENROLLMENT_SERVER_TESTING_ENROLLD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"

namespace edgetrust::enrollment::server::testing {

struct EnrolldOptions {
  // Extra lines for the [options] table of enrolld.toml, e.g. "challenge_ttl = \"2s\"\n".
  std::string options_toml;
  // Log level of the child ("debug", "info", ...).
  std::string log_level = "info";
  // How long Start/Restart wait for the ready line.
  std::chrono::milliseconds ready_timeout{20000};
  // Path of edgetrust-enrolld; "" = $EDGETRUST_ENROLLD, else the one built with this tree.
  std::string binary;
};

class EnrolldProcess {
 public:
  // Errors: kUnavailable "enrolld.setup" (token/certificate setup failed),
  // "enrolld.start" (the child exited or did not get ready in time; the message carries the
  // tail of its output).
  static Result<std::unique_ptr<EnrolldProcess>> Start(EnrolldOptions options = {});
  ~EnrolldProcess();
  EnrolldProcess(const EnrolldProcess&) = delete;
  EnrolldProcess& operator=(const EnrolldProcess&) = delete;

  // "https://127.0.0.1:<port>", no trailing slash.
  const std::string& device_url() const { return device_url_; }
  const std::string& operator_url() const { return operator_url_; }
  uint16_t device_port() const { return device_port_; }
  uint16_t operator_port() const { return operator_port_; }

  // PEM of the device CA: trust anchor for both listeners' server certificates and the
  // issuer of device certificates (what GET /v1/ca serves).
  std::string ca_bundle_path() const { return dir_ + "/ca.pem"; }
  std::string operator_ca_path() const { return dir_ + "/operator-ca.pem"; }
  std::string operator_client_cert_path() const { return dir_ + "/operator.pem"; }
  std::string operator_client_key_path() const { return dir_ + "/operator.key"; }
  // A client certificate from a CA the service does not trust.
  std::string untrusted_client_cert_path() const { return dir_ + "/untrusted.pem"; }
  std::string untrusted_client_key_path() const { return dir_ + "/untrusted.key"; }

  const std::string& dir() const { return dir_; }
  std::string config_path() const { return dir_ + "/enrolld.toml"; }
  std::string store_path() const { return dir_ + "/registry.db"; }
  std::string audit_log_path() const { return dir_ + "/audit.jsonl"; }
  std::string output_path() const { return dir_ + "/enrolld.out"; }
  // The token: SOFTHSM2_CONF, module path and user PIN (test-only) for tests that want to
  // use the CA key themselves (e.g. with certs::OpenPkcs11Signer).
  std::string softhsm_conf_path() const { return dir_ + "/softhsm2.conf"; }
  std::string pin_path() const { return dir_ + "/hsm.pin"; }
  static constexpr const char* kPkcs11Module = "/usr/lib/softhsm/libsofthsm2.so";
  static constexpr const char* kCaKeyUri = "pkcs11:token=edgetrust;object=device-ca;type=private";
  static constexpr const char* kTlsKeyUri = "pkcs11:token=edgetrust;object=tls;type=private";

  // Output (stdout + stderr) of the child since the first start.
  std::string output() const;
  pid_t pid() const;
  bool running();

  // Stop sends SIGTERM and waits up to 10 s; kInternal "enrolld.exit" when it did not exit
  // with status 0 (then SIGKILL).
  Status Stop();
  // Restart = Stop + start on the same ports, token, store and audit log.
  Status Restart();

 private:
  struct State;
  explicit EnrolldProcess(std::unique_ptr<State> state);
  Status PickPortsAndWriteConfig();
  Status Launch();

  std::unique_ptr<State> state_;
  std::string dir_;
  std::string device_url_, operator_url_;
  uint16_t device_port_ = 0, operator_port_ = 0;
};

}  // namespace edgetrust::enrollment::server::testing

#endif  // EDGETRUST_ENROLLMENT_SERVER_TESTING_ENROLLD_PROCESS_H_
