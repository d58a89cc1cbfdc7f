// Name rules the station checks before anything reaches a TPM, the service or a bundle.
#ifndef EDGETRUST_TOOLS_FACTORY_NAMES_H_
#define EDGETRUST_TOOLS_FACTORY_NAMES_H_

#include <string_view>

namespace edgetrust::factory {

// IsValidTag: [A-Za-z0-9._-]{1,64}, the rule of the daemon's [gate] tags and manifest targets.
inline bool IsValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 64) return false;
  for (char c : tag) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_NAMES_H_
