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

kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 50); do
  swtpm_running "$pid" "$state" || break
  sleep 0.1
done
if swtpm_running "$pid" "$state"; then
  printf '%s: swtpm %s ignored SIGTERM for 5 s; sending SIGKILL\n' "${0##*/}" "$pid" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 20); do
    swtpm_running "$pid" "$state" || break
    sleep 0.1
  done
  if swtpm_running "$pid" "$state"; then
    die "swtpm $pid survived SIGKILL"
  fi
fi
rm -f -- "$pid_file" "$state/swtpm.env"
printf '%s: stopped swtpm %s\n' "${0##*/}" "$pid" >&2
