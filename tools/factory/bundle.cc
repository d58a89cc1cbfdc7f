#include "tools/factory/bundle.h"

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "common/file.h"
#include "daemon/config/config.h"

namespace edgetrust::factory {
namespace {

// Quote renders a TOML basic string.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", u);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string QuoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + Quote(items[i]);
  return out + "]";
}

// Expand replaces "{install_dir}" in a profile path.
std::string Expand(std::string value, const std::string& install_dir) {
  static constexpr std::string_view kVar = "{install_dir}";
  for (size_t at = value.find(kVar); at != std::string::npos; at = value.find(kVar, at)) {
    value.replace(at, kVar.size(), install_dir);
    at += install_dir.size();
  }
  return value;
}

std::string RenderConfig(const BundleProfile& p, const std::string& device_url,
                         const std::string& ek_algorithm, const BundleInput& in,
                         const std::string& install_dir) {
  const std::string tcti = p.device_tcti == "station" ? in.station_tcti : p.device_tcti;
  std::string t;
  t += "# edgetrustd configuration for " + in.registration_id +
       ", written by the factory station (edgetrust factory provision).\n";
  t += "tcti = " + Quote(tcti) + "\n";
  t += "state_dir = " + Quote(Expand(p.state_dir, install_dir)) + "\n\n";
  t += "[enrollment]\n";
  t += "service_url = " + Quote(device_url) + "\n";
  t += "ca_bundle = " + Quote(install_dir + "/ca-bundle.pem") + "\n";
  t += "registration_id = " + Quote(in.registration_id) + "\n";
  t += "ek_algorithm = " + Quote(ek_algorithm) + "\n\n";
  t += "[local_api]\n";
  t += "socket = " + Quote(Expand(p.socket, install_dir)) + "\n";
  for (const BundlePrincipal& principal : p.principals) {
    t += "\n[[local_api.principals]]\n";
    t += "name = " + Quote(principal.name) + "\n";
    t += "uid = " + std::to_string(principal.uid) + "\n";
    t += "endpoints = " + QuoteList(principal.endpoints) + "\n";
  }
  if (p.manifest_roots) {
    t += "\n[gate]\n";
    t += "trust_roots = " + Quote(install_dir + "/manifest-roots.pem") + "\n";
    t += "staging_dir = " + Quote(Expand(p.staging_dir, install_dir)) + "\n";
    t += "store_dir = " + Quote(Expand(p.store_dir, install_dir)) + "\n";
    if (!in.tags.empty()) t += "tags = " + QuoteList(in.tags) + "\n";
  }
  return t;
}

// SameContent: the file exists and holds exactly `content`.
bool SameContent(const std::string& path, const std::string& content) {
  auto existing = ReadFile(path, content.size() + 1);
  return existing && existing->size() == content.size() &&
         std::equal(existing->begin(), existing->end(), content.begin(),
                    [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); });
}

}  // namespace

Status CreateDirectories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Ok();
  const std::filesystem::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) {
    if (auto ok = CreateDirectories(parent); !ok) return ok;
  }
  if (std::filesystem::create_directory(dir, ec)) {
    std::filesystem::permissions(dir, std::filesystem::perms(0755), ec);
  }
  if (ec) {
    return Fail(ErrorCode::kUnavailable, "file.mkdir",
                "cannot create " + dir.string() + ": " + ec.message());
  }
  return Ok();
}

const char* BundleWriteName(BundleWrite w) {
  switch (w) {
    case BundleWrite::kWritten:
      return "written";
    case BundleWrite::kUnchanged:
      return "unchanged";
    case BundleWrite::kUpdated:
      return "updated";
  }
  return "?";
}

Result<std::vector<BundleFile>> RenderBundle(const BundleProfile& profile,
                                             const std::string& device_url,
                                             const std::string& ek_algorithm,
                                             const BundleInput& input) {
  const std::string install_dir =
      profile.install_dir.empty() ? input.bundle_dir : profile.install_dir;
  std::vector<BundleFile> files;
  files.push_back(
      {"config.toml", RenderConfig(profile, device_url, ek_algorithm, input, install_dir)});
  auto parsed = daemon::config::ParseDaemonConfig(files.back().content, "config.toml");
  if (!parsed) {
    return Fail(ErrorCode::kInvalidArgument, "factory.bad_bundle",
                "the device configuration the profile makes is refused by edgetrustd: " +
                    parsed.error().message);
  }
  files.push_back({"ca-bundle.pem", input.ca_bundle_pem});
  if (profile.manifest_roots) files.push_back({"manifest-roots.pem", input.manifest_roots_pem});
  return files;
}

Result<BundleWrite> WriteBundle(const std::string& dir, const std::vector<BundleFile>& files) {
  if (auto ok = CreateDirectories(dir); !ok) return Fail(ok.error());
  std::error_code ec;
  size_t existed = 0;
  size_t changed = 0;
  for (const BundleFile& file : files) {
    const std::string path = dir + "/" + file.name;
    if (SameContent(path, file.content)) continue;
    if (std::filesystem::exists(path, ec)) ++existed;
    ++changed;
    if (auto ok = WriteFileAtomic(path, AsBytes(file.content), 0644); !ok) return Fail(ok.error());
  }
  if (changed == 0) return BundleWrite::kUnchanged;
  return existed == 0 && changed == files.size() ? BundleWrite::kWritten : BundleWrite::kUpdated;
}

}  // namespace edgetrust::factory
