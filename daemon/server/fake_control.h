// FakeControl: a scripted service::Control for the transport's tests. TEST ONLY.
// Thread-safe (the server calls it from its worker threads while the test adjusts it).
#ifndef EDGETRUST_DAEMON_SERVER_FAKE_CONTROL_H_
#define EDGETRUST_DAEMON_SERVER_FAKE_CONTROL_H_

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/service/control.h"

namespace edgetrust::daemon::server::testing {

inline constexpr const char* kFakeChainPem =
    "-----BEGIN CERTIFICATE-----\nMIIBdevice\n-----END CERTIFICATE-----\n"
    "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";

// SampleStatus is an enrolled device with every optional member set.
inline api::StatusResponse SampleStatus() {
  api::StatusResponse s;
  s.state = api::DeviceState::kEnrolled;
  s.registration_id = "line7-0042";
  s.device_id = "dev-5f1c";
  s.certificate = api::CertificateInfo{"0a1b2c", "CN=line7-0042,O=edgetrust",
                                       "2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z"};
  s.renew_after = "2026-10-01T00:00:00Z";
  s.last_error = "service.unreachable";
  s.failed_attempts = 2;
  s.next_attempt_in_ms = 4000;
  return s;
}

class FakeControl : public service::Control {
 public:
  api::StatusResponse Status() const override {
    std::lock_guard lock(mu_);
    return status_;
  }
  Result<std::string> CertificateChainPem() const override {
    std::lock_guard lock(mu_);
    return chain_;
  }
  Result<api::SignResponse> Sign(const api::SignRequest& request) override {
    std::lock_guard lock(mu_);
    last_digest_ = request.digest;
    if (request.digest.size() != 32) {
      return Fail(ErrorCode::kInvalidArgument, "signer.digest_size",
                  "digest is " + std::to_string(request.digest.size()) + " bytes");
    }
    return sign_;
  }
  Result<api::StatusResponse> Reenroll() override {
    std::lock_guard lock(mu_);
    ++reenrolls_;
    if (!action_result_) return Fail(action_result_.error());
    return status_;
  }
  Result<api::StatusResponse> FactoryReset() override {
    std::lock_guard lock(mu_);
    ++resets_;
    if (!action_result_) return Fail(action_result_.error());
    return status_;
  }

  Result<api::GateStatus> SubmitDeployment(std::string_view jws_json) override {
    std::lock_guard lock(mu_);
    last_jws_ = std::string(jws_json);
    if (!deploy_result_) return Fail(deploy_result_.error());
    return api::GateStatus{plan_, floor_};
  }
  Result<api::DeploymentPlan> CurrentDeployment() override {
    std::lock_guard lock(mu_);
    if (!plan_) return Fail(ErrorCode::kNotFound, "gate.no_deployment", "no deployment");
    return *plan_;
  }
  Result<api::GateStatus> ReportDeployment(std::string_view deployment_id, bool healthy,
                                           const api::HealthReport& report) override {
    std::lock_guard lock(mu_);
    if (!plan_ || plan_->deployment_id != deployment_id || plan_->version != report.version ||
        plan_->state != api::DeploymentState::kPending) {
      return Fail(ErrorCode::kFailedPrecondition, "gate.not_pending", "not the pending one");
    }
    reports_.push_back((healthy ? "healthy " : "failed ") + std::string(deployment_id));
    if (healthy) {
      plan_->state = api::DeploymentState::kHealthy;
      floor_ = plan_->version;
    } else {
      plan_ = last_good_;
    }
    return api::GateStatus{plan_, floor_};
  }

  // The gate's side: the plan served (nullopt: none), the healthy plan a failure returns
  // to, the floor, and what SubmitDeployment answers.
  void set_plan(std::optional<api::DeploymentPlan> plan,
                std::optional<api::DeploymentPlan> last_good = std::nullopt) {
    std::lock_guard lock(mu_);
    plan_ = std::move(plan);
    last_good_ = std::move(last_good);
  }
  void set_deploy_result(edgetrust::Status result) {
    std::lock_guard lock(mu_);
    deploy_result_ = std::move(result);
  }
  std::optional<api::DeploymentPlan> plan() const {
    std::lock_guard lock(mu_);
    return plan_;
  }
  std::vector<std::string> reports() const {
    std::lock_guard lock(mu_);
    return reports_;
  }
  std::string last_jws() const {
    std::lock_guard lock(mu_);
    return last_jws_;
  }

  void set_status(api::StatusResponse s) {
    std::lock_guard lock(mu_);
    status_ = std::move(s);
  }
  void set_chain(Result<std::string> chain) {
    std::lock_guard lock(mu_);
    chain_ = std::move(chain);
  }
  void set_sign(Result<api::SignResponse> sign) {
    std::lock_guard lock(mu_);
    sign_ = std::move(sign);
  }
  void set_action_result(edgetrust::Status result) {
    std::lock_guard lock(mu_);
    action_result_ = std::move(result);
  }
  int reenrolls() const {
    std::lock_guard lock(mu_);
    return reenrolls_;
  }
  int resets() const {
    std::lock_guard lock(mu_);
    return resets_;
  }
  Bytes last_digest() const {
    std::lock_guard lock(mu_);
    return last_digest_;
  }

 private:
  mutable std::mutex mu_;
  api::StatusResponse status_ = SampleStatus();
  Result<std::string> chain_ = std::string(kFakeChainPem);
  Result<api::SignResponse> sign_ = api::SignResponse{"ES256", Bytes{0x30, 0x06, 1, 2, 3, 4}};
  edgetrust::Status action_result_ = Ok();
  int reenrolls_ = 0;
  int resets_ = 0;
  Bytes last_digest_;
  std::optional<api::DeploymentPlan> plan_;
  std::optional<api::DeploymentPlan> last_good_;
  uint64_t floor_ = 1;
  edgetrust::Status deploy_result_ = Ok();
  std::vector<std::string> reports_;
  std::string last_jws_;
};

}  // namespace edgetrust::daemon::server::testing

#endif  // EDGETRUST_DAEMON_SERVER_FAKE_CONTROL_H_
