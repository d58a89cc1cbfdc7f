// Helpers shared by the edgetrust subcommands: reporting errors and writing output files.
#ifndef EDGETRUST_TOOLS_CLI_UTIL_H_
#define EDGETRUST_TOOLS_CLI_UTIL_H_

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace edgetrust::tools {

// ReportError prints "edgetrust: <context>: <reason>: <message>" to stderr and returns the
// process exit code for it (1; 2 for invalid arguments).
int ReportError(std::string_view context, const Error& error);

// WriteOutput writes `data` to `path` atomically with mode 0644 (public material only).
Status WriteOutput(const std::string& path, ByteView data);

// DefaultTcti is $EDGETRUST_TCTI, else $TPM2TOOLS_TCTI, else empty (Tpm::Open then refuses).
std::string DefaultTcti();

}  // namespace edgetrust::tools

#endif  // EDGETRUST_TOOLS_CLI_UTIL_H_
