#!/usr/bin/env bash
# The test command of README.md (and of .ci/run): installs or builds
# everything the tests need, then runs every Go test inside a private
# network namespace with only loopback up, so nothing can leave the machine.
#
#   scripts/test.sh                 all tests
#   scripts/test.sh ./tagging/...   some packages
#   RACE=1 scripts/test.sh          with the race detector
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export SONIC_TOOLS="${SONIC_TOOLS:-$PWD/.tools}"
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)
race=()
[ "${RACE:-0}" = 1 ] && race=(-race)

scripts/tools.sh "$SONIC_TOOLS"
go mod download
go vet "${pkgs[@]}"
# Build the test binaries while the module proxy is reachable; the run
# below is offline.
go test "${race[@]}" -count=1 -run '^$' "${pkgs[@]}" >/dev/null

cmd=(go test "${race[@]}" -count=1 -timeout 45m "${pkgs[@]}")
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && [ "${OFFLINE_NETNS:-1}" = 1 ]; then
	exec unshare --net -- bash -c 'ip link set lo up && export GOPROXY=off && exec "$@"' bash "${cmd[@]}"
fi
echo "test.sh: not root or no unshare: running on the host's loopback (tests still only use 127.0.0.1)" >&2
exec "${cmd[@]}"
