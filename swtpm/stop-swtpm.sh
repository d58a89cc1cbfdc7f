#!/usr/bin/env bash
# stop-swtpm.sh STATE_DIR
#
# Stops the swtpm that start-swtpm.sh started on STATE_DIR, by the pid in STATE_DIR/swtpm.pid
# and only if that pid still is a swtpm serving STATE_DIR: SIGTERM, up to 5 s to exit, then
# SIGKILL. Never signals processes by name. The state itself is kept.
#
# Exit status: 0 stopped or was not running, 1 failure, 2 usage error.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=swtpm-common.sh
source "$here/swtpm-common.sh"

if [[ $# -ne 1 || -z "$1" || "$1" == -* ]]; then
  printf 'usage: %s STATE_DIR\n' "${0##*/}" >&2
  exit 2
fi
[[ -d "$1" ]] || die "no state directory '$1'"
state=$(cd -- "$1" && pwd -P)
pid_file=$state/swtpm.pid

pid=$(cat "$pid_file" 2>/dev/null || true)
if [[ -z "$pid" ]] || ! swtpm_running "$pid" "$state"; then
  printf '%s: no swtpm running on %s\n' "${0##*/}" "$state" >&2
  rm -f -- "$pid_file" "$state/swtpm.env"
  exit 0
fi

# signal_and_wait SIGNAL TENTHS: send SIGNAL, then wait up to TENTHS/10 s; true once it is gone.
signal_and_wait() {
  kill "-$1" "$pid" 2>/dev/null || true
  for _ in $(seq "$2"); do
    swtpm_running "$pid" "$state" || return 0
    sleep 0.1
  done
  ! swtpm_running "$pid" "$state"
}

if ! signal_and_wait TERM 50; then
  printf '%s: swtpm %s ignored SIGTERM for 5 s; sending SIGKILL\n' "${0##*/}" "$pid" >&2
  signal_and_wait KILL 20 || die "swtpm $pid survived SIGKILL"
fi
rm -f -- "$pid_file" "$state/swtpm.env"
printf '%s: stopped swtpm %s\n' "${0##*/}" "$pid" >&2
