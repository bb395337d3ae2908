#!/usr/bin/env bash
# Release-with-GitHub latency benchmark (docs/benchmarks.md, "A release
# with GitHub over a network"): the whole `sonic-release release` job of a
# version (tags, key signatures, provenance and attestations, the notes
# published into the GitHub release) with the fake GitHub and the real
# distribution registry each behind a proxy that adds a round trip per
# request and per new connection. bench/latency.sh builds and runs it
# (offline when root); this prints a Markdown table per round trip.
#
#   bench/github-latency.sh                       0 (loopback), 20ms and 80ms, 3 runs each
#   RTTS="20ms" COUNT=5 bench/github-latency.sh   20ms only, 5 runs
#   SONIC_BENCH_TRACE=1 BENCH='BenchmarkReleaseGitHubLatency/tag-push$' RTTS=20ms COUNT=1 bench/github-latency.sh
#                                                 every GitHub call and registry request, one timeline
#
# "rt" is wall ÷ RTT (the critical path in round trips, CPU included);
# "net rt" is (wall − wall at RTT 0) ÷ RTT, the round trips alone, when
# RTT 0 is among RTTS.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export RTTS="${RTTS:-0 20ms 80ms}"
# latency.sh's own tables (of BenchmarkReleaseLatency) come out empty: the
# go test output is everything before them.
BENCH="${BENCH:-BenchmarkReleaseGitHubLatency}" bench/latency.sh | tee "$out/all.txt" | sed -u '/^RTT /,$d'
awk -v dir="$out" '/^== RTT /{ f = dir "/rtt-" $3 ".txt"; next } /^RTT /{ exit } f { print > f }' "$out/all.txt"

for rtt in $RTTS; do
	echo
	echo "RTT $rtt"
	echo
	echo "| scenario | wall (ms) | rt | net rt | GitHub calls | registry requests |"
	echo "|---|---:|---:|---:|---:|---:|"
	base="$out/rtt-0.txt"
	{ [ -f "$base" ] && [ "$rtt" != 0 ]; } || base=/dev/null
	awk -v rtt="$rtt" -v basefile="$base" '
	function key(f,   p) { split(f, p, "/"); sub(/-[0-9]+$/, "", p[2]); return p[2] }
	function field(unit,   i) { for (i = 3; i <= NF; i++) if ($(i) == unit) return $(i-1); return "" }
	!/^BenchmarkReleaseGitHubLatency\// { next }
	FILENAME == basefile { base[key($1)] = field("ns/op"); next }
	{
		sc = key($1); ns = field("ns/op"); r = rtt; sub("ms", "", r)
		rt = (r > 0) ? sprintf("%.0f", ns / 1e6 / r) : "–"
		b = base[sc]
		net = (r > 0 && b != "") ? sprintf("%.0f", (ns - b) / 1e6 / r) : "–"
		printf "| %s | %.0f | %s | %s | %s | %s |\n", sc, ns / 1e6, rt, net, field("ghcalls/op") + 0, field("requests/op") + 0
	}' "$base" "$out/rtt-$rtt.txt"
done
