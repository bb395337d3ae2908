#!/usr/bin/env bash
# Registry benchmark (docs/benchmarks.md): sonic-release vs a `crane tag`
# loop vs `crane copy`, publishing 6/24/96 tags into 1 and 3 repositories
# of the real distribution registry on loopback. Prints the go test -bench
# output and a Markdown table of wall time and registry requests per run.
#
#   bench/registry.sh            3 runs of each case
#   COUNT=5 bench/registry.sh    5 runs
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export SONIC_TOOLS="${SONIC_TOOLS:-$PWD/.tools}"
scripts/tools.sh "$SONIC_TOOLS"
bin="$(mktemp -d)/sonic-release"
go build -o "$bin" ./cmd/sonic-release
out="$(mktemp)"
SONIC_RELEASE_BIN="$bin" go test -run '^$' -bench 'BenchmarkRegistry' -benchtime "${COUNT:-3}x" -timeout 30m ./bench/ | tee "$out"
echo
echo "| tags | repos | tool | wall time (ms) | requests | writes |"
echo "|---:|---:|---|---:|---:|---:|"
awk '/^BenchmarkRegistry\// {
	split($1, p, "/"); sub("tags=", "", p[2]); sub("repos=", "", p[3]); tool = p[4]; sub(/-[0-9]+$/, "", tool)
	for (i = 3; i <= NF; i++) { if ($(i) == "ns/op") ns = $(i-1); if ($(i) == "requests/op") rq = $(i-1); if ($(i) == "writes/op") wr = $(i-1) }
	printf "| %s | %s | %s | %.0f | %s | %s |\n", p[2], p[3], tool, ns / 1e6, rq, wr
}' "$out"
