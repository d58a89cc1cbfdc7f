#!/bin/bash
# make-enrolld-env.sh DIR — TEST ONLY. Builds everything edgetrust-enrolld needs in DIR:
#   softhsm2.conf + tokens/   a fresh SoftHSM2 token "edgetrust" (user PIN in hsm.pin, 0600)
#                             holding two EC P-256 keys made inside the token:
#                             "device-ca" (id 01) and "tls" (id 02)
#   ca.pem                    self-signed device CA for the token key "device-ca"
#   tls-chain.pem             server certificate (CN=localhost, SAN localhost/127.0.0.1/::1,
#                             EKU serverAuth) for the token key "tls", issued by ca.pem, + ca.pem
#   operator-ca.pem           operator CA (software key, test only)
#   operator.pem/.key         operator client certificate (EKU clientAuth) from operator-ca
#   untrusted-ca.pem, untrusted.pem/.key   the same from an unrelated CA (THREATS E17 tests)
# Software keys here are test-only; the service itself never reads a private key file.
set -euo pipefail
D=${1:?usage: make-enrolld-env.sh DIR}
MODULE=${EDGETRUST_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$D"
D=$(cd "$D" && pwd)
bash "$HERE/../../../certs/testing/make-softhsm-token.sh" "$D" edgetrust hsm.pin device-ca:01 tls:02
cd "$D"
umask 077
export SOFTHSM2_CONF=$D/softhsm2.conf
PIN=$(cat hsm.pin)

export PKCS11_MODULE_PATH=$MODULE
CA_URI="pkcs11:token=edgetrust;object=device-ca;type=private?pin-value=$PIN"
TLS_URI="pkcs11:token=edgetrust;object=tls;type=private?pin-value=$PIN"
openssl req -new -x509 -engine pkcs11 -keyform engine -key "$CA_URI" -sha256 -days 30 \
  -subj "/CN=edgetrust test device CA" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out ca.pem 2>/dev/null
openssl req -new -engine pkcs11 -keyform engine -key "$TLS_URI" -subj "/CN=localhost" \
  -out tls.csr 2>/dev/null
cat > tls.ext <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
openssl x509 -req -in tls.csr -CA ca.pem -engine pkcs11 -CAkeyform engine -CAkey "$CA_URI" \
  -set_serial "0x$(openssl rand -hex 16)" -days 30 -sha256 -extfile tls.ext -out tls.pem 2>/dev/null
cat tls.pem ca.pem > tls-chain.pem

cat > client.ext <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EXT
make_client() {  # make_client <name> <ca CN> <client CN>
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1-ca.key" \
    -out "$1-ca.pem" -subj "/CN=$2" -days 30 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
    -subj "/CN=$3" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$1-ca.pem" -CAkey "$1-ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 30 -sha256 -extfile client.ext -out "$1.pem" 2>/dev/null
}
make_client operator "edgetrust test operator CA" "operator-alice"
make_client untrusted "someone else's CA" "operator-mallory"
openssl verify -CAfile ca.pem tls.pem >/dev/null
openssl verify -CAfile operator-ca.pem operator.pem >/dev/null
echo "make-enrolld-env: ok"
