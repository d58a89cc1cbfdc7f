#!/usr/bin/env bash
# tour.sh: the parts one at a time (demo.sh is the end-to-end story). Sets up and builds,
# starts a private swtpm with manufacturer-signed EK certificates, shows what edgetrust sees in
# it, then starts the enrollment service (CA and TLS keys in a
# SoftHSM token, SQLite registry) and enroll the TPM over TLS; then run the device daemon
# edgetrustd on a second swtpm: it enrolls by itself, serves its local API on a Unix socket,
# signs with its TPM-held identity key and boots warm without enrolling again; then the module
# gate on the same daemon (scripts/demo/gate.sh): a deployment signed with a throw-away PKI is
# verified, run by edgetrust-agent from the content store and marked healthy, an older and a
# tampered one are refused, and the gate's event log replays to the PCR it extends. Everything
# lives in a temporary directory that is removed at the end; the swtpms, the service, the daemon
# and the agent are stopped whatever happens.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" dev >/dev/null
edgetrust="$root/build/dev/tools/edgetrust"
enrolld="$root/build/dev/enrollment/server/edgetrust-enrolld"
edgetrustd="$root/build/dev/daemon/edgetrustd"
agent="$root/build/dev/daemon/agent/edgetrust-agent"
command -v jq >/dev/null || { echo "tour.sh: needs jq (apt-get install jq)" >&2; exit 1; }

