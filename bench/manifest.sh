#!/usr/bin/env bash
# bench/manifest.sh [--iterations N]
#
# The module gate's benchmark (issue 5 §6): builds the release preset (only the targets it
# needs: manifest_verify and image_digest) and runs
#   - bench/manifest_verify: ManifestVerifier::Verify of a signed 32-module manifest (ES256,
#     root -> leaf chain with the root pinned, then root -> intermediate -> leaf), p50/p90/p99
#     in µs, target p50 <= 300 µs; each chain warm (the verifier has seen it: parsed
#     certificates and a chain check still current are re-used, manifest/jws/x5c_cache.h) and
#     cold (a fresh verifier per run: the first Verify of that chain), reported separately;
#   - bench/image_digest on a 1 GiB random file kept under the build directory (made once with
#     `openssl rand`, reused by later runs; its sha256 is cached beside it). The file is read
#     once first so that both sides read from the page cache; nothing is dropped from the
#     cache. Then, in the same run:
#       - VerifyImageStream against `openssl dgst -sha256` on that file, alternating, best of
#         N (3) each: MB/s, the ratio and its verdict (>= 0.9x openssl), and peak RSS
#         (<= 32 MiB);
#       - ImageStore::Import of the file into a scratch store (removed afterwards): wall time
#         and peak RSS (<= 32 MiB) in a process of its own.
#
# Environment: PRESET (release), BUILD_DIR (build/bench-release), VERIFY_ITERATIONS (2000, for
# manifest_verify). Extra arguments go to `image_digest verify`, e.g. bench/manifest.sh
# --iterations 5
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
preset=${PRESET:-release}
build=${BUILD_DIR:-$root/build/bench-release}

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake --preset "$preset" -B "$build" >/dev/null
fi
cmake --build "$build" -j2 --target manifest_verify image_digest
build=$(cd -- "$build" && pwd -P)

# The signed-manifest half first: it needs no image file and takes a few seconds.
"$build/bench/manifest_verify" --iterations "${VERIFY_ITERATIONS:-2000}"
echo

image=$build/bench/image_digest-1GiB.bin
if [[ ! -f "$image" ]]; then
  echo "creating $image (1 GiB of random bytes)"
  openssl rand -out "$image.tmp" $((1 << 30))
  mv -- "$image.tmp" "$image"
fi
if [[ ! -f "$image.sha256" || "$image.sha256" -ot "$image" ]]; then
  openssl dgst -sha256 -r "$image" | cut -d' ' -f1 >"$image.sha256"
fi
sha256=$(cat -- "$image.sha256")

cat -- "$image" >/dev/null  # warm the page cache for both sides

store=$build/bench/image-store
trap 'rm -rf -- "$store"' EXIT
"$build/bench/image_digest" verify --file "$image" --sha256 "$sha256" "$@"
"$build/bench/image_digest" import --file "$image" --sha256 "$sha256" --store "$store"

