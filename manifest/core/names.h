// The allow-lists of names in a manifest (THREATS M10): a name is checked against the
// characters it may contain, never against the ones it may not, so "../x", "a/b", "", NUL,
// spaces and non-ASCII letters all fall outside. ASCII only, independent of the locale.
// Internal to manifest/core.
#ifndef EDGETRUST_MANIFEST_CORE_NAMES_H_
#define EDGETRUST_MANIFEST_CORE_NAMES_H_

#include <string_view>

namespace edgetrust::manifest::internal {

// [A-Za-z0-9][A-Za-z0-9._-]{0,127}
bool IsDeploymentId(std::string_view s);
// [A-Za-z0-9._:-]{1,128}, not starting with '.' or '-' (a DPS registration id)
bool IsDeviceId(std::string_view s);
// [A-Za-z0-9._-]{1,64}
bool IsTag(std::string_view s);
// [A-Za-z0-9][A-Za-z0-9_-]{0,63}; module names and route names
bool IsModuleName(std::string_view s);
// [A-Za-z_][A-Za-z0-9_]{0,127}
bool IsEnvName(std::string_view s);
// [a-z0-9][a-z0-9._/:-]{0,254}, without ".." or "//"
bool IsRepository(std::string_view s);

}  // namespace edgetrust::manifest::internal

#endif  // EDGETRUST_MANIFEST_CORE_NAMES_H_
