#!/usr/bin/env bash
# Installs the pinned tools the tests run (real servers and CLIs) into
# $1/bin (default .tools/bin), through the Go module proxy. Idempotent: a tool
# already built at the pinned version is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$(realpath -m "${1:-$PWD/.tools}")"
mkdir -p "$dest/bin" "$dest/stamps"

# install NAME MODULE/PATH@VERSION: go install into $dest/bin, once per version.
install() {
	local name=$1 pkg=$2
	local stamp="$dest/stamps/$name"
	if [ -x "$dest/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pkg" ]; then
		return 0
	fi
	echo "tools: installing $pkg" >&2
	GOBIN="$dest/bin" GOFLAGS=-buildvcs=false go install "$pkg"
	echo "$pkg" >"$stamp"
}

# Each line: binary name, module path @ exact version.
install crane github.com/google/go-containerregistry/cmd/crane@v0.22.1
install actionlint github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
install registry github.com/distribution/distribution/v3/cmd/registry@v3.0.0
# Sigstore: the cosign CLI checks our signatures and makes ones for us to
# verify; Fulcio (ephemeral CA) and the timestamp authority are the real
# servers behind keyless signing. TSA v2.1.4+ needs go 1.27.
install cosign github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5
install fulcio github.com/sigstore/fulcio@v1.8.8
install timestamp-server github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server@v2.1.3
# Rekor v1 (transparency log) on Trillian on MariaDB. v1.5.5+ needs go 1.27.
install trillian_log_server github.com/google/trillian/cmd/trillian_log_server@v1.7.3
install trillian_log_signer github.com/google/trillian/cmd/trillian_log_signer@v1.7.3
install createtree github.com/google/trillian/cmd/createtree@v1.7.3
install rekor-server github.com/sigstore/rekor/cmd/rekor-server@v1.5.4
mkdir -p "$dest/share"
if [ ! -f "$dest/share/trillian-storage.sql" ]; then
	cp "$(go env GOMODCACHE)/github.com/google/trillian@v1.7.3/storage/mysql/schema/storage.sql" "$dest/share/trillian-storage.sql"
	chmod 644 "$dest/share/trillian-storage.sql"
fi
# MariaDB for Trillian, from Debian; without it the Rekor tests are skipped
# (they fail under CI=true).
if ! PATH="$PATH:/usr/sbin" command -v mariadbd >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "tools: installing mariadb-server" >&2
		apt-get update -qq && apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
	else
		echo "tools: mariadb-server is not installed (apt-get install mariadb-server); the Rekor tests will be skipped" >&2
	fi
fi

# install_as NAME MODULE/PATH@VERSION: like install, under another binary
# name (a second version of a tool).
install_as() {
	local name=$1 pkg=$2
	local stamp="$dest/stamps/$name"
	if [ -x "$dest/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pkg" ]; then
		return 0
	fi
	echo "tools: installing $pkg as $name" >&2
	local tmp
	tmp=$(mktemp -d)
	GOBIN="$tmp" GOFLAGS=-buildvcs=false go install "$pkg"
	mv "$tmp/$(basename "${pkg%@*}")" "$dest/bin/$name"
	rmdir "$tmp"
	echo "$pkg" >"$stamp"
}
# cosign v3 must also find and accept the signatures.
install_as cosign3 github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3
# Rekor v2 (rekor-tiles, POSIX storage: no database): the log bundles are
# recorded in with --rekor-version 2. v2.3.0 is the release cosign v3.1.3 and
# sigstore-go v1.2.2 are built against; it takes hashedrekord entries only
# (sigstore-go records a DSSE bundle as a hashedrekord of its PAE), like the
# public-good Rekor v2 logs. v2.4.x needs go 1.27. Build time measured on 2
# cores shared with other builds: 773 s with an empty build cache, 248 s after
# the tools above have filled it.
install_as rekor-tiles github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix@v2.3.0
