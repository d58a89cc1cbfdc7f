// The `edgetrust tpm ...` diagnostics: read-mostly views of a device's TPM for operators and
// for interoperability tests against tpm2-tools.
#ifndef EDGETRUST_TOOLS_TPM_COMMANDS_H_
#define EDGETRUST_TOOLS_TPM_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace edgetrust::tools {

// Each Add* registers one subcommand on `tpm`; the subcommand stores its exit code in `*rc`.
void AddTpmInfo(CLI::App& tpm, int* rc);
void AddTpmEk(CLI::App& tpm, int* rc);
void AddTpmQuote(CLI::App& tpm, int* rc);
void AddTpmEnroll(CLI::App& tpm, int* rc);

}  // namespace edgetrust::tools

#endif  // EDGETRUST_TOOLS_TPM_COMMANDS_H_
