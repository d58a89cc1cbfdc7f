// ParseManifest reads a deployment manifest from the exact bytes a signature covers
// (docs/manifest.md; docs/manifest.schema.json is the same contract for other tools).
//
// Strict, and everything is checked before any cryptography looks at the document (THREATS
// M9, M10, M11, M13): at most kMaxManifestSize bytes, valid UTF-8, one JSON object, nesting at
// most kMaxManifestDepth, no duplicate member names (anywhere), no unknown members, every
// number an integer in its documented range, every name from its allow-list (module names,
// env names, route names, tags, device ids), at most kMaxModules modules, every image
// "<repository>@sha256:<64 lower-case hex>" with a size, issuedAt < expiresAt (RFC 3339 UTC).
//
// Errors: kInvalidArgument with a stable reason — "manifest.too_large", "manifest.malformed_json"
// (syntax, invalid UTF-8, duplicate member, nesting), "manifest.unknown_field",
// "manifest.missing_field", "manifest.wrong_type", "manifest.out_of_range",
// "manifest.bad_name", "manifest.bad_image", "manifest.too_many", "manifest.bad_time" — and a
// message naming the JSON path ("modules.sensor.image"). Pure, thread-safe.
#ifndef EDGETRUST_MANIFEST_CORE_MANIFEST_PARSER_H_
#define EDGETRUST_MANIFEST_CORE_MANIFEST_PARSER_H_

#include <cstddef>

#include "common/bytes.h"
#include "common/error.h"
#include "manifest/core/manifest.h"

namespace edgetrust::manifest {

inline constexpr size_t kMaxManifestSize = 256 * 1024;
inline constexpr int kMaxManifestDepth = 16;
inline constexpr size_t kMaxModules = 64;

Result<Manifest> ParseManifest(ByteView payload);

}  // namespace edgetrust::manifest

#endif  // EDGETRUST_MANIFEST_CORE_MANIFEST_PARSER_H_
