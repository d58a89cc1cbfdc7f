# gate.sh: the module gate part of demo.sh, sourced by it after the daemon part (it uses $root,
# $work, $edgetrust, $agent, $socket, $device_tcti, start_daemon and daemon_pid, and sets
# agent_pid for demo.sh's cleanup). It restarts edgetrustd with a [gate] table, signs a deployment
# of two module images with a throw-away PKI, lets edgetrust-agent run it from the content store,
# shows two refusals, and replays the gate's PCR event log against PCR 15 of the daemon's swtpm.
# Every step checks its outcome: an unexpected one ends the demo with a non-zero exit.
# The variables named above come from demo.sh; `[ A ] && [ B ] || fail` is meant (fail exits).
# shellcheck shell=bash disable=SC2154,SC2015

gate="$work/gate"
staging="$gate/staging"
mkdir -p "$gate/pki" "$staging" "$gate/images"
# fail MESSAGE [FILE]: print MESSAGE (and FILE, the evidence) to stderr and stop the demo.
fail() {
  echo "demo: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then sed 's/^/   /' "$2" >&2; echo >&2; fi
  exit 1
}

echo
echo "== the module gate: a throw-away manifest-signing PKI (openssl, P-256)"
pki="$gate/pki"
# shellcheck source-path=SCRIPTDIR source=signing.sh
source "$root/scripts/demo/signing.sh"
make_signing_pki "$pki"
printf '   root:   %s\n   signer: %s: %s\n' \
  "$(openssl x509 -in "$pki/root.pem" -noout -subject | sed 's/^subject=//')" \
  "$(openssl x509 -in "$pki/signer.pem" -noout -subject | sed 's/^subject=//')" \
  "$(openssl x509 -in "$pki/signer.pem" -noout -ext basicConstraints,keyUsage,extendedKeyUsage |
    grep -v '^X509v3' | sed 's/^ *//' | paste -sd ',' | sed 's/,/, /g')"

echo
echo "== edgetrustd restarted with a [gate] table: pinned root, staging dir, content store, PCR 15"
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
config="$work/edgetrustd/config.toml"
# The demo's principal (this uid) also gets the gate's endpoints: deploy, plan, report-health.
sed -i 's/"factory-reset"\]/"factory-reset", "deploy", "plan", "report-health"]/' "$config"
cat >>"$config" <<EOF

