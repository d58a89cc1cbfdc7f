// DaemonConfig is edgetrustd's configuration (docs/daemon-config.md), read from TOML in the
// spirit of IoT Edge's config.toml:
//
//   tcti = "device:/dev/tpmrm0"                  # required; tpm2-tools syntax
//   state_dir = "/var/lib/edgetrust"             # key blobs, certificate, state (0700)
//   log_level = "info"                           # debug | info | warning | error
//   [enrollment]
//   service_url = "https://enroll.example.com:8443"   # required
//   ca_bundle = "/etc/edgetrust/service-ca.pem"       # required
//   registration_id = "line7-0042"               # optional; default: the EK digest (hex)
//   ek_algorithm = "rsa2048"                     # rsa2048 | ecc256 | ecc384
//   [keys]
//   attestation = "ecc256"                       # ecc256 | rsa2048
//   identity = "ecc256"
//   [renewal]
//   threshold = 0.8                              # renew at this fraction of the lifetime
//   retry_initial = "1s"                         # backoff: first delay ...
//   retry_max = "5m"                             # ... doubled with jitter up to this cap
//   [local_api]
//   socket = "/run/edgetrust/edgetrustd.sock"    # created 0660
//   [[local_api.principals]]
//   name = "edge-agent"
//   uid = 1000
//   endpoints = ["status", "certificate", "sign"]
//   [gate]                                       # optional: without it deployments are refused
//   trust_roots = "/etc/edgetrust/manifest-roots.pem"   # pinned manifest-signing roots (PEM)
//   crls = ["/etc/edgetrust/manifest-signing.crl"]      # optional, PEM or DER
//   min_signers = 1                              # k of n distinct signer keys
//   signer_eku = "1.3.6.1.5.5.7.3.3"             # EKU every signer certificate must carry
//   staging_dir = "/var/lib/edgetrust-staging"   # image blobs arrive here, named by sha256 hex
//   store_dir = "/var/lib/edgetrust-images"      # content store the agent runs from
//   pcr = 15                                     # 0-15; measured deployments (sha256 bank)
//   nv_index = "0x0100ED6E"                      # owner NV counter: the rollback floor
//   max_version_jump = 100                       # refuse versions further above the floor
//   tags = ["line7", "eu"]                       # this device's tags for manifest targets
//
// Unknown keys are errors (a typo must not silently fall back to a default). Every error is
// kInvalidArgument "config.invalid" whose message names the file, the key and its line
// ("/etc/edgetrust/config.toml:12: renewal.threshold: must be in (0, 1)"); TOML syntax errors
// are "config.syntax" with the parser's line and column; an unreadable file is kNotFound /
// kPermissionDenied "config.read" (see LoadDaemonConfig for the permission checks).
//
// Value rules beyond the types (docs/daemon-config.md): tcti non-empty; state_dir, ca_bundle and
// socket absolute paths (socket shorter than sun_path's 108 bytes); service_url https:// with a
// host and no credentials; no control characters in any string; durations "<n>ms|s|m|h" in
// (0, 24h], retry_initial <= retry_max; threshold in (0, 1); registration_id as
// enrollment::api::ValidRegistrationId; principals: name 1-64 of [A-Za-z0-9._-] and unique, uid
// 0..4294967294 and unique, endpoints non-empty, known and not repeated. A missing key is
// blamed on its table's line (line 1 for top-level keys); array items are named with their
// index ("local_api.principals[1].endpoints[0]"). [gate]: trust_roots, staging_dir and
// store_dir absolute paths (required), crls absolute paths; min_signers 1..8; signer_eku a
// dotted OID; pcr 0..15 (16 and 23 are resettable, 17-22 belong to DRTM); nv_index in the
// owner range 0x01000000..0x013FFFFF, as a "0x..." string or an integer; max_version_jump
// 1..1000; tags as the manifest's tag allow-list ([A-Za-z0-9._-]{1,64}).
// ParseDaemonConfig is pure and thread-safe.
#ifndef EDGETRUST_DAEMON_CONFIG_CONFIG_H_
#define EDGETRUST_DAEMON_CONFIG_CONFIG_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/templates.h"
#include "common/error.h"
#include "common/log.h"
#include "daemon/api/wire.h"

namespace edgetrust::daemon::config {

// Principal: a local uid and the endpoints it may call. Two principals with the same uid are
// a config error; a uid without a principal may call nothing.
struct Principal {
  std::string name;
  uid_t uid = 0;
  std::set<api::Endpoint> endpoints;
};

// GateConfig is the [gate] table; `enabled` is false when the table is absent.
struct GateConfig {
  bool enabled = false;
  std::string trust_roots;
  std::vector<std::string> crls;
  uint32_t min_signers = 1;
  std::string signer_eku = "1.3.6.1.5.5.7.3.3";
  std::string staging_dir;
  std::string store_dir;
  uint32_t pcr = 15;
  uint32_t nv_index = 0x0100ED6E;
  uint64_t max_version_jump = 100;
  std::vector<std::string> tags;
};

struct DaemonConfig {
  std::string tcti;
  std::string state_dir = "/var/lib/edgetrust";
  LogLevel log_level = LogLevel::kInfo;

  std::string service_url;
  std::string ca_bundle;
  std::string registration_id;  // "" = derived from the EK
  attestation::EkType ek_type = attestation::EkType::kRsa2048;

  attestation::KeyAlgorithm ak_algorithm = attestation::KeyAlgorithm::kEccP256;
  attestation::KeyAlgorithm identity_algorithm = attestation::KeyAlgorithm::kEccP256;

  double renew_threshold = 0.8;  // in (0, 1)
  std::chrono::milliseconds retry_initial{1000};
  std::chrono::milliseconds retry_max{300000};  // >= retry_initial

  std::string socket_path = "/run/edgetrust/edgetrustd.sock";
  std::vector<Principal> principals;

  GateConfig gate;
};

// kMaxDaemonConfigSize bounds the text ParseDaemonConfig and LoadDaemonConfig accept
// (kResourceExhausted "config.too_large" beyond it).
inline constexpr size_t kMaxDaemonConfigSize = 1024 * 1024;

// ParseDaemonConfig reads TOML `text`; `source` names it in messages (a path).
Result<DaemonConfig> ParseDaemonConfig(std::string_view text, std::string_view source);

// LoadDaemonConfig reads and parses the file at `path` (at most 1 MiB). The file configures
// whom the device trusts, so before parsing it is refused (kPermissionDenied
// "config.insecure_permissions") when it is not a regular file (a directory, FIFO or device;
// symlinks are followed and their target judged), when it is group- or world-writable, or when
// it is owned by a uid other than root and the calling process's effective uid. Checks use
// fstat on the opened descriptor, so they judge the bytes that are read. Errors of open/read:
// kNotFound (ENOENT, ENOTDIR), kPermissionDenied (EACCES, EPERM), kUnavailable otherwise, all
// "config.read".
Result<DaemonConfig> LoadDaemonConfig(const std::string& path);

}  // namespace edgetrust::daemon::config

#endif  // EDGETRUST_DAEMON_CONFIG_CONFIG_H_
