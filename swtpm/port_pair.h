// PortPair holds TCP port P (TPM commands) and P+1 (swtpm control) on 127.0.0.1 for one swtpm
// (internal to edgetrust_swtpm).
//
// swtpm 0.7.1 accepts an inherited *listening* socket only for its control channel
// (`--ctrl type=tcp,fd=N`); `--server type=tcp,fd=N` expects an already connected socket. So:
//   - P+1 is a listening socket that we own and hand to every swtpm incarnation (ctrl_fd()).
//     A listening socket excludes every other bind of P+1, SO_REUSEADDR or not.
//   - P is held by a bound, non-listening socket with SO_REUSEADDR: swtpm (which also sets
//     SO_REUSEADDR) can bind and listen on P, nobody without SO_REUSEADDR can bind it, and
//     nobody at all can while swtpm listens. Another PortPair can never pick an overlapping
//     pair: its P' = P-1 needs P to listen, its P' = P+1 conflicts with our listener.
// The only window left is a third-party process binding P with SO_REUSEADDR while no swtpm
// listens; swtpm then fails to bind ("Address already in use") and SwtpmProcess retries.
//
// Move-only; the sockets close when it is destroyed. Not thread-safe.
#ifndef EDGETRUST_SWTPM_PORT_PAIR_H_
#define EDGETRUST_SWTPM_PORT_PAIR_H_

#include <cstdint>

#include "common/error.h"
#include "common/unique_fd.h"

namespace edgetrust::swtpm {

class PortPair {
 public:
  // Reserve picks P at random in [20000, 60000) and retries on EADDRINUSE (up to 100 times).
  // Errors: kResourceExhausted "swtpm.no_ports", kUnavailable "swtpm.socket".
  static Result<PortPair> Reserve();

  uint16_t command_port() const { return port_; }
  uint16_t ctrl_port() const { return static_cast<uint16_t>(port_ + 1); }
  // ctrl_fd borrows the listening control socket (close-on-exec is set).
  int ctrl_fd() const { return ctrl_.get(); }

 private:
  PortPair(uint16_t port, UniqueFd command, UniqueFd ctrl)
      : port_(port), command_(std::move(command)), ctrl_(std::move(ctrl)) {}

  uint16_t port_;
  UniqueFd command_;  // bound, not listening: keeps P for swtpm
  UniqueFd ctrl_;     // listening on P+1, inherited by swtpm
};

}  // namespace edgetrust::swtpm

#endif  // EDGETRUST_SWTPM_PORT_PAIR_H_
