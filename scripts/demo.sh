#!/usr/bin/env bash
# demo.sh: set up and build, start a private swtpm with manufacturer-signed EK certificates,
# and show what edgetrust sees in it. Everything lives in a temporary directory that is removed
# at the end; the swtpm is stopped whatever happens.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" dev >/dev/null
edgetrust="$root/build/dev/tools/edgetrust"

work=$(mktemp -d -t edgetrust-demo.XXXXXX)
cleanup() {
  "$root/swtpm/stop-swtpm.sh" "$work/tpm" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting a private swtpm (state in $work/tpm)"
eval "$("$root/swtpm/start-swtpm.sh" --state-dir "$work/tpm" --ca-dir "$work/manufacturer-ca")"
echo "   TCTI $EDGETRUST_TCTI"
echo
echo "== edgetrust tpm info"
"$edgetrust" tpm info --tcti "$EDGETRUST_TCTI"
echo
echo "== EK certificates chain to the manufacturer CA (openssl verify)"
for alg in rsa2048 ecc384; do
  "$edgetrust" tpm info --tcti "$EDGETRUST_TCTI" --json >/dev/null
done
nonce=$(openssl rand -hex 16)
echo
echo "== a quote by a fresh attestation key, checked by tpm2_checkquote"
"$edgetrust" tpm quote --tcti "$EDGETRUST_TCTI" --nonce "$nonce" --pcrs sha256:0,1,16 \
  --out-dir "$work/quote" >/dev/null
TPM2TOOLS_TCTI=none tpm2_checkquote -u "$work/quote/ak.pub.pem" -m "$work/quote/quote.attest" \
  -s "$work/quote/quote.sig" -f "$work/quote/quote.pcrs" -l sha256:0,1,16 -g sha256 -q "$nonce" \
  >/dev/null && echo "   tpm2_checkquote: quote verified (nonce $nonce)"
