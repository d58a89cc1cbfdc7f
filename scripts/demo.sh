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
if ! started=$("$root/swtpm/start-swtpm.sh" --state-dir "$work/tpm" \
    --ca-dir "$work/manufacturer-ca" 2>"$work/start.log"); then
  cat "$work/start.log" >&2
  exit 1
fi
eval "$started"
echo "   TCTI $EDGETRUST_TCTI"
echo
echo "== edgetrust tpm info"
"$edgetrust" tpm info --tcti "$EDGETRUST_TCTI"
echo
echo "== the EK certificates chain to the manufacturer CA (tpm2_nvread + openssl verify)"
for index in 0x01c00002 0x01c00016; do
  TPM2TOOLS_TCTI="$EDGETRUST_TCTI" tpm2_nvread -C o -o "$work/ek.der" "$index" 2>/dev/null
  openssl x509 -inform DER -in "$work/ek.der" -out "$work/ek.pem"
  printf '   %s: ' "$index"
  openssl verify -CAfile "$EDGETRUST_MANUFACTURER_CA" "$work/ek.pem" | sed "s|$work/||"
done
nonce=$(openssl rand -hex 16)
echo
echo "== a quote by a fresh attestation key, checked by tpm2_checkquote"
"$edgetrust" tpm quote --tcti "$EDGETRUST_TCTI" --nonce "$nonce" --pcrs sha256:0,1,16 \
  --out-dir "$work/quote" >/dev/null
tpm2_checkquote -u "$work/quote/ak.pub.pem" -m "$work/quote/quote.attest" \
  -s "$work/quote/quote.sig" -f "$work/quote/quote.pcrs" -l sha256:0,1,16 -g sha256 -q "$nonce" \
  >/dev/null && echo "   tpm2_checkquote: quote verified (nonce $nonce)"
