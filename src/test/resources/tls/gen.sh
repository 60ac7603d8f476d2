#!/usr/bin/env bash
# Regenerates the test TLS material in this directory with OpenSSL 3.0. Test-only keys: trust them nowhere else.
# All certificates are issued with "openssl ca" because OpenSSL 3.0's "x509 -req" cannot set a notBefore in the
# past: valid certificates start 2020-01-01 (robust against a CI clock that lags the generating machine) and end
# 2120-01-01; the expired one was valid only on 2020-01-01.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
touch "$tmp/index.txt"; echo 01 > "$tmp/serial"
cat > "$tmp/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $tmp/index.txt
serial = $tmp/serial
new_certs_dir = $tmp
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
sign() { # name start end [extra args...]
  local name=$1 start=$2 end=$3; shift 3
  openssl ca -batch -config "$tmp/ca.cnf" -in "$tmp/$name.csr" -out "$name.pem" -notext \
    -startdate "$start" -enddate "$end" "$@"
}
csr() { # name cn
  openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$tmp/$1.csr" -subj "/CN=$2"
}
leaf() { # name cn san start end
  csr "$1" "$2"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n%s\n' \
    "subjectAltName=$3" > "$tmp/$1.ext"
  sign "$1" "$4" "$5" -cert ca.pem -keyfile ca.key -extfile "$tmp/$1.ext"
}
csr ca "popvault test CA"
sign ca 20200101000000Z 21200101000000Z -selfsign -keyfile ca.key -extensions ca_ext
leaf server localhost "DNS:localhost,IP:127.0.0.1" 20200101000000Z 21200101000000Z
leaf wronghost wrong.example "DNS:wrong.example" 20200101000000Z 21200101000000Z
leaf expired localhost "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200102000000Z
chmod 644 ./*.pem ./*.key
