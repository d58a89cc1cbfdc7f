// StationProfile: what a factory provisioning station knows about its line, read from a strict
// TOML file (docs/factory-station.md has every key). Relative paths in the file are resolved
// against the file's directory, so a profile and its certificates travel together.
//
//   [service]      operator_url, device_url, ca_bundle: the enrollment service
//   [station]      the station's operator credential: certificate + key in PKCS#11, and
//                  software_tpm (test rigs only: swtpm TCTIs allowed, tcti_policy.h)
//   [enrollment]   ek_algorithm, register, pcr_policy_id, tags for every device
//   [ek_ca]        optional: the factory CA that issues EK certificates when a TPM has none
//   [bundle]       what the device's configuration bundle says (config.toml, trust roots)
//
// Errors: kInvalidArgument "config.invalid" / "config.syntax" naming "<file>:<line>: <key>",
// file errors as common/file.h. Pure apart from reading the file; thread-safe.
#ifndef EDGETRUST_TOOLS_FACTORY_STATION_PROFILE_H_
#define EDGETRUST_TOOLS_FACTORY_STATION_PROFILE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/templates.h"
#include "certs/pkcs11_signer.h"
#include "common/error.h"

namespace edgetrust::factory {

struct EkCaProfile {
  certs::Pkcs11Config key;  // same module as the station; pin_file defaults to the station's
  std::string certificate;  // PEM: the factory CA certificate (then its issuers, if any)
  std::chrono::seconds lifetime{std::chrono::hours(24 * 365 * 20)};
};

// BundlePrincipal becomes a [[local_api.principals]] table of the device's config.toml.
struct BundlePrincipal {
  std::string name;
  int64_t uid = 0;
  std::vector<std::string> endpoints;
};

struct BundleProfile {
  std::string out_dir;      // where bundles are written: <out_dir>/<registration id>/
  std::string install_dir;  // where the bundle lives on the device; "" = the bundle directory
  // Path values may use "{install_dir}"; device_tcti "station" means the TCTI the station used
  // (test rigs, where the station's TPM connection is the device's).
  std::string device_tcti = "device:/dev/tpmrm0";
  std::string state_dir = "/var/lib/edgetrust";
  std::string socket = "/run/edgetrust/edgetrustd.sock";
  std::optional<std::string> manifest_roots;  // PEM; with it the bundle enables the [gate]
  std::string staging_dir = "/var/lib/edgetrust-gate/staging";
  std::string store_dir = "/var/lib/edgetrust-gate/store";
  std::vector<BundlePrincipal> principals;
  // image_root (command line only, one device): write the bundle into a mounted device image
  // at <image_root><install_dir> instead of <out_dir>/<registration id>.
  std::string image_root;

  // BundleDir is where the bundle of `registration_id` is written.
  std::string BundleDir(const std::string& registration_id) const {
    return image_root.empty() ? out_dir + "/" + registration_id : image_root + install_dir;
  }
};

struct StationProfile {
  std::string source;  // the profile's path, for messages
  std::string operator_url;
  std::string device_url;
  std::string ca_bundle;
  certs::Pkcs11Config operator_key;
  std::string operator_certificate;
  bool software_tpm = false;  // swtpm/mssim TCTIs allowed (test rigs; tcti_policy.h)
  attestation::EkType ek_type = attestation::EkType::kRsa2048;
  std::string ek_algorithm() const { return std::string(attestation::GetEkProfile(ek_type).name); }
  bool register_individual = true;  // false: the fleet enrolls by group (factory CA)
  std::string pcr_policy_id;        // "" = none
  std::vector<std::string> tags;
  std::optional<EkCaProfile> ek_ca;
  BundleProfile bundle;
};

Result<StationProfile> ParseStationProfile(std::string_view text, const std::string& path);
Result<StationProfile> LoadStationProfile(const std::string& path);

}  // namespace edgetrust::factory

#endif  // EDGETRUST_TOOLS_FACTORY_STATION_PROFILE_H_