[gate]
trust_roots = "$pki/root.pem"
staging_dir = "$staging"
store_dir = "$gate/store"
pcr = 15
tags = ["demo-line"]
EOF
start_daemon gate
registration_id=$(curl -sS --unix-socket "$socket" http://localhost/status | jq -r .registration_id)
echo "   gate on; this device's registration id: ${registration_id:0:16}..."

# make_image NAME DIR: pack DIR as a module image, stage the tar as <staging_dir>/<sha256 hex>
# and set image_sha256 and image_size.
make_image() {
  pack_image "$1" "$2" "$gate/images"
  cp "$gate/images/$1.tar" "$staging/$image_sha256"
  printf '   %-8s %s (%s bytes): %s\n' "$1" "${image_sha256:0:16}..." "$image_size" \
    "$(tar -tf "$gate/images/$1.tar" | grep -v '/$' | sed 's|^\./||' | paste -sd ' ')"
}

echo
echo "== two module images (ustar tars with edgetrust-image.json) staged as <staging_dir>/<sha256>"
ticker_dir "$gate/src/ticker" "release 2"
make_image ticker "$gate/src/ticker"
ticker_sha256=$image_sha256 ticker_size=$image_size
sleeper_dir "$gate/src/sleeper"
make_image sleeper "$gate/src/sleeper"
sleeper_sha256=$image_sha256 sleeper_size=$image_size

# write_manifest VERSION TICKER_SHA256 TICKER_SIZE OUT: the demo deployment (docs/manifest.md)
# for this device, with the sleeper image staged above.
write_manifest() {
  cat >"$4" <<EOF
{
  "schemaVersion": "1.0",
  "deploymentId": "demo-fleet",
  "version": $1,
  "issuedAt": "$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)",
  "expiresAt": "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)",
  "target": {"deviceIds": ["$registration_id"]},
  "modules": {
    "ticker": {
      "image": "demo.example/ticker@sha256:$2",
      "imageSize": $3,
      "env": {"GREETING": "hello from version $1"},
      "restartPolicy": "always",
      "startupOrder": 0
    },
    "sleeper": {
      "image": "demo.example/sleeper@sha256:$sleeper_sha256",
      "imageSize": $sleeper_size,
      "restartPolicy": "on-failure",
      "startupOrder": 10
    }
  }
}
EOF
}
# sign_manifest VERSION TICKER_SHA256 TICKER_SIZE: write and sign manifest-vVERSION.json into
# deployment-vVERSION.jws (development key file; production keys stay in an HSM).
sign_manifest() {
  write_manifest "$1" "$2" "$3" "$gate/manifest-v$1.json"
  "$edgetrust" manifest sign --manifest "$gate/manifest-v$1.json" --cert "$pki/signer.pem" \
    --key-file "$pki/signer.key" --out "$gate/deployment-v$1.jws" >"$gate/sign-v$1.log" 2>&1 ||
    fail "manifest sign failed" "$gate/sign-v$1.log"
}
# submit VERSION: POST deployment-vVERSION.jws to the gate; sets http_code, the answer is in
# answer-vVERSION.json.
submit() {
  http_code=$(curl -sS --unix-socket "$socket" -o "$gate/answer-v$1.json" -w '%{http_code}' \
    -X POST --data-binary @"$gate/deployment-v$1.jws" http://localhost/deployments)
}
# expect_refusal VERSION REASON: the gate must answer 422 with REASON.
expect_refusal() {
  submit "$1"
  local reason
  reason=$(jq -r '.error // empty' "$gate/answer-v$1.json" 2>/dev/null || true)
  printf '   POST /deployments (version %s): HTTP %s, %s\n' "$1" "$http_code" "${reason:-?}"
  [ "$http_code" = 422 ] && [ "$reason" = "$2" ] ||
    fail "expected 422 $2 for version $1" "$gate/answer-v$1.json"
}

echo
echo "== a manifest for this device (version 2), signed, verified offline, submitted"
sign_manifest 2 "$ticker_sha256" "$ticker_size"
sed "s|$work/||; s/^/   /" "$gate/sign-v2.log"
"$edgetrust" manifest verify --jws "$gate/deployment-v2.jws" --roots "$pki/root.pem" \
  --device-id "$registration_id" --json >"$gate/verify-v2.json" ||
  fail "manifest verify refused the deployment" "$gate/verify-v2.json"
jq -r '"   manifest verify: valid=\(.valid), \(.deploymentId) v\(.version), signed by " +
    "\(.signers | map("\(.subject) (\(.alg))") | join(", ")), expires \(.expiresAt)",
  (.modules[] | "     module \(.name): \(.image[0:40])... \(.size) bytes")' "$gate/verify-v2.json"
submit 2
state=$(jq -r '.current.state // empty' "$gate/answer-v2.json" 2>/dev/null || true)
printf '   POST /deployments (version 2): HTTP %s, state %s, rollback floor %s\n' "$http_code" \
  "${state:-?}" "$(jq -r '.rollback_floor // "?"' "$gate/answer-v2.json" 2>/dev/null || echo '?')"
[ "$http_code" = 200 ] && [ "$state" = pending ] ||
  fail "expected 200 and a pending deployment" "$gate/answer-v2.json"

echo
echo "== edgetrust-agent --once: runs the modules from the content store, smoke-tests, reports"
# The smoke test runs from $gate: --smoke-test is split on spaces, and the checkout may have some.
cp "$root/scripts/demo/smoke-test.sh" "$gate/smoke-test.sh"
"$agent" --work-dir "$gate/agent" --socket "$socket" --once --smoke-test "$gate/smoke-test.sh" \
  --smoke-timeout 10s --log-level warning 2>"$gate/agent.log" &
agent_pid=$!
agent_rc=0
wait "$agent_pid" || agent_rc=$?
agent_pid=""
[ "$agent_rc" = 0 ] || fail "edgetrust-agent --once exited $agent_rc (want 0: healthy)" \
  "$gate/agent.log"
status="$gate/agent/agent-status.json"
jq -r '"   agent status: \(.deployment_id) v\(.version), gate state \(.state), " +
  "verdict \(.health)"' "$status"
jq -r '.modules[] | "     \(.name): pid \(.pid), dir \(.dir)\n       exe \(.exe)" +
  (if (.exe | startswith("/usr/")) then " (a #! script: the interpreter)" else "" end)' \
  "$status" | sed "s|$work/||"
# --once stops the modules before it exits.
for pid in $(jq -r '.modules[].pid' "$status"); do
  if [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$gate/"* ]]; then
    fail "module pid $pid still runs after edgetrust-agent --once"
  fi
done
sed 's/^/   /' "$gate/agent/logs/smoke-test.log"
stored=("$gate"/store/images/sha256/*)
echo "   the content store: ${#stored[@]} images, $(stat -c %A "${stored[0]}"):" \
  "$(for f in "${stored[@]}"; do printf '%s... ' "$(basename "$f" | cut -c1-16)"; done)"
curl -sS --unix-socket "$socket" http://localhost/deployments/current >"$gate/current.json"
jq -r '"   GET /deployments/current: \(.deployment_id) v\(.version), state \(.state), " +
  "modules \(.modules | map(.name) | join(", "))"' "$gate/current.json"
[ "$(jq -r '"\(.version) \(.state)"' "$gate/current.json")" = "2 healthy" ] ||
  fail "expected version 2 to be healthy" "$gate/current.json"

echo
echo "== refused: a genuine but older manifest (version 1), and a new one with a tampered image"
sign_manifest 1 "$ticker_sha256" "$ticker_size"
expect_refusal 1 gate.refused_rollback
ticker_dir "$gate/src/ticker-v3" "release 3"
make_image ticker-v3 "$gate/src/ticker-v3" >/dev/null
sign_manifest 3 "$image_sha256" "$image_size"
# Flip one bit of one byte in the staged copy (after signing: the signature still holds).
offset=600
byte=$(od -An -tu1 -j "$offset" -N1 "$staging/$image_sha256" | tr -d ' ')
printf '%b' "\\x$(printf %02x $((byte ^ 1)))" |
  dd of="$staging/$image_sha256" bs=1 seek="$offset" count=1 conv=notrunc status=none
echo "   flipped byte $offset of the staged ticker image ${image_sha256:0:16}... (version 3)"
expect_refusal 3 image.digest_mismatch
curl -sS --unix-socket "$socket" http://localhost/deployments/current >"$gate/current.json"
[ "$(jq -r '"\(.version) \(.state)"' "$gate/current.json")" = "2 healthy" ] ||
  fail "a refusal changed the deployment in force" "$gate/current.json"
echo "   still in force: version 2, healthy. The client got only the reasons; the daemon's log:"
grep -o 'deploy failed: .*' "$work/edgetrustd/edgetrustd.log" |
  sed -E 's/^deploy failed: //; s/([0-9a-f]{16})[0-9a-f]{48}/\1.../g; s/^/     /' || true

echo
echo "== the gate's PCR event log, replayed and compared with PCR 15 of the daemon's swtpm"
events="$work/edgetrustd/state/gate/events.log"
jq -r '[.seq, .type, (.version // "-"), (.module // "-"), ((.digest // .initial)[0:16] + "...")]
  | map(tostring) | join(" ")' "$events" |
  while read -r seq type version module digest; do
    printf '   %2s %-9s version %-2s module %-8s %s\n' "$seq" "$type" "$version" "$module" "$digest"
  done
# shellcheck source-path=SCRIPTDIR source=pcr.sh
source "$root/scripts/demo/pcr.sh"
pcr=$(event_log_pcr "$events")
replayed=$(replay_event_log "$events")
# The swtpm's TCP server serves one client at a time: stop the daemon before reading the TPM.
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""
quoted=$(read_pcr "$device_tcti" "$pcr")
floor=$(read_floor "$device_tcti")
echo "   replayed     $replayed"
echo "   PCR $pcr (TPM) $quoted"
echo "   rollback floor in the TPM NV counter 0x0100ED6E: $floor"
[ -n "$quoted" ] && [ "$replayed" = "$quoted" ] || fail "the event log does not replay to PCR $pcr"
echo "   MATCH"
[ "$floor" = 2 ] || fail "expected the rollback floor at 2, found $floor"
