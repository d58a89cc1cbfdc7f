// A record of the TPM commands a process sends, for tests and benchmarks that must count them
// (e.g. "a warm boot sends at most 8 commands and no CreatePrimary").
//
// CommandLogTcti is a TCTI of our own that sits between ESAPI and the real TCTI: its transmit
// reads the command code from the 10-byte command header (tag, size, code), counts the
// command, appends its name to the log file when there is one, and hands the command to the
// inner TCTI unchanged. receive, cancel, getPollHandles, setLocality and makeSticky are
// forwarded as they are. Only command codes are recorded, never handles, parameters,
// authorizations or responses: the log holds nothing secret.
//
// Tpm::Open always routes its TCTI through one (the cost is a 10-byte parse per command) and
// logs to the file named by EDGETRUST_TPM_COMMAND_LOG when that variable is set; see tpm.h.
#ifndef EDGETRUST_ATTESTATION_COMMAND_LOG_H_
#define EDGETRUST_ATTESTATION_COMMAND_LOG_H_

#include <tss2/tss2_tcti.h>
#include <tss2/tss2_tctildr.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"

namespace edgetrust::attestation {

// kTpmCommandLogEnv names the environment variable that Tpm::Open reads.
inline constexpr char kTpmCommandLogEnv[] = "EDGETRUST_TPM_COMMAND_LOG";

// TctiLdrDeleter finalizes a TCTI made by Tss2_TctiLdr_Initialize (and frees it).
struct TctiLdrDeleter {
  void operator()(TSS2_TCTI_CONTEXT* tcti) const noexcept { Tss2_TctiLdr_Finalize(&tcti); }
};
using TctiLdrPtr = std::unique_ptr<TSS2_TCTI_CONTEXT, TctiLdrDeleter>;

// TpmCommandName returns the TPM 2.0 name of a command code without the "TPM2_CC_" prefix
// ("CreatePrimary", "ReadPublic", "NV_Read"); a code it does not know is "0x%08x".
std::string TpmCommandName(TPM2_CC code);

// CommandLogTcti owns an inner TCTI and records the commands sent through it.
//
// Log file: opened once by Create with O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, mode 0600 (an
// existing file keeps its mode and content). Each command is one line, "<name>\n", written
// with a single write() before the command reaches the inner TCTI, so lines from concurrent
// processes sharing the file never interleave, and a command whose line could not be written
// is not sent at all (transmit returns TSS2_TCTI_RC_IO_ERROR): the log never undercounts. A
// command buffer shorter than its header is refused (TSS2_TCTI_RC_BAD_VALUE) unsent.
// Commands ESAPI resubmits (TPM_RC_RETRY, _YIELDED, _TESTING) are sent, and logged, again.
//
// Ownership: the object owns the inner TCTI from the moment Create is called, also when Create
// fails, and finalizes it exactly once: in the destructor, or earlier if someone calls the
// wrapper's own finalize (after which every call fails with TSS2_TCTI_RC_BAD_CONTEXT). get()
// lends the wrapper's context; the object must outlive every ESYS_CONTEXT using it.
//
// Thread safety: the TCTI functions have the inner TCTI's (none: one thread at a time, like
// Tpm); commands_sent() may be read from any thread.
class CommandLogTcti {
 public:
  // Create wraps `inner`. `log_path` empty: count only, no file. A log file that cannot be
  // opened is kFailedPrecondition "tpm.command_log".
  static Result<std::unique_ptr<CommandLogTcti>> Create(TctiLdrPtr inner,
                                                        const std::string& log_path);

  CommandLogTcti(const CommandLogTcti&) = delete;
  CommandLogTcti& operator=(const CommandLogTcti&) = delete;
  ~CommandLogTcti();

  // get borrows the TCTI context to hand to Esys_Initialize.
  TSS2_TCTI_CONTEXT* get() { return reinterpret_cast<TSS2_TCTI_CONTEXT*>(&context_.common); }
  // commands_sent counts the commands handed to the inner TCTI since Create.
  uint64_t commands_sent() const { return commands_sent_.load(std::memory_order_relaxed); }

 private:
  // Context is what ESAPI sees: the common TCTI header first, then the way back to us.
  struct Context {
    TSS2_TCTI_CONTEXT_COMMON_V2 common;
    CommandLogTcti* self;
  };

  explicit CommandLogTcti(TctiLdrPtr inner);
  static CommandLogTcti* From(TSS2_TCTI_CONTEXT* tcti);
  static TSS2_RC Transmit(TSS2_TCTI_CONTEXT* tcti, size_t size, const uint8_t* command);
  static TSS2_RC Receive(TSS2_TCTI_CONTEXT* tcti, size_t* size, uint8_t* response, int32_t timeout);
  static void Finalize(TSS2_TCTI_CONTEXT* tcti);
  static TSS2_RC Cancel(TSS2_TCTI_CONTEXT* tcti);
  static TSS2_RC GetPollHandles(TSS2_TCTI_CONTEXT* tcti, TSS2_TCTI_POLL_HANDLE* handles,
                                size_t* num_handles);
  static TSS2_RC SetLocality(TSS2_TCTI_CONTEXT* tcti, uint8_t locality);
  static TSS2_RC MakeSticky(TSS2_TCTI_CONTEXT* tcti, TPM2_HANDLE* handle, uint8_t sticky);

  Context context_;
  TctiLdrPtr inner_;
  int log_fd_ = -1;  // -1: no log file
  std::atomic<uint64_t> commands_sent_{0};
};

// ReadTpmCommandLog returns the lines of a command log file in order (the command names).
// Errors: those of ReadFile (kNotFound "file.*" when the file does not exist).
Result<std::vector<std::string>> ReadTpmCommandLog(const std::string& path);

}  // namespace edgetrust::attestation

#endif  // EDGETRUST_ATTESTATION_COMMAND_LOG_H_
