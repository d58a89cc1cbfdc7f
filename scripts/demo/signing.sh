# signing.sh: the CI/CD side of the demo scripts (sourced): a throw-away manifest-signing PKI
# and module images. Development keys only; production signing keys stay in an HSM.
# shellcheck shell=bash

# make_signing_pki DIR: DIR/root.pem (self-signed P-256 root, CA:TRUE) and DIR/signer.pem
# (EKU codeSigning, issued by the root), with their keys root.key and signer.key.
make_signing_pki() {
  local pki=$1
  mkdir -p "$pki"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$pki/root.key" -out "$pki/root.pem" -subj "/CN=edgetrust demo manifest root" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/signer.key" \
    -out "$pki/signer.csr" -subj "/CN=edgetrust demo release pipeline" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=codeSigning" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" \
    >"$pki/signer.ext"
  openssl x509 -req -in "$pki/signer.csr" -CA "$pki/root.pem" -CAkey "$pki/root.key" -days 1 \
    -set_serial "0x$(openssl rand -hex 8)" -extfile "$pki/signer.ext" -out "$pki/signer.pem" \
    2>/dev/null
}

# pack_image NAME SRC_DIR OUT_DIR: pack SRC_DIR as a module image (ustar tar, docs/agent.md) in
# OUT_DIR/NAME.tar, reproducibly; sets image_sha256 and image_size.
pack_image() {
  mkdir -p "$3"
  tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name \
    -cf "$3/$1.tar" -C "$2" .
  image_sha256=$(sha256sum "$3/$1.tar" | cut -d' ' -f1)
  image_size=$(stat -c %s "$3/$1.tar")
}

# ticker_dir DIR GREETING: a module that logs "$GREETING, tick N" every second.
ticker_dir() {
  mkdir -p "$1/bin"
  # shellcheck disable=SC2016  # the module expands these, not this script
  printf '%s\n' '#!/bin/sh' "# $2" 'n=0' \
    'while :; do n=$((n + 1)); echo "$GREETING, tick $n"; sleep 1; done' >"$1/bin/ticker"
  chmod 755 "$1/bin/ticker"
  echo '{"entrypoint": ["bin/ticker"]}' >"$1/edgetrust-image.json"
}

# sleeper_dir DIR: a module that is a copy of /bin/sleep, sleeping for ten minutes.
sleeper_dir() {
  mkdir -p "$1/bin"
  cp /bin/sleep "$1/bin/sleep"
  echo '{"entrypoint": ["bin/sleep", "600"]}' >"$1/edgetrust-image.json"
}
