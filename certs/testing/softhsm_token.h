// SoftHsmToken: a private SoftHSM2 token for one test, in its own temporary directory.
//
// FOR TESTS ONLY (edgetrust::certs_testing). Create writes <tmp>/softhsm2.conf pointing at
// <tmp>/tokens, sets SOFTHSM2_CONF in this process's environment (SoftHSM reads it when the
// module is initialised, so create the token BEFORE opening any PKCS#11 signer; subprocesses
// such as pkcs11-tool inherit it), initialises a token with `softhsm2-util --init-token --free`
// and writes the user PIN to <tmp>/pin (0600) for PinSource::Kind::kFile. SoftHSM assigns random
// slot ids, so everything selects the token by label. The destructor unsets SOFTHSM2_CONF and
// removes the directory; every PKCS#11 signer must be closed by then. One SoftHsmToken per
// process at a time (the environment variable is process-wide). Not thread-safe.
#ifndef EDGETRUST_CERTS_TESTING_SOFTHSM_TOKEN_H_
#define EDGETRUST_CERTS_TESTING_SOFTHSM_TOKEN_H_

#include <memory>
#include <string>

#include "certs/pkcs11_signer.h"
#include "common/error.h"
#include "common/testing/shell.h"

namespace edgetrust::certs::testing {

inline constexpr char kSoftHsmModule[] = "/usr/lib/softhsm/libsofthsm2.so";

// The shell oracles (common/testing/shell.h), under the names the certs tests use.
using ShellResult = test_util::CommandResult;
using test_util::ShellQuote;
inline ShellResult RunShell(const std::string& command) { return test_util::RunCommand(command); }

class SoftHsmToken {
 public:
  // Create makes the directory, config and token. Errors: kUnavailable "softhsm.setup" with
  // the softhsm2-util output in the message.
  static Result<std::unique_ptr<SoftHsmToken>> Create(const std::string& label = "edgetrust-test",
                                                      const std::string& pin = "1234");
  ~SoftHsmToken();
  SoftHsmToken(const SoftHsmToken&) = delete;
  SoftHsmToken& operator=(const SoftHsmToken&) = delete;

  // AddToken initialises another token (same PIN and SO PIN) in the same configuration.
  Status AddToken(const std::string& label) const;

  const std::string& dir() const { return dir_; }
  const std::string& conf_path() const { return conf_path_; }
  std::string module_path() const { return kSoftHsmModule; }
  const std::string& token_label() const { return label_; }
  const std::string& pin() const { return pin_; }
  // pin_file holds the PIN without a newline, mode 0600.
  const std::string& pin_file() const { return pin_file_; }

  // KeyUri is "pkcs11:token=<label>;object=<key_label>;type=private" (percent-encoded).
  std::string KeyUri(const std::string& key_label) const;
  // ConfigFor is the Pkcs11Config for `key_label` in this token, PIN from pin_file().
  Pkcs11Config ConfigFor(const std::string& key_label) const;
  // Pkcs11ToolArgs is "--module <m> --token-label <l> --login --pin <p>" (shell-quoted), for
  // `pkcs11-tool` command lines.
  std::string Pkcs11ToolArgs() const;

 private:
  SoftHsmToken(std::string dir, std::string label, std::string pin);

  std::string dir_;
  std::string conf_path_;
  std::string label_;
  std::string pin_;
  std::string pin_file_;
};

}  // namespace edgetrust::certs::testing

#endif  // EDGETRUST_CERTS_TESTING_SOFTHSM_TOKEN_H_
