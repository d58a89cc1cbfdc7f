# service.sh: helpers the demo scripts share (sourced; uses $root and $enrolld, sets
# enrolld_pid, device_port and operator_port).
# shellcheck shell=bash

# free_port [EXCEPT]: an unused loopback port (nothing answers on it), not EXCEPT, below Linux's
# ephemeral range (32768-60999), where a busy machine's outgoing connections would take it.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    [ "$p" != "${1:-}" ] || continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# start_enrollment_service DIR: make the service's token and certificates in DIR
# (make-enrolld-env.sh: device CA and TLS keys in SoftHSM, operator CA), write enrolld.toml
# (SQLite registry, audit log, two listeners on free loopback ports) and start
# edgetrust-enrolld; returns once it is ready, non-zero if it is not.
start_enrollment_service() {
  local svc=$1
  mkdir -p "$svc"
  "$root/enrollment/server/testing/make-enrolld-env.sh" "$svc" >/dev/null
  device_port=$(free_port)
  operator_port=$(free_port "$device_port")
  cat >"$svc/enrolld.toml" <<TOML
[listeners.device]
address = "127.0.0.1"
port = $device_port
tls_certificate_chain = "tls-chain.pem"
tls_key_uri = "pkcs11:token=edgetrust;object=tls;type=private"

[listeners.operator]
address = "127.0.0.1"
port = $operator_port
tls_certificate_chain = "tls-chain.pem"
tls_key_uri = "pkcs11:token=edgetrust;object=tls;type=private"
client_ca = "operator-ca.pem"

[ca]
pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so"
key_uri = "pkcs11:token=edgetrust;object=device-ca;type=private"
pin_file = "hsm.pin"
chain = "ca.pem"

[store]
url = "sqlite:$svc/registry.db"

[audit]
log = "audit.jsonl"
TOML
  SOFTHSM2_CONF="$svc/softhsm2.conf" "$enrolld" --config "$svc/enrolld.toml" \
    >"$svc/enrolld.log" 2>&1 &
  enrolld_pid=$!
  for _ in $(seq 100); do
    grep -q "edgetrust-enrolld: ready" "$svc/enrolld.log" && return 0
    kill -0 "$enrolld_pid" 2>/dev/null || { cat "$svc/enrolld.log" >&2; return 1; }
    sleep 0.1
  done
  echo "edgetrust-enrolld did not get ready:" >&2
  tail -20 "$svc/enrolld.log" >&2
  return 1
}
