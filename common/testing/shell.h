// Shell helpers for tests that drive independent tools (openssl, tpm2-tools, pkcs11-tool, curl,
// our own CLIs) as oracles. TEST ONLY: never linked into a product binary.
#ifndef EDGETRUST_COMMON_TESTING_SHELL_H_
#define EDGETRUST_COMMON_TESTING_SHELL_H_

#include <string>

namespace edgetrust::test_util {

struct CommandResult {
  int exit_code = -1;  // -1 when the command could not be run or died of a signal
  std::string output;  // standard output and standard error, interleaved
};

// RunCommand runs `command` with /bin/sh and captures its output.
CommandResult RunCommand(const std::string& command);

// ShellQuote quotes `arg` for /bin/sh (single quotes, embedded quotes escaped).
std::string ShellQuote(const std::string& arg);

}  // namespace edgetrust::test_util

#endif  // EDGETRUST_COMMON_TESTING_SHELL_H_
