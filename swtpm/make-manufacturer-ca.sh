#!/usr/bin/env bash
# make-manufacturer-ca.sh CA_DIR
#
# Creates a throw-away "TPM manufacturer" CA in CA_DIR with swtpm_localca: a root
# (swtpm-localca-rootca-cert.pem + -privkey.pem) and an intermediate that signs EK certificates
# (issuercert.pem + signkey.pem), plus bundle.pem = root + intermediate and the serial counter.
# Idempotent: if CA_DIR already holds a complete CA, nothing changes. Concurrent callers are
# serialized by flock on CA_DIR/.lock. No global swtpm configuration or state is read or
# written: the CA is created by running swtpm_setup once for a scratch TPM in a temporary
# directory, with temporary config files that point swtpm_localca at CA_DIR.
#
# Exit status: 0 CA ready, 1 failure (message on stderr), 2 usage error.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=swtpm-common.sh
source "$here/swtpm-common.sh"

if [[ $# -ne 1 || -z "$1" || "$1" == -* ]]; then
  printf 'usage: %s CA_DIR\n' "${0##*/}" >&2
  exit 2
fi

mkdir -p -- "$1" 2>/dev/null || die "cannot create CA directory '$1'"
ca=$(cd -- "$1" && pwd -P) || die "cannot enter CA directory '$1'"
[[ -w "$ca" ]] || die "CA directory '$ca' is not writable"

exec {lock_fd}>>"$ca/.lock" || die "cannot open lock file '$ca/.lock'"
flock -w 300 "$lock_fd" || die "timed out waiting for the lock on '$ca/.lock'"

if ca_complete "$ca"; then
  exit 0
fi

require_tools swtpm swtpm_setup swtpm_localca swtpm_cert certtool

if [[ ! -s "$ca/swtpm-localca-rootca-cert.pem" || ! -s "$ca/issuercert.pem" ||
      ! -s "$ca/signkey.pem" || ! -s "$ca/certserial" ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/edgetrust-ca.XXXXXX") || die "mktemp failed"
  trap 'rm -rf -- "$work"' EXIT
  write_swtpm_config "$work" "$ca" 1
  mkdir "$work/state"
  # swtpm_localca creates the root and the intermediate on first use; the EK certificate of
  # the scratch TPM is a by-product that we throw away with the state.
  run_swtpm_setup "$work" "$work/setup.log" --tpm2 --tpmstate "$work/state" \
    --create-ek-cert --pcr-banks sha256 || die "could not create the manufacturer CA in '$ca'"
  for f in swtpm-localca-rootca-cert.pem issuercert.pem signkey.pem certserial; do
    [[ -s "$ca/$f" ]] || die "swtpm_localca did not create '$ca/$f'"
  done
fi

cat "$ca/swtpm-localca-rootca-cert.pem" "$ca/issuercert.pem" >"$ca/bundle.pem.tmp"
mv -f -- "$ca/bundle.pem.tmp" "$ca/bundle.pem"
printf '%s: manufacturer CA ready in %s\n' "${0##*/}" "$ca" >&2
