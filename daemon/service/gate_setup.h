// OpenGate builds the module gate from the [gate] table: the trust policy from the pinned roots
// and CRL files, the verifier, and the gate's state under <state_dir>/gate. Errors name the
// file that did not load ("gate.trust_roots", "gate.crl") or are the gate's own.
#ifndef EDGETRUST_DAEMON_SERVICE_GATE_SETUP_H_
#define EDGETRUST_DAEMON_SERVICE_GATE_SETUP_H_

#include <memory>

#include "common/error.h"
#include "daemon/config/config.h"
#include "daemon/gate/gate.h"

namespace edgetrust::daemon::service {

Result<std::unique_ptr<gate::Gate>> OpenGate(const config::DaemonConfig& config);

}  // namespace edgetrust::daemon::service

#endif  // EDGETRUST_DAEMON_SERVICE_GATE_SETUP_H_
