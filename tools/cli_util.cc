#include "tools/cli_util.h"

#include <cstdio>
#include <cstdlib>

#include "common/file.h"

namespace edgetrust::tools {

int ReportError(std::string_view context, const Error& error) {
  std::fprintf(stderr, "edgetrust: %.*s: %s\n", static_cast<int>(context.size()), context.data(),
               error.ToString().c_str());
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

Status WriteOutput(const std::string& path, ByteView data) {
  return WriteFileAtomic(path, data, 0644);
}

std::string DefaultTcti() {
  for (const char* name : {"EDGETRUST_TCTI", "TPM2TOOLS_TCTI"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "";
}

}  // namespace edgetrust::tools
