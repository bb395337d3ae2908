#!/usr/bin/env bash
# Installs a released sonic-release binary, verified against the release's
# checksums.txt, into $2 (default /usr/local/bin). Used by action.yml, so the
# Action needs no Go on the runner.
#
#   scripts/install.sh v1.2.3 [DIR]
#
# Environment: GITHUB_SERVER_URL (GitHub Enterprise works), SONIC_RELEASE_REPO
# (default sonicsaas/sonic-release).
set -euo pipefail
version=${1:?usage: install.sh VERSION [DIR]}
dest=${2:-/usr/local/bin}
server=${GITHUB_SERVER_URL:-https://github.com}
repo=${SONIC_RELEASE_REPO:-sonicsaas/sonic-release}
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "install.sh: unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "install.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
archive="sonic-release_${version#v}_${os}_${arch}.tar.gz"
base="$server/$repo/releases/download/$version"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/$archive" "$base/$archive"
curl -fsSL --retry 3 -o "$tmp/checksums.txt" "$base/checksums.txt"
(cd "$tmp" && grep " $archive\$" checksums.txt | sha256sum -c --strict -) >&2 || {
	echo "install.sh: $archive does not match checksums.txt of $version: refusing to install" >&2
	exit 1
}
tar -xzf "$tmp/$archive" -C "$tmp" sonic-release
install -m 0755 "$tmp/sonic-release" "$dest/sonic-release"
echo "installed sonic-release $version to $dest" >&2
