#!/bin/bash
# make-softhsm-token.sh DIR LABEL PIN_FILE KEY:ID... — TEST AND DEMO ONLY. Makes DIR/softhsm2.conf
# (tokens in DIR/tokens, nothing global), initialises a fresh SoftHSM2 token LABEL with a random
# user PIN written to DIR/PIN_FILE (0600) and a random SO PIN (not kept), and generates one EC
# P-256 key pair inside the token per KEY:ID (label KEY, CKA_ID ID in hex). Used by
# make-enrolld-env.sh (the service's token) and make-station-env.sh (the factory station's).
set -euo pipefail
D=${1:?usage: make-softhsm-token.sh DIR LABEL PIN_FILE KEY:ID...}
LABEL=${2:?usage}
PIN_FILE=${3:?usage}
shift 3
MODULE=${EDGETRUST_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
umask 077
mkdir -p "$D/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\nslots.mechanisms = ALL\nlibrary.reset_on_fork = false\n' "$D" >"$D/softhsm2.conf"
export SOFTHSM2_CONF=$D/softhsm2.conf
PIN=$(openssl rand -hex 8)
printf '%s' "$PIN" >"$D/$PIN_FILE"
softhsm2-util --init-token --free --label "$LABEL" --pin "$PIN" --so-pin "$(openssl rand -hex 8)" >/dev/null
for key in "$@"; do
  pkcs11-tool --module "$MODULE" --token-label "$LABEL" --login --pin "$PIN" \
    --keypairgen --key-type EC:prime256v1 --label "${key%%:*}" --id "${key##*:}" >/dev/null
done
