// The device's configuration bundle: what the station leaves for the device image.
//
//   config.toml          edgetrustd's configuration (docs/daemon-config.md): the device TCTI,
//                        the service URL, the registration id the station enrolled, the EK
//                        profile, the local API, and a [gate] when the profile names manifest
//                        roots; paths point into the install directory
//   ca-bundle.pem        the CA(s) anchoring the service's TLS certificate
//   manifest-roots.pem   the pinned manifest-signing roots (only with a [gate])
//
// RenderBundle checks its own config.toml with the daemon's parser (ParseDaemonConfig), so the
// station never writes a configuration the daemon would refuse: kInvalidArgument
// "factory.bad_bundle" with the daemon's message. WriteBundle is idempotent: files already
// holding the same bytes are left alone. Files are 0644, directories 0755 (nothing in a bundle
// is secret; the daemon refuses a group- or world-writable config).
#ifndef EDGETRUST_TOOLS_FACTORY_BUNDLE_H_
#define EDGETRUST_TOOLS_FACTORY_BUNDLE_H_

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"
#include "tools/factory/station_profile.h"

namespace edgetrust::factory {

struct BundleInput {
  std::string registration_id;
  std::string station_tcti;       // what the station used (for device_tcti = "station")
  std::vector<std::string> tags;  // profile tags plus the device's own
  std::string bundle_dir;         // where the files are written (absolute)
  std::string ca_bundle_pem;
  std::string manifest_roots_pem;  // empty without a [gate]
};

struct BundleFile {
  std::string name;
  std::string content;
};

Result<std::vector<BundleFile>> RenderBundle(const BundleProfile& profile,
                                             const std::string& device_url,
                                             const std::string& ek_algorithm,
                                             const BundleInput& input);

// CreateDirectories makes `dir` and its missing parents 0755 whatever the process umask (a
// group-writable bundle directory would let others swap config.toml). Directories that already
// exist are left alone. Errors: kUnavailable "file.mkdir".
Status CreateDirectories(const std::filesystem::path& dir);

enum class BundleWrite { kWritten, kUnchanged, kUpdated };
const char* BundleWriteName(BundleWrite w);  // "written", "unchanged", "updated"

// WriteBundle writes each file atomically into `dir` (created 0755 with its parents):
// kWritten when none existed, kUnchanged when all held the same bytes, kUpdated otherwise.
Result<BundleWrite> WriteBundle(const std::string& dir, const std::vector<BundleFile>& files);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_BUNDLE_H_
