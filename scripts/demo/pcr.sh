# pcr.sh: the gate's PCR event log against the TPM (sourced by the demo scripts).
# shellcheck shell=bash

# replay_event_log EVENTS: the PCR value the gate's event log (docs/gate-event-log.md) predicts,
# replayed from its last boot line: v = initial, then v = SHA-256(v || digest) per entry.
replay_event_log() {
  local value digest
  value=$(jq -rs 'map(select(.type == "boot")) | last | .initial' "$1")
  for digest in $(jq -rs 'reduce .[] as $e ([]; if $e.type == "boot" then [] else . + [$e.digest] end)
      | .[]' "$1"); do
    value=$(printf '%s%s' "$value" "$digest" | xxd -r -p | sha256sum | cut -d' ' -f1)
  done
  echo "$value"
}

# event_log_pcr EVENTS: the PCR the log's last boot line names.
event_log_pcr() { jq -rs 'map(select(.type == "boot")) | last | .pcr' "$1"; }

# read_pcr TCTI PCR: the SHA-256 bank's value of PCR in the TPM (tpm2_pcrread), lower-case hex.
read_pcr() {
  TPM2TOOLS_TCTI="$1" tpm2_pcrread "sha256:$2" |
    awk -v pcr="$2" '$1 == pcr":" { print tolower(substr($2, 3)) }'
}

# read_floor TCTI: the gate's rollback floor, the NV counter at 0x0100ED6E, in decimal.
read_floor() {
  echo $((16#$(TPM2TOOLS_TCTI="$1" tpm2_nvread -C o -s 8 0x0100ED6E | xxd -p)))
}
