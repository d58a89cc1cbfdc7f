// Manifest is a parsed deployment manifest (docs/manifest.md, docs/manifest.schema.json): what
// a device should run, modelled on the IoT Edge deployment manifest, plus the freshness fields
// the module gate checks (deploymentId, version, issuedAt, expiresAt, target).
//
// A Manifest only comes out of ParseManifest (manifest_parser.h), and a manifest the gate may
// act on only out of ManifestVerifier::Verify (manifest/jws/verifier.h), which parses exactly the
// bytes the signatures cover. Plain values; thread-safe to share once built.
#ifndef EDGETRUST_MANIFEST_CORE_MANIFEST_H_
#define EDGETRUST_MANIFEST_CORE_MANIFEST_H_

#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace edgetrust::manifest {

// ImageRef pins an image by content: "registry.example.com/sensor@sha256:<64 hex>" and size.
struct ImageRef {
  std::string repository;         // the part before '@'
  Bytes sha256;                   // 32 bytes
  uint64_t size = 0;              // bytes; the image stream is cut at this length
  std::string DigestHex() const;  // lower-case hex of sha256
};

enum class RestartPolicy { kNever, kOnFailure, kOnUnhealthy, kAlways };
enum class ModuleStatus { kRunning, kStopped };

struct Module {
  std::string name;  // allow-listed: [A-Za-z0-9][A-Za-z0-9_-]{0,63}
  ImageRef image;
  std::string create_options;  // the createOptions object, compact JSON ("{}" when absent)
  std::map<std::string, std::string> env;
  RestartPolicy restart_policy = RestartPolicy::kAlways;
  uint32_t startup_order = 0;
  ModuleStatus status = ModuleStatus::kRunning;
};

// Target: the manifest applies to a device whose id is listed or that has one of the tags.
// At least one of the two lists is non-empty.
struct Target {
  std::vector<std::string> device_ids;
  std::vector<std::string> tags;
};

struct Manifest {
  std::string schema_version;  // "1.0"
  std::string deployment_id;
  uint64_t version = 0;  // monotonic per fleet; the gate's rollback floor compares it
  std::time_t issued_at = 0;
  std::time_t expires_at = 0;
  Target target;
  std::vector<Module> modules;                // in startup order, then by name
  std::map<std::string, std::string> routes;  // route name -> route expression
  uint32_t store_and_forward_ttl_secs = 7200;
};

}  // namespace edgetrust::manifest

#endif  // EDGETRUST_MANIFEST_CORE_MANIFEST_H_
