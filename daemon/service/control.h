// Control is what the daemon's local API can ask of the daemon core (daemon/service): the
// transport (daemon/server) authorizes the caller, parses the request, calls one of these and
// renders the answer. Implemented by service::Daemon; tests of the transport use a fake.
//
// Thread-safe: the server calls from its I/O thread while the core runs its own thread.
// Errors are values with stable reasons; the transport maps codes to HTTP statuses with
// HttpStatusFor (enrollment/api) and never forwards Error::message verbatim.
#ifndef EDGETRUST_DAEMON_SERVICE_CONTROL_H_
#define EDGETRUST_DAEMON_SERVICE_CONTROL_H_

#include <string>
#include <string_view>

#include "common/error.h"
#include "daemon/api/deployment_wire.h"
#include "daemon/api/wire.h"

namespace edgetrust::daemon::service {

class Control {
 public:
  virtual ~Control() = default;

  // Status is a snapshot of the state machine; never fails.
  virtual api::StatusResponse Status() const = 0;

  // CertificateChainPem: the device certificate followed by its CA chain, PEM.
  // kNotFound "daemon.no_certificate" before the first enrollment or after a reset;
  // kFailedPrecondition "daemon.certificate_expired" when the stored one is no longer valid.
  virtual Result<std::string> CertificateChainPem() const = 0;

  // Sign signs `request.digest` with the identity key inside the TPM.
  // kInvalidArgument "signer.digest_size"; kUnavailable "tpm.*" when the TPM is unreachable
  // and "daemon.no_identity" while the keys do not exist yet (first boot, reset) or the TPM
  // is being reopened.
  virtual Result<api::SignResponse> Sign(const api::SignRequest& request) = 0;

  // Reenroll drops any backoff and starts a fresh enrollment at once (state `enrolling`; the
  // current certificate stays usable until a new one is stored). Returns the status right
  // after the request was queued.
  virtual Result<api::StatusResponse> Reenroll() = 0;

  // FactoryReset deletes the daemon's key blobs, evicts the persistent handles it created,
  // wipes its certificate and state, then starts over as on a first boot (new keys,
  // enrollment). Blocks until the wipe is done (up to 2 minutes; then kUnavailable
  // "daemon.busy": the reset stays queued and still runs); returns the status after it.
  virtual Result<api::StatusResponse> FactoryReset() = 0;

  // The module gate (daemon/gate/gate.h has the full contract and reasons).
  // SubmitDeployment verifies a signed deployment as one unit (signatures, target, expiry,
  // rollback floor and jump bound, every image from the staging directory into the store),
  // extends the PCR, and makes it the pending deployment.
  virtual Result<api::GateStatus> SubmitDeployment(std::string_view jws_json) = 0;
  // CurrentDeployment: the pending deployment if any, else the last healthy one;
  // kNotFound "gate.no_deployment" when there is neither. Not const: the first call after a
  // start may have to reconcile the gate with the TPM first.
  virtual Result<api::DeploymentPlan> CurrentDeployment() = 0;
  // ReportDeployment records the agent's verdict on the pending deployment `deployment_id`
  // at `report.version`: healthy raises the TPM floor to its version, failed returns to the
  // last healthy deployment. kFailedPrecondition "gate.not_pending" when that is not the
  // pending deployment.
  virtual Result<api::GateStatus> ReportDeployment(std::string_view deployment_id, bool healthy,
                                                   const api::HealthReport& report) = 0;
};

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_CONTROL_H_
