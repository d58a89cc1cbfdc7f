# shellcheck shell=bash
# swtpm-common.sh — sourced by the swtpm helper scripts; not meant to be run.
#
# Everything here keeps swtpm_setup and swtpm_localca away from global state: they get
# explicit config files (never /etc/swtpm*), a CA directory we name (never
# /var/lib/swtpm-localca), XDG_CONFIG_HOME pointing into a private work directory (both tools
# probe ~/.config/swtpm* even when given --config) and TMPDIR in the same place.

# die MESSAGE... — print "<script>: error: MESSAGE" to stderr and exit 1 (or $EXIT_CODE).
die() {
  printf '%s: error: %s\n' "${0##*/}" "$*" >&2
  exit "${EXIT_CODE:-1}"
}

# ca_complete CA_DIR — true when CA_DIR holds a usable manufacturer CA.
ca_complete() {
  local ca=$1 f
  for f in swtpm-localca-rootca-cert.pem issuercert.pem signkey.pem bundle.pem certserial; do
    [[ -s "$ca/$f" ]] || return 1
  done
}

# write_swtpm_config WORK_DIR CA_DIR WITH_CERTS — writes WORK_DIR/cfg/{swtpm_setup.conf,
# swtpm-localca.conf,swtpm-localca.options} and creates WORK_DIR/{xdg,tmp}. CA_DIR must be an
# absolute path. WITH_CERTS=0 leaves the certificate tool out.
write_swtpm_config() {
  local work=$1 ca=$2 with_certs=$3
  mkdir -p "$work/cfg" "$work/xdg" "$work/tmp"
  if [[ "$with_certs" == 1 ]]; then
    local localca
    localca=$(command -v swtpm_localca) || die "'swtpm_localca' not found in PATH (install swtpm-tools)"
    cat >"$work/cfg/swtpm_setup.conf" <<EOF
create_certs_tool = $localca
create_certs_tool_config = $work/cfg/swtpm-localca.conf
create_certs_tool_options = $work/cfg/swtpm-localca.options
active_pcr_banks = sha256
EOF
  else
    printf 'active_pcr_banks = sha256\n' >"$work/cfg/swtpm_setup.conf"
  fi
  cat >"$work/cfg/swtpm-localca.conf" <<EOF
statedir = $ca
signingkey = $ca/signkey.pem
issuercert = $ca/issuercert.pem
certserial = $ca/certserial
EOF
  cat >"$work/cfg/swtpm-localca.options" <<EOF
--platform-manufacturer Edgetrust
--platform-version 1.0
--platform-model SoftwareTPM
EOF
}

# run_swtpm_setup WORK_DIR LOG ARGS... — runs swtpm_setup with WORK_DIR's config and private
# XDG_CONFIG_HOME/TMPDIR, output to LOG; on failure prints the tail of LOG to stderr.
run_swtpm_setup() {
  local work=$1 log=$2
  shift 2
  if ! XDG_CONFIG_HOME="$work/xdg" TMPDIR="$work/tmp" \
      swtpm_setup --config "$work/cfg/swtpm_setup.conf" "$@" >"$log" 2>&1; then
    printf '%s: swtpm_setup failed; last lines of its output:\n' "${0##*/}" >&2
    tail -n 15 "$log" | sed 's/^/  /' >&2
    return 1
  fi
}

# swtpm_running PID STATE_DIR — true when PID is a live (not zombie) swtpm serving
# STATE_DIR, so a stale pid file never makes us signal an unrelated process.
swtpm_running() {
  local pid=$1 state=$2 cmdline stat
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ "${stat%% *}" != Z ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *swtpm* && "$cmdline" == *"dir=$state"* ]]
}

# require_tools TOOL... — fails with a clear message when a tool is missing.
require_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' not found in PATH (install swtpm, swtpm-tools, tpm2-tools, gnutls-bin)"
  done
}
