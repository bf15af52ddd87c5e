#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/relays/fetch.sh: unpack the real SMTP servers the relay tests run
# (Postfix from bookworm, OpenSMTPD from bookworm-backports) into a private
# directory, without installing them.  Installing either package would
# start it on port 25 and take over /usr/sbin/sendmail, and the two
# conflict; unpacked, they touch nothing outside the directory below.
# Their shared-library dependencies are ordinary packages, installed by
# build-aux/setup-debian.
#
# Why backports for OpenSMTPD: bookworm's 6.8.0p2 fails every TLS handshake
# under OpenSSL 3 ("SSL routines::EVP lib", alert 80, for RSA and ECDSA keys
# and TLS 1.2 and 1.3 alike); 7.4.0p1 from bookworm-backports works.  The
# backports suite is only ever named in a private apt configuration here:
# the host's sources.list is not changed.
#
# Usage: sh tests/relays/fetch.sh [DIR]     (root; safe to run again)
# DIR defaults to $POSTIE_RELAYS_DIR, else /var/cache/postie-test/relays.
# When DIR already holds both servers this exits at once, offline.
set -eu

dir=${1:-${POSTIE_RELAYS_DIR:-/var/cache/postie-test/relays}}
mirror=${POSTIE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${POSTIE_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

# name:release of each server; "stable" takes the newest of bookworm and
# its updates, a suite name makes that suite win (apt-get -t).
servers="postfix:stable opensmtpd:bookworm-backports"

need=
for s in $servers; do
	[ -f "$dir/${s%%:*}/.unpacked" ] || need="$need $s"
done
[ -n "$need" ] || exit 0

mkdir -p "$dir/apt/lists/partial" "$dir/apt/archives/partial" \
	"$dir/apt/etc/preferences.d" "$dir/apt/etc/sources.list.d"
key=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$dir/apt/etc/sources.list" <<EOF
deb [signed-by=$key] $mirror bookworm main
deb [signed-by=$key] $mirror bookworm-updates main
deb [signed-by=$key] $security bookworm-security main
deb [signed-by=$key] $mirror bookworm-backports main
EOF
# A private apt: its own sources, lists and cache, the host's status file.
apt() {
	cmd=$1
	shift
	"$cmd" -q -o Dir::Etc::SourceList="$dir/apt/etc/sources.list" \
		-o Dir::Etc::SourceParts="$dir/apt/etc/sources.list.d" \
		-o Dir::Etc::PreferencesParts="$dir/apt/etc/preferences.d" \
		-o Dir::State::Lists="$dir/apt/lists" \
		-o Dir::Cache="$dir/apt" \
		-o Dir::Cache::Archives="$dir/apt/archives" \
		-o APT::Sandbox::User=root "$@"
}
apt apt-get update >/dev/null

for s in $need; do
	pkg=${s%%:*} suite=${s#*:}
	rm -rf "$dir/$pkg" "$dir/dl"
	mkdir -p "$dir/dl"
	set -- "$pkg"
	[ "$suite" = stable ] || set -- -t "$suite" "$pkg"
	(cd "$dir/dl" && apt apt-get download "$@" >/dev/null)
	deb=$(ls "$dir/dl/${pkg}_"*.deb)
	dpkg-deb -x "$deb" "$dir/$pkg"
	dpkg-deb -f "$deb" Version >"$dir/$pkg/.unpacked"
	rm -rf "$dir/dl"
	echo "relays: $pkg $(cat "$dir/$pkg/.unpacked") unpacked in $dir/$pkg"
done
rm -rf "$dir/apt"	# lists and .debs are not needed once unpacked
