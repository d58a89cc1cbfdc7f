// The members and limits of the manifest format (docs/manifest.md), in one place: the parser
// reads them from here and manifest_docs_test.cc checks docs/manifest.schema.json against them,
// so the published schema and the parser cannot drift apart. Internal to manifest/core.
#ifndef EDGETRUST_MANIFEST_CORE_MANIFEST_SCHEMA_H_
#define EDGETRUST_MANIFEST_CORE_MANIFEST_SCHEMA_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edgetrust::manifest::internal {

inline constexpr std::string_view kSchemaVersion = "1.0";

// Members of each object; the first `k...Required` of each list are required.
inline constexpr std::array<std::string_view, 9> kManifestMembers = {
    "schemaVersion", "deploymentId", "version", "issuedAt",       "expiresAt",
    "target",        "modules",      "routes",  "storeAndForward"};
inline constexpr size_t kManifestRequired = 7;
inline constexpr std::array<std::string_view, 2> kTargetMembers = {"deviceIds", "tags"};
inline constexpr std::array<std::string_view, 7> kModuleMembers = {
    "image", "imageSize", "createOptions", "env", "restartPolicy", "startupOrder", "status"};
inline constexpr size_t kModuleRequired = 2;
inline constexpr std::array<std::string_view, 1> kStoreAndForwardMembers = {"timeToLiveSecs"};

inline constexpr uint64_t kMaxVersion = (uint64_t{1} << 53) - 1;
inline constexpr size_t kMaxDeploymentIdBytes = 128;
inline constexpr size_t kMaxTargetEntries = 1024;
inline constexpr size_t kMaxDeviceIdBytes = 128;
inline constexpr size_t kMaxTagBytes = 64;
inline constexpr size_t kMaxModuleNameBytes = 64;
inline constexpr size_t kMaxRepositoryBytes = 255;
inline constexpr uint64_t kMaxImageSize = uint64_t{1} << 40;
inline constexpr size_t kMaxCreateOptionsBytes = 16 * 1024;  // compact JSON
inline constexpr size_t kMaxEnvEntries = 128;
inline constexpr size_t kMaxEnvNameBytes = 128;
inline constexpr size_t kMaxEnvValueBytes = 4096;
inline constexpr uint64_t kMaxStartupOrder = 1000;
inline constexpr size_t kMaxRoutes = 128;
inline constexpr size_t kMaxRouteExpressionBytes = 1024;
inline constexpr uint64_t kMaxTimeToLiveSecs = (uint64_t{1} << 31) - 1;

}  // namespace edgetrust::manifest::internal

#endif  // EDGETRUST_MANIFEST_CORE_MANIFEST_SCHEMA_H_
