#!/usr/bin/env bash
# make-tpm-state.sh [--no-ek-certs] STATE_DIR [CA_DIR]
#
# Manufactures a new TPM 2.0 state in STATE_DIR (must be absent or empty) with swtpm_setup:
# SHA-256 PCR bank only, and two endorsement keys made persistent by swtpm_setup's defaults
#   RSA-2048 EK (TCG low-range template)   handle 0x81010001, EK cert at NV 0x01c00002
#   ECC NIST P-384 EK (high-range H-3)     handle 0x81010016, EK cert at NV 0x01c00016
# plus a platform certificate at NV 0x01c08000, all signed by the manufacturer CA in CA_DIR
# (created with make-manufacturer-ca.sh when missing). The NV indices are write-locked.
# With --no-ek-certs the two EKs are created without certificates and CA_DIR is not used.
#
# Concurrent calls sharing one CA_DIR are safe: they hold a shared flock on CA_DIR/.lock (CA
# creation takes it exclusively) and swtpm_localca serializes its serial counter with its own
# flock on CA_DIR/.lock.swtpm-localca. No global swtpm configuration or state is used.
#
# Exit status: 0 done, 1 failure, 2 usage error or STATE_DIR not empty, 3 CA unavailable.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=swtpm-common.sh
source "$here/swtpm-common.sh"

usage() {
  printf 'usage: %s [--no-ek-certs] STATE_DIR [CA_DIR]\n' "${0##*/}" >&2
  exit 2
}

with_certs=1
if [[ "${1:-}" == --no-ek-certs ]]; then
  with_certs=0
  shift
fi
[[ $# -ge 1 && $# -le 2 && -n "$1" && "$1" != -* ]] || usage
[[ $with_certs == 0 || ( $# -eq 2 && -n "$2" ) ]] || usage

require_tools swtpm swtpm_setup
if [[ -e "$1" && ( ! -d "$1" || -n "$(ls -A -- "$1")" ) ]]; then
  EXIT_CODE=2 die "state directory '$1' exists and is not empty"
fi
ca=/nonexistent
if [[ $with_certs == 1 ]]; then
  require_tools openssl
  if ! ca_complete "$2"; then
    bash "$here/make-manufacturer-ca.sh" "$2" || EXIT_CODE=3 die "manufacturer CA '$2' unavailable"
  fi
  ca=$(cd -- "$2" && pwd -P)
  exec {lock_fd}>>"$ca/.lock" || EXIT_CODE=3 die "cannot open lock file '$ca/.lock'"
  flock -s -w 300 "$lock_fd" || EXIT_CODE=3 die "timed out waiting for the lock on '$ca/.lock'"
  ca_complete "$ca" || EXIT_CODE=3 die "manufacturer CA '$ca' is incomplete"
fi

mkdir -p -- "$1" 2>/dev/null || die "cannot create state directory '$1'"
state=$(cd -- "$1" && pwd -P)
clean_state() { find "$state" -mindepth 1 -delete 2>/dev/null || true; }

work=$(mktemp -d "${TMPDIR:-/tmp}/edgetrust-tpm.XXXXXX") || die "mktemp failed"
trap 'rm -rf -- "$work"' EXIT
write_swtpm_config "$work" "$ca" "$with_certs"

if [[ $with_certs == 1 ]]; then
  mkdir "$work/ekcerts"
  if ! run_swtpm_setup "$work" "$work/setup.log" --tpm2 --tpmstate "$state" \
      --create-ek-cert --create-platform-cert --lock-nvram --pcr-banks sha256 \
      --write-ek-cert-files "$work/ekcerts"; then
    clean_state
    die "could not create the TPM state in '$state'"
  fi
  # Post-condition: both EK certificates exist and chain to the manufacturer CA.
  for name in ek-rsa2048 ek-secp384r1; do
    if [[ ! -s "$work/ekcerts/$name.crt" ]] ||
        ! openssl x509 -inform der -in "$work/ekcerts/$name.crt" -out "$work/$name.pem" 2>/dev/null ||
        ! openssl verify -CAfile "$ca/swtpm-localca-rootca-cert.pem" \
            -untrusted "$ca/issuercert.pem" "$work/$name.pem" >/dev/null 2>&1; then
      clean_state
      die "swtpm_setup did not produce a valid $name certificate"
    fi
  done
else
  if ! run_swtpm_setup "$work" "$work/setup.log" --tpm2 --tpmstate "$state" \
      --createek --lock-nvram --pcr-banks sha256; then
    clean_state
    die "could not create the TPM state in '$state'"
  fi
fi
