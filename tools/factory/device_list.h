// The batch file of `edgetrust factory provision --batch`: one device per line, CSV (RFC 4180
// quoting, since TCTIs contain commas), columns
//   tcti[,tags[,serial]]
// tcti printable ASCII, tags separated by ';' (added to the profile's), serial a free label for
// the factory's MES (printable ASCII, at most 128 bytes); every field at most 1024 bytes. Blank
// lines and lines starting with '#' are skipped; a first line "tcti,tags,serial" (or a prefix of
// it) is a header. The same TCTI twice is an error: two workers must never talk to one TPM.
//
// Errors: kInvalidArgument "batch.invalid" "<file>:<line>: <what>". Pure, thread-safe.
#ifndef EDGETRUST_TOOLS_FACTORY_DEVICE_LIST_H_
#define EDGETRUST_TOOLS_FACTORY_DEVICE_LIST_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace edgetrust::factory {

struct DeviceLine {
  int line = 0;  // 1-based line in the batch file (0 for --tcti)
  std::string tcti;
  std::vector<std::string> tags;
  std::string serial;
};

Result<std::vector<DeviceLine>> ParseDeviceList(std::string_view text, std::string_view source);
Result<std::vector<DeviceLine>> LoadDeviceList(const std::string& path);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_DEVICE_LIST_H_
