#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/certs/mkcerts.sh: regenerate the test PKI with certtool (gnutls-bin).
# The generated files are committed, so tests never run this; run it by hand
# (from any directory) only to renew or change the PKI:
#   sh tests/certs/mkcerts.sh
# Files (PEM):
#   ca.pem ca.key               the test CA, trusted by tests (tls_trust_file)
#   server.pem server.key       "localhost", IP SANs 127.0.0.1 and ::1, by ca
#   wrongname.pem wrongname.key "wrong.example" only, by ca
#   expired.pem expired.key     "localhost" + IPs, by ca, expired in 2001
#   untrusted-ca.pem/.key       a second CA nobody trusts
#   untrusted.pem untrusted.key "localhost" + IPs, by untrusted-ca
#   client.pem client.key       client certificate "alice", by ca
# Keys are ECDSA P-256 (fast handshakes); validity ends in 2099.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() {
	certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
		--no-text --outfile "$1" 2>/dev/null
}
tpl() {		# tpl NAME LINES...: write a certtool template
	name=$1
	shift
	printf '%s\n' "$@" >"$tmp/$name.tpl"
}
far='expiration_date = "2099-12-31 23:59:59"'
past_on='activation_date = "2000-01-01 00:00:00"'
past_off='expiration_date = "2001-01-01 00:00:00"'

for ca in ca untrusted-ca; do
	key "$ca.key"
	tpl "$ca" "cn = \"postie test $ca\"" "$far" ca cert_signing_key \
		crl_signing_key "serial = 1"
	certtool --generate-self-signed --load-privkey "$ca.key" \
		--template "$tmp/$ca.tpl" --no-text --outfile "$ca.pem" 2>/dev/null
done

leaf() {	# leaf NAME CA TEMPLATE-LINES...
	name=$1 signer=$2
	shift 2
	key "$name.key"
	tpl "$name" "$@"
	certtool --generate-certificate --load-privkey "$name.key" \
		--load-ca-certificate "$signer.pem" --load-ca-privkey "$signer.key" \
		--template "$tmp/$name.tpl" --no-text --outfile "$name.pem" 2>/dev/null
}
srv='tls_www_server'
sig='signing_key'
localhost='dns_name = "localhost"'
ip4='ip_address = "127.0.0.1"'
ip6='ip_address = "::1"'

leaf server ca 'cn = "localhost"' "$localhost" "$ip4" "$ip6" "$far" $srv $sig \
	"serial = 2"
leaf wrongname ca 'cn = "wrong.example"' 'dns_name = "wrong.example"' "$far" \
	$srv $sig "serial = 3"
leaf expired ca 'cn = "localhost"' "$localhost" "$ip4" "$ip6" "$past_on" \
	"$past_off" $srv $sig "serial = 4"
leaf untrusted untrusted-ca 'cn = "localhost"' "$localhost" "$ip4" "$ip6" \
	"$far" $srv $sig "serial = 5"
leaf client ca 'cn = "alice"' 'email = "alice@example.org"' "$far" \
	tls_www_client $sig "serial = 6"
chmod 644 ./*.key ./*.pem
echo "test PKI written to $dir"
