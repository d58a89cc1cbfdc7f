#!/usr/bin/env bash
# demo.sh [--no-setup]: from the factory floor to running modules, on this machine.
#
# Installs and builds (scripts/setup.sh; --no-setup skips it and uses $EDGETRUST_BUILD_DIR,
# default build/dev), then: two devices come off the line as private swtpms, one with its
# manufacturer's EK certificate and one without; the enrollment service starts (device CA key
# in SoftHSM, SQLite registry); the factory station (`edgetrust factory provision`, its operator
# key and factory EK CA in its own SoftHSM token) issues the missing EK certificate into the
# TPM's NV, registers both devices and writes their configuration bundles; each device boots
# edgetrustd from its bundle and enrolls (credential activation, quote, TPM-resident key); CI/CD
# signs a deployment of two modules, each daemon's gate verifies and measures it, and
# edgetrust-agent runs the modules from the verified store. The summary names each device, its
# certificate, the service's attestation verdicts, the PCR event log replayed against the TPM,
# and the modules that ran; it is also written as summary.json next to the logs, which are kept
# in $EDGETRUST_DEMO_LOGS (default build/demo-logs). Everything else lives in a temporary
# directory removed at the end; every process is stopped whatever happens.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${EDGETRUST_BUILD_DIR:-$root/build/dev}
logs=${EDGETRUST_DEMO_LOGS:-$root/build/demo-logs}
[ "${1:-}" = --no-setup ] || "$root/scripts/setup.sh" dev >/dev/null
edgetrust="$build/tools/edgetrust"
enrolld="$build/enrollment/server/edgetrust-enrolld"
edgetrustd="$build/daemon/edgetrustd"
agent="$build/daemon/agent/edgetrust-agent"
command -v jq >/dev/null || { echo "demo.sh: needs jq (apt-get install jq)" >&2; exit 1; }
# The logs directory is replaced at every run: only one this script made (it has the marker).
marker=.edgetrust-demo-logs
if [ -e "$logs" ] && [ ! -e "$logs/$marker" ] && [ -n "$(ls -A "$logs" 2>/dev/null)" ]; then
  echo "demo.sh: $logs exists and is not a demo logs directory; set EDGETRUST_DEMO_LOGS" >&2
  exit 1
fi
t0=$(date +%s%N)

