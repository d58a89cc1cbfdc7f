// SwtpmProcess runs one private software TPM 2.0 (swtpm) for tests and demos.
//
// Start() manufactures a fresh TPM state in a new private temporary directory (make-tpm-state.sh:
// SHA-256 PCR bank; RSA-2048 EK at 0x81010001 with its certificate at NV 0x01c00002 and ECC
// P-384 EK at 0x81010016 with its certificate at NV 0x01c00016, both signed by a throw-away
// "TPM manufacturer" CA), then runs `swtpm socket --tpm2` as a child process on 127.0.0.1 with
// `--flags not-need-init,startup-clear`, and returns once the TPM answers a TPM2_GetRandom.
// Global swtpm configuration and state (/etc/swtpm*, /var/lib/swtpm-localca, ~/.config) are
// never read or written.
//
// Ownership: the object owns the swtpm child, its port pair and the temporary directory
// (state, CA when private, logs). The destructor stops swtpm (SIGTERM, SIGKILL after 5 s),
// reaps it and removes the directory. swtpm also gets SIGKILL if the thread that started it
// dies (PR_SET_PDEATHSIG), so a crashed test leaves nothing running: call Start() and
// Restart() from a thread that outlives the object (the test's main thread).
//
// Ports: P (commands, the TCTI's port) and P+1 (control) are reserved by this process for the
// object's lifetime (see port_pair.h), so parallel tests never clash and Restart() reuses them.
//
// Thread safety: none; one SwtpmProcess per thread of use. Distinct objects are independent.
// The TPM has no resource manager: only one client should talk to it at a time, and clients
// must flush their transient objects (swtpm has three slots).
//
// Errors (all Error::reason values are stable):
//   swtpm.tool_missing   kNotFound            swtpm or bash is not in PATH
//   swtpm.temp_dir       kUnavailable         the temporary directory could not be made
//   swtpm.ca_failed      kFailedPrecondition  the manufacturer CA could not be created/used
//   swtpm.setup_failed   kFailedPrecondition  swtpm_setup failed (message: output tail)
//   swtpm.no_ports       kResourceExhausted   no free port pair
//   swtpm.start_failed   kUnavailable         swtpm exited or did not answer within 5 s
//                                             (message: tail of swtpm's log)
//   swtpm.spawn_failed / swtpm.exec_failed    fork/exec of a helper failed
#ifndef EDGETRUST_SWTPM_SWTPM_PROCESS_H_
#define EDGETRUST_SWTPM_SWTPM_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "swtpm/child_process.h"
#include "swtpm/port_pair.h"
#include "swtpm/temp_dir.h"

namespace edgetrust::swtpm {

struct SwtpmOptions {
  // ca_dir holds the manufacturer CA (created there if missing, which needs a writable path).
  // Empty: $EDGETRUST_MANUFACTURER_CA_DIR if set (the CTest fixture `manufacturer_ca` sets it),
  // else a private CA inside the temporary directory (adds about 1 s).
  std::string ca_dir;
  // with_ek_certs = false still creates and persists both EKs but no certificates, and uses
  // no CA at all; the CA paths are then empty.
  bool with_ek_certs = true;
};

class SwtpmProcess {
 public:
  // Start manufactures a TPM and runs swtpm; see the file comment. Takes about 1 s.
  static Result<std::unique_ptr<SwtpmProcess>> Start(const SwtpmOptions& options = {});

  SwtpmProcess(const SwtpmProcess&) = delete;
  SwtpmProcess& operator=(const SwtpmProcess&) = delete;
  ~SwtpmProcess();

  // tcti is the TCTI configuration string: "swtpm:host=127.0.0.1,port=P".
  const std::string& tcti() const { return tcti_; }
  uint16_t command_port() const { return ports_.command_port(); }
  // ca_bundle_path is a PEM file with the manufacturer root followed by the intermediate
  // that signed the EK certificates; root_ca_path and intermediate_ca_path are the two parts.
  // All three are empty when with_ek_certs was false.
  std::string ca_bundle_path() const;
  std::string root_ca_path() const;
  std::string intermediate_ca_path() const;
  // state_dir is swtpm's state directory (also holds swtpm.log); removed by the destructor.
  const std::string& state_dir() const { return state_dir_; }
  // pid of the running swtpm, -1 while stopped.
  pid_t pid() const { return child_ ? child_->pid() : -1; }

  // Stop stops swtpm (SIGTERM, SIGKILL after 5 s) and keeps the state. Idempotent.
  Status Stop();
  // Restart stops swtpm and starts a new one on the same ports and state, so the TCTI string
  // stays valid. The TPM sees TPM2_Startup(CLEAR): PCRs reset; NV indices and persistent
  // handles survive. Errors: swtpm.start_failed.
  Status Restart();

 private:
  SwtpmProcess(TempDir temp_dir, PortPair ports, std::string ca_dir, std::string swtpm_path);
  // Launch spawns swtpm on ports_ and waits until it answers.
  Status Launch();

  TempDir temp_dir_;
  PortPair ports_;
  std::string ca_dir_;  // empty without EK certificates
  std::string swtpm_path_;
  std::string state_dir_;
  std::string tcti_;
  std::optional<ChildProcess> child_;
};

}  // namespace edgetrust::swtpm

#endif  // EDGETRUST_SWTPM_SWTPM_PROCESS_H_
