#!/usr/bin/env bash
# bench/run.sh [enroll_load options...]
#
# Builds the release preset (only the targets it needs), starts edgetrust-enrolld on loopback
# with a private SoftHSM token (CA key and TLS key) and a SQLite registry, registers a group
# enrollment for a throw-away test "TPM manufacturer" CA, runs bench/enroll_load against it and
# prints throughput, latency, errors, the service's CPU per enrollment and its ratio to the
# crypto-only cost. Everything lives in a temporary directory that is removed at exit.
#
# Environment: PRESET (release), BUILD_DIR (build/bench-release), PORT (free port chosen),
# KEEP=1 keeps the work directory, ENROLLD_ENV="NAME=value ..." is added to the service's
# environment only (measurement experiments, e.g. an LD_PRELOAD). Extra arguments go to enroll_load, e.g.
#   bench/run.sh --concurrency 32 --duration 30 --devices 40000
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
preset=${PRESET:-release}
build=${BUILD_DIR:-$root/build/bench-release}
module=/usr/lib/softhsm/libsofthsm2.so

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake --preset "$preset" -B "$build" >/dev/null
fi
cmake --build "$build" -j2 --target edgetrust-enrolld enroll_load seed_group
build=$(cd -- "$build" && pwd -P)

work=$(mktemp -d "${TMPDIR:-/tmp}/edgetrust-bench.XXXXXX")
enrolld_pid=""
cleanup() {
  if [[ -n "$enrolld_pid" ]]; then kill "$enrolld_pid" 2>/dev/null || true; wait "$enrolld_pid" 2>/dev/null || true; fi
  if [[ "${KEEP:-0}" == 1 ]]; then echo "work directory kept: $work"; else rm -rf -- "$work"; fi
}
trap cleanup EXIT
cd "$work"

# --- SoftHSM token with the CA key and the TLS key -------------------------------------------
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
  "$work" >softhsm2.conf
export SOFTHSM2_CONF=$work/softhsm2.conf
pin=1234
printf '%s' "$pin" >pin && chmod 600 pin
softhsm2-util --init-token --free --label bench --pin "$pin" --so-pin "$pin" >/dev/null
for key in ca-key tls-key; do
  pkcs11-tool --module "$module" --token-label bench --login --pin "$pin" \
    --keypairgen --key-type EC:prime256v1 --label "$key" --id "$(printf %s "$key" | xxd -p)" >/dev/null 2>&1
done
uri() { printf 'pkcs11:token=bench;object=%s;type=private' "$1"; }
export PKCS11_MODULE_PATH=$module
openssl req -new -x509 -engine pkcs11 -keyform engine -key "$(uri ca-key)?pin-value=$pin" \
  -subj "/CN=edgetrust bench device CA" -days 365 -sha256 \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out ca.pem 2>/dev/null
openssl req -new -engine pkcs11 -keyform engine -key "$(uri tls-key)?pin-value=$pin" \
  -subj "/CN=127.0.0.1" -out tls.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=critical,CA:FALSE\n' >tls.ext
openssl x509 -req -in tls.csr -CA ca.pem -engine pkcs11 -CAkeyform engine \
  -CAkey "$(uri ca-key)?pin-value=$pin" -CAcreateserial -days 30 -sha256 -extfile tls.ext \
  -out tls.pem 2>/dev/null
cat tls.pem ca.pem >tls-chain.pem

# --- a test TPM manufacturer CA (its key is a file: it stands for the TPM vendor) ----------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out manufacturer.key 2>/dev/null
openssl req -new -x509 -key manufacturer.key -subj "/CN=edgetrust bench TPM manufacturer" -days 365 \
  -sha256 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out manufacturer.pem

# --- service configuration -------------------------------------------------------------------
port=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
op_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >config.toml <<TOML
[listeners.device]
address = "127.0.0.1"
port = $port
tls_certificate_chain = "tls-chain.pem"
tls_key_uri = "$(uri tls-key)"

[listeners.operator]
address = "127.0.0.1"
port = $op_port
tls_certificate_chain = "tls-chain.pem"
tls_key_uri = "$(uri tls-key)"
client_ca = "ca.pem"

[ca]
pkcs11_module = "$module"
key_uri = "$(uri ca-key)"
chain = "ca.pem"
pin_file = "pin"

[store]
url = "sqlite:registry.db"

[audit]
log = "audit.jsonl"

[options]
max_pending_challenges = 200000

[log]
level = "warning"
TOML

"$build/bench/seed_group" "sqlite:$work/registry.db" bench-group manufacturer.pem

# shellcheck disable=SC2086 # ENROLLD_ENV is a list of NAME=value words
env ${ENROLLD_ENV:-} "$build/enrollment/server/edgetrust-enrolld" --config config.toml >enrolld.out 2>enrolld.err &
enrolld_pid=$!
for _ in $(seq 100); do
  grep -q "ready" enrolld.out 2>/dev/null && break
  kill -0 "$enrolld_pid" 2>/dev/null || { cat enrolld.err >&2; echo "edgetrust-enrolld exited" >&2; exit 1; }
  sleep 0.1
done
grep -q "ready" enrolld.out || { cat enrolld.err >&2; echo "edgetrust-enrolld not ready" >&2; exit 1; }
echo "edgetrust-enrolld pid $enrolld_pid on https://127.0.0.1:$port"

rc=0
"$build/bench/enroll_load" --url "https://127.0.0.1:$port" --ca-bundle ca.pem \
  --manufacturer-ca-cert manufacturer.pem --manufacturer-ca-key manufacturer.key \
  --service-pid "$enrolld_pid" --hsm-module "$module" --ca-key-uri "$(uri ca-key)" \
  --pin-file pin --ca-chain ca.pem "$@" || rc=$?
if [[ -s enrolld.err ]]; then echo "--- enrolld stderr (last lines) ---"; tail -5 enrolld.err; fi
exit "$rc"
