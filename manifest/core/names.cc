#include "manifest/core/names.h"

#include <algorithm>

#include "manifest/core/manifest_schema.h"

namespace edgetrust::manifest::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsLower(c) || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsOneOf(char c, std::string_view set) { return set.find(c) != std::string_view::npos; }

// Matches first-character class, then rest-character class, length 1..max_bytes.
template <typename First, typename Rest>
bool Matches(std::string_view s, size_t max_bytes, First first, Rest rest) {
  if (s.empty() || s.size() > max_bytes || !first(s.front())) return false;
  return std::all_of(s.begin() + 1, s.end(), rest);
}

}  // namespace

bool IsDeploymentId(std::string_view s) {
  return Matches(s, kMaxDeploymentIdBytes, IsAlnum,
                 [](char c) { return IsAlnum(c) || IsOneOf(c, "._-"); });
}

bool IsDeviceId(std::string_view s) {
  auto allowed = [](char c) { return IsAlnum(c) || IsOneOf(c, "._:-"); };
  return Matches(
      s, kMaxDeviceIdBytes, [&](char c) { return allowed(c) && c != '.' && c != '-'; }, allowed);
}

bool IsTag(std::string_view s) {
  auto allowed = [](char c) { return IsAlnum(c) || IsOneOf(c, "._-"); };
  return Matches(s, kMaxTagBytes, allowed, allowed);
}

bool IsModuleName(std::string_view s) {
  return Matches(s, kMaxModuleNameBytes, IsAlnum,
                 [](char c) { return IsAlnum(c) || IsOneOf(c, "_-"); });
}

bool IsEnvName(std::string_view s) {
  return Matches(
      s, kMaxEnvNameBytes, [](char c) { return IsAlpha(c) || c == '_'; },
      [](char c) { return IsAlnum(c) || c == '_'; });
}

bool IsRepository(std::string_view s) {
  auto lower_alnum = [](char c) { return IsLower(c) || IsDigit(c); };
  if (!Matches(s, kMaxRepositoryBytes, lower_alnum,
               [&](char c) { return lower_alnum(c) || IsOneOf(c, "._/:-"); })) {
    return false;
  }
  return s.find("..") == std::string_view::npos && s.find("//") == std::string_view::npos;
}

}  // namespace edgetrust::manifest::internal
