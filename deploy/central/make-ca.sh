#!/usr/bin/env bash
# A private certificate authority and a server certificate for the central service, for a
# test or a small fleet. Run on an admin machine, not on the server:
#
#   deploy/central/make-ca.sh OUTDIR central.example.com [10.0.0.5 ...]
#
# OUTDIR/ca.key     the CA's private key (0600): keep it offline; it signs every renewal
# OUTDIR/ca.pem     the CA certificate: copy to every kiosk as /etc/opet-kiosk/ca.pem
# OUTDIR/server.key the server's key (0600) and OUTDIR/server.crt its certificate, for
#                   deploy/central/install.sh --tls-key/--tls-cert
#
# Idempotent: an existing CA is reused (kiosks already trust it); the server certificate is
# issued anew on every run, so running it again renews it or changes its names.
set -euo pipefail

(($# >= 2)) || { echo "usage: $0 OUTDIR DNS-NAME [DNS-NAME|IP ...]" >&2; exit 2; }
out="$1"
shift
mkdir -p "$out"
umask 077

# The names the kiosks use in the service URL: certificate verification checks them.
san=""
for name in "$@"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san+="${san:+,}IP:$name"; else san+="${san:+,}DNS:$name"; fi
done

if [[ ! -f "$out/ca.key" ]]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/ca.key"
  # Ten years: replacing the CA means visiting every kiosk. pathlen:0 = it signs servers only.
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 -subj "/O=Opet Kart fleet/CN=Opet Kart private CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$out/ca.pem"
  chmod 0644 "$out/ca.pem"
  echo "make-ca: new CA in $out/ca.pem"
fi

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/server.key"
openssl req -new -key "$out/server.key" -subj "/O=Opet Kart fleet/CN=$1" -out "$out/server.csr"
extensions="$(mktemp)"
trap 'rm -f "$extensions" "$out/server.csr"' EXIT
# 825 days is the longest validity clients accept for a TLS server certificate; the key
# identifiers are what strict verifiers (Python 3.13's default) require.
cat > "$extensions" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
EXT
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial \
  -sha256 -days 825 -extfile "$extensions" -out "$out/server.crt" 2>/dev/null
chmod 0644 "$out/server.crt"
echo "make-ca: server certificate for $san in $out/server.crt"
