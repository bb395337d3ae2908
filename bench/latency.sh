#!/usr/bin/env bash
# Release latency benchmark (docs/benchmarks.md, issue 12): sonic-release,
# the YAML glue (crane copy + crane tag + cosign sign --key) and crane as a
# library, releasing a key-signed 2-platform index through a proxy that adds
# a round trip per request and per new connection in front of the real
# distribution registry. Runs offline (a private network namespace with only
# loopback, when root) and prints the go test -bench output and a Markdown
# table per round trip.
#
#   bench/latency.sh                        0 (loopback), 20ms and 80ms, 3 runs each
#   RTTS="20ms" COUNT=5 bench/latency.sh    20ms only, 5 runs (RTTS in ms)
#   BENCH=BenchmarkReleaseLatency/rerun bench/latency.sh   one scenario
#   SONIC_BENCH_TRACE=1 BENCH=BenchmarkReleaseLatency/rerun/repos=1/sonic-release bench/latency.sh
#                                           every request of each run, by time
#
# "rt" is wall ÷ RTT (the critical path in round trips, CPU included);
# "net rt" is (wall − wall at RTT 0) ÷ RTT, the round trips alone, when
# RTT 0 is among RTTS.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export SONIC_TOOLS="${SONIC_TOOLS:-$PWD/.tools}"
scripts/tools.sh "$SONIC_TOOLS"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
go build -o "$out/sonic-release" ./cmd/sonic-release
go test -c -o "$out/bench.test" ./bench/

offline=()
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && [ "${OFFLINE_NETNS:-1}" = 1 ]; then
	offline=(unshare --net -- bash -c 'ip link set lo up && exec "$@"' bash)
else
	echo "latency.sh: not root or no unshare: running on the host's loopback (the benchmark only uses 127.0.0.1)" >&2
fi
for rtt in ${RTTS:-0 20ms 80ms}; do
	echo "== RTT $rtt"
	(cd bench && SONIC_RELEASE_BIN="$out/sonic-release" SONIC_BENCH_RTT="$rtt" "${offline[@]}" "$out/bench.test" \
		-test.run '^$' -test.bench "${BENCH:-BenchmarkReleaseLatency}" -test.benchtime "${COUNT:-3}x" -test.timeout 60m ${SONIC_BENCH_TRACE:+-test.v}) | tee "$out/rtt-$rtt.txt"
done

for rtt in ${RTTS:-0 20ms 80ms}; do
	echo
	echo "RTT $rtt"
	echo
	echo "| scenario | repos | tool | wall (ms) | rt | net rt | requests | new conns | pings | blob GETs | writes |"
	echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	base="$out/rtt-0.txt"
	{ [ -f "$base" ] && [ "$rtt" != 0 ]; } || base=/dev/null
	awk -v rtt="$rtt" -v basefile="$base" '
	function key(f,   p, t) { split(f, p, "/"); t = p[4]; sub(/-[0-9]+$/, "", t); return p[2] "/" p[3] "/" t }
	function field(unit,   i) { for (i = 3; i <= NF; i++) if ($(i) == unit) return $(i-1); return "" }
	!/^BenchmarkReleaseLatency\// { next }
	FILENAME == basefile { base[key($1)] = field("ns/op"); next }
	{
		split($1, p, "/"); sub("repos=", "", p[3]); tool = p[4]; sub(/-[0-9]+$/, "", tool)
		ns = field("ns/op"); r = rtt; sub("ms", "", r)
		rt = (r > 0) ? sprintf("%.0f", ns / 1e6 / r) : "–"
		b = base[key($1)]
		net = (r > 0 && b != "") ? sprintf("%.0f", (ns - b) / 1e6 / r) : "–"
		printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n", p[2], p[3], tool, ns / 1e6, rt, net,
			field("requests/op") + 0, field("conns/op") + 0, field("pings/op") + 0, field("blobgets/op") + 0, field("writes/op") + 0
	}' "$base" "$out/rtt-$rtt.txt"
done
