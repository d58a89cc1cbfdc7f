#!/usr/bin/env bash
# bench/factory.sh: the factory station's benchmark (issue 6 §3). Builds the release preset
# (edgetrust and edgetrust-enrolld only), starts the enrollment service (SoftHSM CA, SQLite), a
# station token (operator key and factory EK CA in SoftHSM) and fresh swtpms, half of them with
# manufacturer EK certificates and half bare (no EK certificate, no persistent EK: the station
# creates the EK, issues a certificate in the HSM and writes it to NV), then provisions batches with `edgetrust factory provision --batch --json`:
#   jobs=1 fresh      DEVICES new devices, one at a time
#   jobs=1 re-run     the same devices again (idempotent: every step finds its work done)
#   jobs=2 fresh      DEVICES other new devices, two at a time
# and prints, per batch: wall time of the whole command (process start, token login and TLS
# included), devices per minute, and the mean per device of the station's own timing record:
# total, time in TPM commands, in the HSM, waiting on the service, and the station's own share
# (total minus the three), with the ratio station/TPM.
#
# Environment: PRESET (release), BUILD_DIR (build/bench-release), DEVICES (12).
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
preset=${PRESET:-release}
build=${BUILD_DIR:-$root/build/bench-release}
devices=${DEVICES:-12}
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake --preset "$preset" -B "$build" >/dev/null
fi
cmake --build "$build" -j2 --target edgetrust edgetrust-enrolld >/dev/null
build=$(cd -- "$build" && pwd -P)
edgetrust="$build/tools/edgetrust"
enrolld="$build/enrollment/server/edgetrust-enrolld"

work=$(mktemp -d /tmp/etbench.XXXXXX)
enrolld_pid=""
cleanup() {
  local rc=$?
  set +e
  [ -n "$enrolld_pid" ] && kill "$enrolld_pid" 2>/dev/null && wait "$enrolld_pid" 2>/dev/null
  for tpm in "$work"/tpm-*/; do "$root/swtpm/stop-swtpm.sh" "$tpm" >/dev/null 2>&1; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

# shellcheck source=../scripts/demo/service.sh
source "$root/scripts/demo/service.sh"
start_enrollment_service "$work/service"
"$root/tools/factory/testing/make-station-env.sh" "$work/service" "$work/station" >/dev/null
cat >"$work/station/station.toml" <<EOF
[service]
operator_url = "https://127.0.0.1:$operator_port"
device_url = "https://127.0.0.1:$device_port"
ca_bundle = "$work/service/ca.pem"
[station]
operator_key_uri = "pkcs11:token=factory;object=station;type=private"
pin_file = "station.pin"
operator_certificate = "station.pem"
software_tpm = true
[enrollment]
tags = ["bench"]
[ek_ca]
key_uri = "pkcs11:token=factory;object=factory-ca;type=private"
certificate = "factory-ca.pem"
[bundle]
out_dir = "$work/bundles"
EOF

# make_devices SET: DEVICES fresh swtpms and SET.csv. Every second one is a bare TPM as a vendor
# may ship it: no EK certificate and no persistent EK (the station creates it: CreatePrimary
# RSA-2048 and EvictControl, then the certificate).
make_devices() {
  local i tpm tcti
  echo "tcti,tags,serial" >"$work/$1.csv"
  for i in $(seq "$devices"); do
    tpm="$work/tpm-$1-$i"
    if (( i % 2 == 0 )); then
      bash "$root/swtpm/make-tpm-state.sh" --no-ek-certs "$tpm" >/dev/null 2>&1
    fi
    "$root/swtpm/start-swtpm.sh" --state-dir "$tpm" --ca-dir "$work/manufacturer-ca" \
      >"$tpm.env" 2>/dev/null
    tcti=$(sed -n 's/^EDGETRUST_TCTI=//p' "$tpm.env")
    if (( i % 2 == 0 )); then
      TPM2TOOLS_TCTI=$tcti tpm2_evictcontrol -C o -c 0x81010001 >/dev/null
    fi
    printf '"%s",,%s-%s\n' "$tcti" "$1" "$i" >>"$work/$1.csv"
  done
}

# run LABEL SET JOBS: one batch; prints its line of the table.
run() {
  local start end rc=0
  start=$(date +%s%N)
  SOFTHSM2_CONF="$work/station/softhsm2.conf" "$edgetrust" factory provision \
    --profile "$work/station/station.toml" --batch "$work/$2.csv" --jobs "$3" --json \
    --no-progress >"$work/$1.jsonl" 2>"$work/$1.err" || rc=$?
  end=$(date +%s%N)
  # A failed device still has its record (its outcome is counted); a run with none failed
  # before any device.
  [ -s "$work/$1.jsonl" ] || { cat "$work/$1.err" >&2; echo "bench: $1 failed (exit $rc)" >&2;
    return 1; }
  jq -rs --arg name "$1" --argjson wall "$(( (end - start) / 1000000 ))" '
    def mean(f): (map(f) | add) / length;
    (map(select(.outcome == "failed")) | length) as $failed |
    [$name, ($wall / 1000 | tostring | .[0:5]),
     (length * 60000 / $wall | floor | tostring),
     (mean(.timing_ms.total) | . * 10 | round / 10 | tostring),
     (mean(.timing_ms.tpm) | . * 10 | round / 10 | tostring),
     (mean(.timing_ms.hsm) | . * 10 | round / 10 | tostring),
     (mean(.timing_ms.service) | . * 10 | round / 10 | tostring),
     (mean(.timing_ms.station) | . * 10 | round / 10 | tostring),
     ((map(.timing_ms.station) | add) / (map(.timing_ms.tpm) | add) | . * 1000 | round / 1000
      | tostring),
     (map(.outcome) | group_by(.) | map("\(.[0]) \(length)") | join(", ")),
     (if $failed > 0 then "FAILED" else "" end)] | @tsv' "$work/$1.jsonl"
}

echo "factory station benchmark: $devices devices per batch ($((devices - devices / 2)) with" \
  "manufacturer EK certificates, $((devices / 2)) bare: EK created, certificate issued in the" \
  "HSM), $preset build," \
  "$(nproc) cores"
make_devices a
make_devices b
{
  printf 'batch\twall s\tdevices/min\ttotal ms\ttpm ms\thsm ms\tservice ms\tstation ms\tstation/tpm\toutcomes\t\n'
  run "jobs=1 fresh" a 1
  run "jobs=1 re-run" a 1
  run "jobs=2 fresh" b 2
} | column -t -s $'\t'
echo "(per-device figures are means of the station's timing record; wall includes process start,"
echo " the token login, the operator API health check and TLS set-up)"
