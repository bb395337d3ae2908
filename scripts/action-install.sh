#!/usr/bin/env bash
# Installs the sonic-release binary for action.yml, verified against the
# action's own commit: never an unverified binary.
#
#   scripts/action-install.sh plan            prints method=release|source (no network)
#   scripts/action-install.sh install DEST    installs DEST/sonic-release
#
# What the commit fixes: dist/checksums.txt, the checksums.txt of the
# release the commit seals (the release workflow commits it after uploading
# the archives; see docs/action.md). With it, the release's archive for this
# OS and CPU is downloaded and must have exactly the committed SHA-256: a
# mismatch is refused, with no fallback. Without it (a commit that seals no
# release, or no archive for this platform), or when the download fails,
# the binary is built from the action's own source, which the commit pins
# (needs Go; action.yml sets it up when the plan says "source").
#
# Environment:
#   ACTION_PATH             the action's checkout (default: this script's ..)
#   VERSION                 the action's `version` input: when set it must be
#                           the release the commit seals
#   SONIC_RELEASE_BASE_URL  where releases are downloaded from (default
#                           $GITHUB_SERVER_URL/$SONIC_RELEASE_REPO/releases/download;
#                           tests use a loopback server)
#   SONIC_RELEASE_REPO      default sonicsaas/sonic-release
#   GITHUB_OUTPUT           when set, plan also writes method=… there
set -euo pipefail

die() {
	echo "action-install.sh: $*" >&2
	exit 1
}

mode=${1:-}
action_path=${ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
manifest="$action_path/dist/checksums.txt"

case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) die "unsupported OS $(uname -s)" ;; esac
case "$(uname -m)" in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) die "unsupported CPU $(uname -m)" ;; esac

# The committed entry for this platform: "<sha256>  sonic-release_<ver>_<os>_<arch>.tar.gz".
sum="" archive="" version=""
if [ -f "$manifest" ]; then
	while read -r s f; do
		f=${f#\*} # sha256sum's binary-mode marker
		case "$f" in
		sonic-release_*_"${os}_${arch}".tar.gz) ;;
		*) continue ;;
		esac
		[[ $s =~ ^[0-9a-f]{64}$ ]] || die "$manifest: malformed checksum for $f"
		sum=$s archive=$f
		version=v${f#sonic-release_}
		version=${version%_"${os}_${arch}".tar.gz}
	done <"$manifest"
fi
if [ -n "${VERSION:-}" ] && [ -n "$version" ] && [ "v${VERSION#v}" != "$version" ]; then
	die "this commit of the action seals sonic-release $version, not $VERSION: pin the commit that seals $VERSION (docs/action.md), or leave out the version input"
fi

method=source
[ -n "$sum" ] && method=release

case "$mode" in
plan)
	echo "method=$method"
	if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "method=$method" >>"$GITHUB_OUTPUT"; fi
	exit 0
	;;
install) ;;
*) die "usage: action-install.sh plan | install DEST" ;;
esac
dest=${2:?usage: action-install.sh install DEST}
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() {
	command -v go >/dev/null || die "no verified release binary ($1), and Go is not installed to build the pinned source: add actions/setup-go before this action"
	echo "action-install.sh: $1: building sonic-release from the action's source" >&2
	(cd "$action_path" && CGO_ENABLED=1 go build -trimpath -o "$tmp/sonic-release" ./cmd/sonic-release) ||
		die "building sonic-release from $action_path failed"
	install -m 0755 "$tmp/sonic-release" "$dest/sonic-release"
	echo "action-install.sh: built sonic-release from source into $dest" >&2
}

if [ "$method" = source ]; then
	if [ -f "$manifest" ]; then
		build "dist/checksums.txt has no archive for $os/$arch"
	else
		build "this commit seals no release (no dist/checksums.txt)"
	fi
	exit 0
fi

base=${SONIC_RELEASE_BASE_URL:-${GITHUB_SERVER_URL:-https://github.com}/${SONIC_RELEASE_REPO:-sonicsaas/sonic-release}/releases/download}
if ! curl -fsSL --retry 3 -o "$tmp/$archive" "$base/$version/$archive"; then
	build "downloading $archive of $version failed"
	exit 0
fi
if command -v sha256sum >/dev/null; then
	got=$(sha256sum "$tmp/$archive" | cut -d' ' -f1)
else # macOS without coreutils
	got=$(shasum -a 256 "$tmp/$archive" | cut -d' ' -f1)
fi
if [ "$got" != "$sum" ]; then
	# A tampered or replaced release asset: refuse, do not fall back.
	die "$archive of $version has SHA-256 $got, but this commit of the action pins $sum: refusing to install it"
fi
tar -xzf "$tmp/$archive" -C "$tmp" sonic-release
install -m 0755 "$tmp/sonic-release" "$dest/sonic-release"
echo "action-install.sh: installed sonic-release $version ($archive, SHA-256 as committed) into $dest" >&2
