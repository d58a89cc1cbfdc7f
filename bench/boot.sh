#!/usr/bin/env bash
# bench/boot.sh [daemon_boot options...]
#
# edgetrustd's boot benchmark (issue 4 §5). Builds the release preset (only the targets it
# needs: edgetrustd, edgetrust-enrolld, daemon_boot) and runs bench/daemon_boot, which starts
# edgetrust-enrolld (SoftHSM CA, SQLite) on loopback, registers the swtpm manufacturer group,
# and for each iteration boots a real edgetrustd twice on a fresh swtpm: cold (empty state ->
# certificate stored) and warm (same state -> enrolled). It prints spawn -> enrolled wall time
# (p50, max), the TPM commands each boot sent (EDGETRUST_TPM_COMMAND_LOG), the command
# histograms and a PASS/FAIL line per target: cold <= 1.5 s, warm <= 100 ms, warm <= 8 TPM
# commands, no CreatePrimary on a warm boot.
#
# Environment: PRESET (release), BUILD_DIR (build/bench-release), EDGETRUST_MANUFACTURER_CA_DIR
# (a swtpm manufacturer CA shared by every swtpm; default: a fresh one in a temporary directory,
# removed at exit). Extra arguments go to daemon_boot, e.g.
#   bench/boot.sh --iterations 10 --poll-ms 1
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
preset=${PRESET:-release}
build=${BUILD_DIR:-$root/build/bench-release}

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake --preset "$preset" -B "$build" >/dev/null
fi
cmake --build "$build" -j2 --target edgetrustd edgetrust-enrolld daemon_boot
build=$(cd -- "$build" && pwd -P)

ca_tmp=""
cleanup() { if [[ -n "$ca_tmp" ]]; then rm -rf -- "$ca_tmp"; fi; }
trap cleanup EXIT
if [[ -z "${EDGETRUST_MANUFACTURER_CA_DIR:-}" ]]; then
  # The directory must not exist yet: SwtpmProcess creates the CA there on first use.
  ca_tmp=$(mktemp -d "${TMPDIR:-/tmp}/edgetrust-boot-ca.XXXXXX")
  export EDGETRUST_MANUFACTURER_CA_DIR=$ca_tmp/ca
fi

"$build/bench/daemon_boot" "$@"
