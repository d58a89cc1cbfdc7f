#!/usr/bin/env bash
# test-demo.sh BUILD_DIR: runs demo.sh on the binaries of BUILD_DIR (no set-up) and checks what
# its summary claims, from summary.json and the printed summary: two devices, one with its
# manufacturer's EK certificate and one with the factory's; both enrolled with a certificate
# that openssl verifies against the service CA and that names the device; the service's audit
# log shows a successful attestation; the deployment is healthy with both modules running; the
# PCR event log replays to the TPM's PCR; the rollback floor is the deployed version; and the
# logs the summary points at exist. The ctest `demo_end_to_end` runs it (CI runs the suite).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:?usage: test-demo.sh BUILD_DIR}" && pwd)
logs="$build/demo-test-logs"
out="$build/demo-test.out"
rm -rf "$logs"  # this test's own directory in the build tree
EDGETRUST_BUILD_DIR=$build EDGETRUST_DEMO_LOGS=$logs "$root/scripts/demo.sh" --no-setup \
  >"$out" 2>&1 || { cat "$out"; echo "test-demo: demo.sh failed" >&2; exit 1; }
summary="$logs/summary.json"
check() {  # check DESCRIPTION JQ-EXPRESSION: the expression must be true of summary.json
  if ! jq -e "$2" "$summary" >/dev/null; then
    echo "test-demo: FAILED: $1" >&2
    jq . "$summary" >&2
    exit 1
  fi
  echo "ok: $1"
}
check "two devices" '.devices | length == 2'
check "EK certificates: A from its manufacturer, B issued at the station" \
  '[.devices[].ek_certificate] == ["present", "issued"]'
check "both enrolled" 'all(.devices[]; .state == "enrolled")'
check "certificates verified by openssl, naming the device, not expired" \
  'all(.devices[]; .certificate.verified and .certificate.subject == "CN=" + .registration_id
     and (.certificate.not_after | fromdateiso8601) > now)'
check "attestation: the service's audit log has a successful complete" \
  'all(.devices[]; any(.attestation[]; .action == "complete" and .outcome == "ok"))'
check "no refusal in the audit log" 'all(.devices[].attestation[]; .outcome == "ok")'
check "deployment healthy" \
  'all(.devices[]; .deployment == {id: "demo-fleet", version: 1, state: "healthy", health: "healthy"})'
check "two modules running on each" \
  'all(.devices[]; [.modules[] | select(.state == "running" and .pid > 0) | .name] | sort
     == ["sleeper", "ticker"])'
check "event log replays to the TPM's PCR 15" \
  'all(.devices[]; .event_log.match and .event_log.pcr == 15 and .event_log.entries >= 4
     and .event_log.replayed == .event_log.tpm and (.event_log.tpm | length) == 64)'
check "rollback floor at the deployed version" 'all(.devices[]; .rollback_floor == 1)'
for file in enrolld.log audit.jsonl station-records.jsonl summary.txt \
    device-A/edgetrustd.log device-A/gate-events.log device-B/module-logs/ticker.log; do
  [ -s "$logs/$file" ] || { echo "test-demo: FAILED: no $logs/$file" >&2; exit 1; }
done
echo "ok: logs kept in $logs"
grep -q "^== summary" "$out" && grep -c ": MATCH;" "$out" | grep -qx 2 ||
  { echo "test-demo: FAILED: the printed summary" >&2; cat "$out" >&2; exit 1; }
echo "ok: summary printed"
# shellcheck source=/dev/null
source "$logs/run.env"  # work=<the run's temporary directory>, pids="<every process it started>"
[ -n "$work" ] && [ ! -e "$work" ] ||
  { echo "test-demo: FAILED: work directory '$work' left behind" >&2; exit 1; }
for pid in $pids; do
  # Alive and still the demo's (a recycled pid would neither name nor sit in the work dir).
  if kill -0 "$pid" 2>/dev/null && { tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$work" ||
      [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$work"* ]]; }; then
    echo "test-demo: FAILED: process $pid of the demo still runs" >&2
    exit 1
  fi
done
[ "$(echo "$pids" | wc -w)" -ge 9 ] ||  # 2 swtpms, the service, 2 daemons, 2 agents, 4 modules
  { echo "test-demo: FAILED: run.env lists too few processes: $pids" >&2; exit 1; }
echo "ok: cleaned up (work directory removed, none of the $(echo "$pids" | wc -w) processes left)"
