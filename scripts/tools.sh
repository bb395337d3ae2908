#!/usr/bin/env bash
# Installs the pinned tools the tests run (real servers and CLIs) into
# $1/bin (default .tools/bin), through the Go module proxy. Idempotent: a tool
# already built at the pinned version is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:-$PWD/.tools}"
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
# Sigstore: the cosign CLI checks our signatures and makes ones for us to
# verify; Fulcio (ephemeral CA) and the timestamp authority are the real
# servers behind keyless signing. TSA v2.1.4+ needs go 1.27.
install cosign github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5
install fulcio github.com/sigstore/fulcio@v1.8.8
install timestamp-server github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server@v2.1.3