work=$(mktemp -d -t edgetrust-demo.XXXXXX)
enrolld_pid=""
daemon_pid=""
agent_pid=""
# cleanup runs every step whatever fails (no errexit here) and keeps the demo's exit status.
cleanup() {
  local rc=$?
  set +e
  if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null; wait "$agent_pid" 2>/dev/null; fi
  # Modules an agent left behind (it stops them itself): process group leaders running in $work.
  for pid in $(jq -r '.modules[].pid' "$work/gate/agent/agent-status.json" 2>/dev/null); do
    [[ "$pid" -gt 0 && "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$work/"* ]] &&
      kill -- "-$pid" 2>/dev/null
  done
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; fi
  if [ -n "$enrolld_pid" ]; then kill "$enrolld_pid" 2>/dev/null; wait "$enrolld_pid" 2>/dev/null; fi
  "$root/swtpm/stop-swtpm.sh" "$work/tpm" >/dev/null 2>&1
  "$root/swtpm/stop-swtpm.sh" "$work/tpm-device" >/dev/null 2>&1
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

echo "== starting a private swtpm (state in $work/tpm)"
if ! started=$("$root/swtpm/start-swtpm.sh" --state-dir "$work/tpm" \
    --ca-dir "$work/manufacturer-ca" 2>"$work/start.log"); then
  cat "$work/start.log" >&2
  exit 1
fi
# started_var NAME: the value of NAME in start-swtpm.sh's output (read, never eval'ed).
started_var() { sed -n "s/^$1=//p" <<<"$started"; }
EDGETRUST_TCTI=$(started_var EDGETRUST_TCTI)
EDGETRUST_MANUFACTURER_CA=$(started_var EDGETRUST_MANUFACTURER_CA)
echo "   TCTI $EDGETRUST_TCTI"
echo
echo "== edgetrust tpm info"
"$edgetrust" tpm info --tcti "$EDGETRUST_TCTI"
echo
echo "== the EK certificates chain to the manufacturer CA (tpm2_nvread + openssl verify)"
for index in 0x01c00002 0x01c00016; do
  TPM2TOOLS_TCTI="$EDGETRUST_TCTI" tpm2_nvread -C o -o "$work/ek.der" "$index" 2>/dev/null
  openssl x509 -inform DER -in "$work/ek.der" -out "$work/ek.pem"
  printf '   %s: ' "$index"
  openssl verify -CAfile "$EDGETRUST_MANUFACTURER_CA" "$work/ek.pem" | sed "s|$work/||"
done
nonce=$(openssl rand -hex 16)
echo
echo "== a quote by a fresh attestation key, checked by tpm2_checkquote"
"$edgetrust" tpm quote --tcti "$EDGETRUST_TCTI" --nonce "$nonce" --pcrs sha256:0,1,16 \
  --out-dir "$work/quote" >/dev/null
tpm2_checkquote -u "$work/quote/ak.pub.pem" -m "$work/quote/quote.attest" \
  -s "$work/quote/quote.sig" -f "$work/quote/quote.pcrs" -l sha256:0,1,16 -g sha256 -q "$nonce" \
  >/dev/null && echo "   tpm2_checkquote: quote verified (nonce $nonce)"

echo
echo "== the enrollment service: device CA and TLS keys in a SoftHSM token, SQLite registry"
svc="$work/service"
# shellcheck source-path=SCRIPTDIR source=demo/service.sh
source "$root/scripts/demo/service.sh"
start_enrollment_service "$svc"
"$edgetrust" ca show --cert "$svc/ca.pem" | sed 's/^/   /'
grep "edgetrust-enrolld: ready" "$svc/enrolld.log" | sed 's/^/   /'

echo
echo "== the operator registers the TPM manufacturer's CA as a group (mutual TLS, curl)"
pem_json=$(awk '{printf "%s\\n", $0}' "$EDGETRUST_MANUFACTURER_CA")
curl -sS --fail --cacert "$svc/ca.pem" --cert "$svc/operator.pem" --key "$svc/operator.key" \
  -H 'Content-Type: application/json' \
  -d "{\"group_id\":\"demo-manufacturer\",\"manufacturer_ca_pem\":\"$pem_json\"}" \
  "https://127.0.0.1:$operator_port/v1/operator/enrollments/groups" >/dev/null
echo "   group demo-manufacturer created"

echo
echo "== edgetrust tpm enroll: EK certificate, credential activation, quote, certify, CSR"
for alg in rsa2048 ecc384; do
  "$edgetrust" tpm enroll --tcti "$EDGETRUST_TCTI" --service "https://127.0.0.1:$device_port" \
    --ca-bundle "$svc/ca.pem" --registration-id "demo-$alg" --state-dir "$work/device-$alg" \
    --ek-alg "$alg" | sed "s|$work/||; s/^/   /"
  printf '   openssl verify: '
  openssl verify -CAfile "$svc/ca.pem" "$work/device-$alg/device-chain.pem" | sed "s|$work/||"
  openssl x509 -in "$work/device-$alg/device-chain.pem" -noout -subject -enddate \
    -ext subjectAltName 2>/dev/null | sed 's/^/   /'
done

echo
echo "== an unregistered EK (P-256, no certificate) is refused"
"$edgetrust" tpm enroll --tcti "$EDGETRUST_TCTI" --service "https://127.0.0.1:$device_port" \
  --ca-bundle "$svc/ca.pem" --registration-id demo-stranger --state-dir "$work/stranger" \
  --ek-alg ecc256 2>&1 | sed 's/^/   /' || true

echo
echo "== the audit log (audit.jsonl, one JSON line per decision): action, subject, outcome, reason"
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/" <<<"$2"; }
while IFS= read -r record; do
  printf '   %-24s %-22s %-9s %s\n' "$(field action "$record")" "$(field subject "$record")" \
    "$(field outcome "$record")" "$(field reason "$record")"
done <"$svc/audit.jsonl"

echo
echo "== edgetrustd, the device daemon, on a second swtpm: it enrolls by itself at boot"
tcti_first=$EDGETRUST_TCTI
if ! started=$("$root/swtpm/start-swtpm.sh" --state-dir "$work/tpm-device" \
    --ca-dir "$work/manufacturer-ca" 2>"$work/start-device.log"); then
  cat "$work/start-device.log" >&2
  exit 1
fi
device_tcti=$(started_var EDGETRUST_TCTI)
EDGETRUST_TCTI=$tcti_first
mkdir -m 0700 "$work/edgetrustd"
cat >"$work/edgetrustd/config.toml" <<EOF
tcti = "$device_tcti"
state_dir = "$work/edgetrustd/state"

[enrollment]
service_url = "https://127.0.0.1:$device_port"
ca_bundle = "$svc/ca.pem"
ek_algorithm = "rsa2048"

[renewal]
retry_initial = "250ms"
retry_max = "5s"

[local_api]
socket = "$work/edgetrustd/edgetrustd.sock"

[[local_api.principals]]
name = "demo-operator"
uid = $(id -u)
endpoints = ["status", "certificate", "sign", "reenroll", "factory-reset"]
EOF
chmod 600 "$work/edgetrustd/config.toml"
socket="$work/edgetrustd/edgetrustd.sock"
# start_daemon NAME: start edgetrustd (TPM commands logged to tpm-commands-NAME.log) and wait
# until it reports `enrolled`.
start_daemon() {
  EDGETRUST_TPM_COMMAND_LOG="$work/edgetrustd/tpm-commands-$1.log" \
    "$edgetrustd" --config "$work/edgetrustd/config.toml" >>"$work/edgetrustd/edgetrustd.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 300); do
    "$edgetrust" device status --json --socket "$socket" 2>/dev/null | grep -q '"enrolled"' && return
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/edgetrustd/edgetrustd.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "edgetrustd did not enroll:" >&2
  tail -20 "$work/edgetrustd/edgetrustd.log" >&2
  exit 1
}
t0=$(date +%s%N)
start_daemon cold
echo "   cold boot to enrolled: $(( ($(date +%s%N) - t0) / 1000000 )) ms," \
  "$(wc -l <"$work/edgetrustd/tpm-commands-cold.log") TPM commands"
"$edgetrust" device status --socket "$socket" | sed 's/^/   /'

echo
echo "== its local API over the Unix socket: curl --unix-socket, and a signature by the TPM"
curl -sS --unix-socket "$socket" http://localhost/status | sed 's/^/   /'
echo
"$edgetrust" device certificate --socket "$socket" --out "$work/edgetrustd/chain.pem" >/dev/null
openssl x509 -in "$work/edgetrustd/chain.pem" -pubkey -noout >"$work/edgetrustd/identity.pub"
printf 'a message the device vouches for' >"$work/edgetrustd/message"
digest=$(openssl dgst -sha256 -binary "$work/edgetrustd/message" | basenc --base64url | tr -d '=')
curl -sS --unix-socket "$socket" -H 'Content-Type: application/json' \
  -d "{\"digest\":\"$digest\"}" http://localhost/sign >"$work/edgetrustd/sign.json"
sed -E 's/.*"signature":"([^"]*)".*/\1/' "$work/edgetrustd/sign.json" | tr '_-' '/+' |
  awk '{ while (length($0) % 4) $0 = $0 "="; print }' | base64 -d >"$work/edgetrustd/message.sig"
printf "   openssl dgst -verify with the certificate's key: "
openssl dgst -sha256 -verify "$work/edgetrustd/identity.pub" \
  -signature "$work/edgetrustd/message.sig" "$work/edgetrustd/message"

echo
echo "== a warm boot reuses the keys and the certificate: no enrollment, no CreatePrimary"
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
t0=$(date +%s%N)
start_daemon warm
echo "   warm boot to enrolled: $(( ($(date +%s%N) - t0) / 1000000 )) ms," \
  "TPM commands: $(paste -sd ' ' "$work/edgetrustd/tpm-commands-warm.log")"
"$edgetrust" device status --socket "$socket" | grep -iE 'serial|state' | sed 's/^/   /'

# The module gate on the same daemon and swtpm.
# shellcheck source-path=SCRIPTDIR source=demo/gate.sh
source "$root/scripts/demo/gate.sh"
