#!/bin/bash
# make-station-env.sh SERVICE_DIR STATION_DIR — TEST AND DEMO ONLY. Builds a factory station's
# credentials in STATION_DIR, next to an enrollment service made by make-enrolld-env.sh in
# SERVICE_DIR:
#   softhsm2.conf + tokens/  a SoftHSM2 token "factory" (user PIN in station.pin, 0600) with two
#                            EC P-256 keys made inside it: "station" (id 01), the station's
#                            operator credential, and "factory-ca" (id 02), the factory EK CA
#   station.pem              operator client certificate (EKU clientAuth, CN factory-station)
#                            for "station", issued by SERVICE_DIR's operator CA (test key)
#   factory-ca.pem           self-signed factory EK CA for "factory-ca" (CA:TRUE, keyCertSign)
# The station never reads a private key file: both keys stay in the token.
set -euo pipefail
S=$(cd "${1:?usage: make-station-env.sh SERVICE_DIR STATION_DIR}" && pwd)
D=${2:?usage: make-station-env.sh SERVICE_DIR STATION_DIR}
MODULE=${EDGETRUST_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$D"
D=$(cd "$D" && pwd)
bash "$HERE/../../../certs/testing/make-softhsm-token.sh" "$D" factory station.pin \
  station:01 factory-ca:02
cd "$D"
umask 077
export SOFTHSM2_CONF=$D/softhsm2.conf
PIN=$(cat station.pin)

export PKCS11_MODULE_PATH=$MODULE
STATION_URI="pkcs11:token=factory;object=station;type=private?pin-value=$PIN"
CA_URI="pkcs11:token=factory;object=factory-ca;type=private?pin-value=$PIN"
openssl req -new -engine pkcs11 -keyform engine -key "$STATION_URI" -subj "/CN=factory-station" \
  -out station.csr 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > station.ext
openssl x509 -req -in station.csr -CA "$S/operator-ca.pem" -CAkey "$S/operator-ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days 30 -sha256 -extfile station.ext \
  -out station.pem 2>/dev/null
openssl req -new -x509 -engine pkcs11 -keyform engine -key "$CA_URI" -sha256 -days 3650 \
  -subj "/CN=edgetrust test factory EK CA" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out factory-ca.pem 2>/dev/null
rm -f station.csr station.ext
openssl verify -CAfile "$S/operator-ca.pem" station.pem >/dev/null
echo "make-station-env: ok"
