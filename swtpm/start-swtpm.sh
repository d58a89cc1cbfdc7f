#!/usr/bin/env bash
# start-swtpm.sh [--state-dir DIR] [--ca-dir DIR]
#
# Starts a daemonized software TPM 2.0 for humans and the demo, and prints shell-sourceable
# lines on stdout (everything else goes to stderr):
#   EDGETRUST_TCTI=swtpm:host=127.0.0.1,port=P
#   EDGETRUST_SWTPM_PID=<pid>
#   EDGETRUST_SWTPM_STATE=<state dir>
#   EDGETRUST_MANUFACTURER_CA=<CA dir>/bundle.pem      (root + intermediate PEM)
# Use: set -a; eval "$(swtpm/start-swtpm.sh --state-dir /tmp/tpm1)"; set +a
# Stop it with swtpm/stop-swtpm.sh <state dir>.
#
# --state-dir DIR  TPM state; manufactured with make-tpm-state.sh when DIR is absent or empty,
#                  reused otherwise. Default: a new directory from mktemp.
# --ca-dir DIR     manufacturer CA (made when missing). Default: <parent of state dir>/
#                  manufacturer-ca, so TPMs whose state dirs share a parent share one CA.
# swtpm listens on 127.0.0.1 only, on a random free port pair P (commands) and P+1 (control);
# its pid file, log and the printed lines (swtpm.env) live in the state dir.
#
# Exit status: 0 running, 1 failure, 2 usage error.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=swtpm-common.sh
source "$here/swtpm-common.sh"

usage() {
  printf 'usage: %s [--state-dir DIR] [--ca-dir DIR]\n' "${0##*/}" >&2
  exit 2
}

state_arg="" ca_arg=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --state-dir) [[ $# -ge 2 && -n "$2" ]] || usage; state_arg=$2; shift 2 ;;
    --ca-dir) [[ $# -ge 2 && -n "$2" ]] || usage; ca_arg=$2; shift 2 ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
require_tools swtpm tpm2_getcap

if [[ -z "$state_arg" ]]; then
  base=$(mktemp -d "${TMPDIR:-/tmp}/edgetrust-swtpm.XXXXXX") || die "mktemp failed"
  state_arg=$base/state
fi
if [[ -z "$ca_arg" ]]; then
  ca_arg=$(dirname -- "$state_arg")/manufacturer-ca
fi

if [[ -f "$state_arg/tpm2-00.permall" ]]; then
  printf '%s: reusing TPM state in %s\n' "${0##*/}" "$state_arg" >&2
else
  bash "$here/make-tpm-state.sh" "$state_arg" "$ca_arg" || die "could not create the TPM state"
fi
state=$(cd -- "$state_arg" && pwd -P)
# A reused state keeps the EK certificates of the CA that made it: never make a new CA here.
ca_complete "$ca_arg" || die "manufacturer CA '$ca_arg' is missing or incomplete"
ca=$(cd -- "$ca_arg" && pwd -P)

pid_file=$state/swtpm.pid
if [[ -s "$pid_file" ]] && swtpm_running "$(cat "$pid_file")" "$state"; then
  die "a swtpm (pid $(cat "$pid_file")) already runs on $state; stop it with stop-swtpm.sh"
fi
rm -f -- "$pid_file"

# swtpm exits with an error when it cannot bind, so a taken port just means another try.
started=0
for _ in $(seq 10); do
  port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  log_size=$(stat -c %s "$state/swtpm.log" 2>/dev/null || echo 0)
  if swtpm socket --tpm2 \
      --server "type=tcp,port=$port,bindaddr=127.0.0.1" \
      --ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
      --tpmstate "dir=$state" --flags not-need-init,startup-clear \
      --pid "file=$pid_file" --log "file=$state/swtpm.log" -d 2>>"$state/swtpm.log"; then
    started=1
    break
  fi
  tail -c +$((log_size + 1)) "$state/swtpm.log" 2>/dev/null | grep -q 'Address already in use' ||
    die "swtpm failed to start; see $state/swtpm.log"
done
[[ $started == 1 ]] || die "no free port pair found after 10 tries"
pid=$(cat "$pid_file")
tcti="swtpm:host=127.0.0.1,port=$port"

for _ in $(seq 50); do
  if tpm2_getcap -T "$tcti" properties-fixed >/dev/null 2>&1; then
    {
      printf 'EDGETRUST_TCTI=%s\n' "$tcti"
      printf 'EDGETRUST_SWTPM_PID=%s\n' "$pid"
      printf 'EDGETRUST_SWTPM_STATE=%q\n' "$state"
      printf 'EDGETRUST_MANUFACTURER_CA=%q\n' "$ca/bundle.pem"
    } | tee "$state/swtpm.env"
    exit 0
  fi
  sleep 0.1
done
kill "$pid" 2>/dev/null || true
die "swtpm (pid $pid) did not answer on $tcti within 5 s; see $state/swtpm.log"
