#!/usr/bin/env bash
# test.sh [--asan] [ctest args...]: set up, build and run the whole test suite (unit tests and
# the swtpm tests, each against private software TPMs). With --asan, the same suite runs in the
# AddressSanitizer + UndefinedBehaviorSanitizer build as well.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
presets=(dev)
if [ "${1:-}" = "--asan" ]; then
  presets+=(asan)
  shift
fi
for preset in "${presets[@]}"; do
  "$root/scripts/setup.sh" "$preset"
  echo "== ctest ($preset)"
  (cd "$root" && ctest --preset "$preset" "$@")
done