# Short: each device's socket lives under it, and a socket path holds at most 96 bytes.
work=$(mktemp -d /tmp/etdemo.XXXXXX)
enrolld_pid=""
daemon_pids=()
agent_pids=()
# cleanup runs every step whatever fails (no errexit here) and keeps the demo's exit status.
cleanup() {
  local rc=$? pid
  set +e
  for pid in "${agent_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  # Modules an agent left behind (it stops them itself): process group leaders running in $work.
  for pid in $(cat "$work"/b/*/agent/agent-status.json 2>/dev/null | jq -r '.modules[].pid'); do
    [[ "$pid" -gt 0 && "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$work/"* ]] &&
      kill -- "-$pid" 2>/dev/null
  done
  for pid in "${daemon_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [ -n "$enrolld_pid" ]; then kill "$enrolld_pid" 2>/dev/null; wait "$enrolld_pid" 2>/dev/null; fi
  for tpm in "$work/tpm-A" "$work/tpm-B"; do "$root/swtpm/stop-swtpm.sh" "$tpm" >/dev/null 2>&1; done
  save_logs
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
# fail MESSAGE [FILE]: print MESSAGE (and FILE, the evidence) to stderr and stop the demo.
fail() {
  echo "demo: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then sed 's/^/   /' "$2" >&2; echo >&2; fi
  exit 1
}
# save_logs copies the logs (never keys or state) to $logs, replacing an earlier run's, and
# records in run.env what this run used (work directory, process ids) for test-demo.sh to
# check that nothing is left behind.
save_logs() {
  rm -rf "$logs" && mkdir -p "$logs" && touch "$logs/$marker" || return
  printf 'work=%s\npids="%s"\n' "$work" "$all_pids" >"$logs/run.env"
  cp "$work"/service/{enrolld.log,audit.jsonl} "$logs/" 2>/dev/null
  cp "$work/b/records.jsonl" "$logs/station-records.jsonl" 2>/dev/null
  cp "$work"/summary.{txt,json} "$logs/" 2>/dev/null
  local i dir
  for i in "${!names[@]}"; do
    dir=${bundles[$i]:-}
    [ -n "$dir" ] || continue
    mkdir -p "$logs/device-${names[$i]}"
    cp "$dir/edgetrustd.log" "$dir/agent.log" "$dir/config.toml" "$logs/device-${names[$i]}/" \
      2>/dev/null
    cp "$dir/state/gate/events.log" "$logs/device-${names[$i]}/gate-events.log" 2>/dev/null
    cp "$dir/agent/agent-status.json" "$logs/device-${names[$i]}/" 2>/dev/null
    cp -r "$dir/agent/logs" "$logs/device-${names[$i]}/module-logs" 2>/dev/null
  done
}
# elapsed: seconds since the demo started (after the build), one decimal.
elapsed() {
  local ms=$((($(date +%s%N) - t0) / 1000000))
  printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100))
}
names=(A B)
bundles=()
all_pids=""  # every process this run started, for run.env

echo "== 1. two devices come off the line: private swtpms"
for i in 0 1; do
  tpm="$work/tpm-${names[$i]}"
  if [ "$i" = 1 ]; then  # device B's TPM maker shipped no EK certificate
    bash "$root/swtpm/make-tpm-state.sh" --no-ek-certs "$tpm" >"$work/tpm-B.log" 2>&1 ||
      fail "could not manufacture device B's TPM" "$work/tpm-B.log"
  fi
  "$root/swtpm/start-swtpm.sh" --state-dir "$tpm" --ca-dir "$work/manufacturer-ca" \
    >"$tpm.env" 2>>"$work/tpm-${names[$i]}.log" || fail "swtpm did not start" "$work/tpm-${names[$i]}.log"
  tctis[$i]=$(sed -n 's/^EDGETRUST_TCTI=//p' "$tpm.env")
  all_pids+=" $(sed -n 's/^EDGETRUST_SWTPM_PID=//p' "$tpm.env")"
done
echo "   device A: ${tctis[0]}, EK certificate from its TPM manufacturer"
echo "   device B: ${tctis[1]}, no EK certificate"

echo
echo "== 2. the cloud: enrollment service, device CA key in SoftHSM, SQLite registry"
# shellcheck source-path=SCRIPTDIR source=demo/service.sh
source "$root/scripts/demo/service.sh"
svc="$work/service"
start_enrollment_service "$svc" || fail "the enrollment service did not start"
all_pids+=" $enrolld_pid"
echo "   device API https://127.0.0.1:$device_port, operator API https://127.0.0.1:$operator_port" \
  "(mutual TLS)"

echo
echo "== 3. CI/CD's manifest-signing PKI (throw-away; production keys stay in an HSM)"
# shellcheck source-path=SCRIPTDIR source=demo/signing.sh
source "$root/scripts/demo/signing.sh"
pki="$work/pki"
make_signing_pki "$pki"
echo "   root $(openssl x509 -in "$pki/root.pem" -noout -subject | sed 's/^subject=//')," \
  "signer $(openssl x509 -in "$pki/signer.pem" -noout -subject | sed 's/^subject=//')"

echo
echo "== 4. the factory station provisions both devices (edgetrust factory provision)"
station="$work/station"
"$root/tools/factory/testing/make-station-env.sh" "$svc" "$station" >/dev/null ||
  fail "could not make the station's token"
cat >"$station/station.toml" <<EOF
# The station's profile: its service, its operator credential and factory EK CA (both keys in
# the station's token), what every device gets, and what its bundle says.
[service]
operator_url = "https://127.0.0.1:$operator_port"
device_url = "https://127.0.0.1:$device_port"
ca_bundle = "$svc/ca.pem"

[station]
operator_key_uri = "pkcs11:token=factory;object=station;type=private"
pin_file = "station.pin"
operator_certificate = "station.pem"
software_tpm = true                      # a test rig: the devices are swtpms

[enrollment]
ek_algorithm = "rsa2048"
tags = ["demo-line"]

[ek_ca]
key_uri = "pkcs11:token=factory;object=factory-ca;type=private"
certificate = "factory-ca.pem"

[bundle]
out_dir = "$work/b"
device_tcti = "station"
state_dir = "{install_dir}/state"
socket = "{install_dir}/api.sock"
manifest_roots = "$pki/root.pem"
staging_dir = "{install_dir}/staging"
store_dir = "{install_dir}/store"

[[bundle.principals]]
name = "demo-operator"
uid = $(id -u)
endpoints = ["status", "certificate", "deploy", "plan", "report-health"]
EOF
printf 'tcti,tags,serial\n"%s",rack-1,SN-A-0001\n"%s",rack-2,SN-B-0002\n' \
  "${tctis[0]}" "${tctis[1]}" >"$station/devices.csv"
SOFTHSM2_CONF="$station/softhsm2.conf" "$edgetrust" factory provision \
  --profile "$station/station.toml" --batch "$station/devices.csv" >"$work/station.out" \
  2>"$work/station.err" || fail "the station failed" "$work/station.err"
sed 's/^/   /' "$work/station.err"
sed 's/^/   /' "$work/station.out"
for i in 0 1; do
  record=$(jq -c --arg t "${tctis[$i]}" 'select(.tcti == $t)' "$work/b/records.jsonl")
  ids[$i]=$(jq -r .registration_id <<<"$record")
  ek_sources[$i]=$(jq -r .ek_certificate <<<"$record")
  bundles[$i]=$(jq -r .bundle_dir <<<"$record")
  serials[$i]=$(jq -r .serial <<<"$record")
done
echo "   bundle of device A: $(cd "${bundles[0]}" && ls | paste -sd ' ')"

echo
echo "== 5. each device boots edgetrustd from its bundle and enrolls by itself"
for i in 0 1; do
  mkdir -p "${bundles[$i]}/staging"
  "$edgetrustd" --config "${bundles[$i]}/config.toml" >"${bundles[$i]}/edgetrustd.log" 2>&1 &
  daemon_pids[$i]=$!
  all_pids+=" ${daemon_pids[$i]}"
done
for i in 0 1; do
  socket="${bundles[$i]}/api.sock"
  for _ in $(seq 400); do
    "$edgetrust" device status --json --socket "$socket" 2>/dev/null | grep -q '"enrolled"' && break
    kill -0 "${daemon_pids[$i]}" 2>/dev/null ||
      fail "edgetrustd of device ${names[$i]} stopped" "${bundles[$i]}/edgetrustd.log"
    sleep 0.05
  done
  curl -sS --unix-socket "$socket" http://localhost/status >"$work/status-$i.json"
  [ "$(jq -r .state "$work/status-$i.json")" = enrolled ] ||
    fail "device ${names[$i]} did not enroll" "${bundles[$i]}/edgetrustd.log"
  echo "   device ${names[$i]}: enrolled, $(jq -r '.certificate.subject' "$work/status-$i.json")"
done

echo
echo "== 6. a deployment of two modules for tag demo-line: signed, verified, submitted to both"
ticker_dir "$work/src/ticker" "release 1"
pack_image ticker "$work/src/ticker" "$work/images"
ticker_sha256=$image_sha256 ticker_size=$image_size
sleeper_dir "$work/src/sleeper"
pack_image sleeper "$work/src/sleeper" "$work/images"
sleeper_sha256=$image_sha256 sleeper_size=$image_size
cat >"$work/manifest.json" <<EOF
{
  "schemaVersion": "1.0",
  "deploymentId": "demo-fleet",
  "version": 1,
  "issuedAt": "$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)",
  "expiresAt": "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)",
  "target": {"tags": ["demo-line"]},
  "modules": {
    "ticker": {"image": "demo.example/ticker@sha256:$ticker_sha256", "imageSize": $ticker_size,
               "env": {"GREETING": "hello from the demo fleet"}, "restartPolicy": "always",
               "startupOrder": 0},
    "sleeper": {"image": "demo.example/sleeper@sha256:$sleeper_sha256",
                "imageSize": $sleeper_size, "restartPolicy": "on-failure", "startupOrder": 10}
  }
}
EOF
"$edgetrust" manifest sign --manifest "$work/manifest.json" --cert "$pki/signer.pem" \
  --key-file "$pki/signer.key" --out "$work/deployment.jws" >"$work/sign.log" 2>&1 ||
  fail "manifest sign failed" "$work/sign.log"
"$edgetrust" manifest verify --jws "$work/deployment.jws" --roots "$pki/root.pem" \
  --tag demo-line --json >"$work/verify.json" 2>&1 ||
  fail "manifest verify refused it" "$work/verify.json"
jq -r '"   edgetrust manifest verify: valid, \(.deploymentId) v\(.version), " +
  "\(.modules | length) modules, signed by \(.signers | map(.subject) | join(", "))"' \
  "$work/verify.json"
for i in 0 1; do
  cp "$work/images/ticker.tar" "${bundles[$i]}/staging/$ticker_sha256"
  cp "$work/images/sleeper.tar" "${bundles[$i]}/staging/$sleeper_sha256"
  code=$(curl -sS --unix-socket "${bundles[$i]}/api.sock" -o "$work/answer-$i.json" \
    -w '%{http_code}' -X POST --data-binary @"$work/deployment.jws" http://localhost/deployments)
  [ "$code" = 200 ] || fail "device ${names[$i]} refused the deployment (HTTP $code)" \
    "$work/answer-$i.json"
  echo "   device ${names[$i]}: HTTP 200, $(jq -r '.current | "\(.deployment_id) v\(.version) \(.state)"' \
    "$work/answer-$i.json"), images copied into its store and measured into PCR 15"
done

echo
echo "== 7. edgetrust-agent on each device runs the modules from the verified store"
# The smoke test runs from $work: --smoke-test is split on spaces, and the checkout may have some.
cp "$root/scripts/demo/smoke-test.sh" "$work/smoke-test.sh"
for i in 0 1; do
  "$agent" --work-dir "${bundles[$i]}/agent" --socket "${bundles[$i]}/api.sock" --poll 250ms \
    --smoke-test "$work/smoke-test.sh" --smoke-timeout 10s --log-level warning \
    2>"${bundles[$i]}/agent.log" &
  agent_pids[$i]=$!
  all_pids+=" ${agent_pids[$i]}"
done
for i in 0 1; do
  status="${bundles[$i]}/agent/agent-status.json"
  for _ in $(seq 300); do
    [ "$(jq -r '"\(.health) \(.state)"' "$status" 2>/dev/null)" = "healthy healthy" ] && break
    kill -0 "${agent_pids[$i]}" 2>/dev/null || fail "the agent of device ${names[$i]} stopped" \
      "${bundles[$i]}/agent.log"
    sleep 0.1
  done
  [ "$(jq -r .health "$status")" = healthy ] ||
    fail "device ${names[$i]}'s deployment did not become healthy" "${bundles[$i]}/agent.log"
  cp "$status" "$work/agent-$i.json"
  "$edgetrust" device certificate --socket "${bundles[$i]}/api.sock" --out "$work/chain-$i.pem" \
    >/dev/null
  jq -r '.modules[] | "\(.name) \(.state) pid \(.pid)"' "$status" | paste -sd ',' |
    sed "s/,/, /g; s/^/   device ${names[$i]}: healthy; /"
done

echo

# Stop the agents (they stop their modules) and the daemons: swtpm serves one client at a time,
# and the PCR and the NV floor are read from the TPM itself.
for i in 0 1; do kill "${agent_pids[$i]}"; wait "${agent_pids[$i]}" 2>/dev/null || true; done
agent_pids=()
for i in 0 1; do kill "${daemon_pids[$i]}"; wait "${daemon_pids[$i]}" 2>/dev/null || true; done
daemon_pids=()

# shellcheck source-path=SCRIPTDIR source=demo/summary.sh
source "$root/scripts/demo/summary.sh"
