#!/usr/bin/env bash
# Throughput of the migrations classifier, side by side with squawk on the
# same files in the same run: the nine drizzle-kit fixtures copied 34 times
# (306 files). Needs npm (for squawk-cli, pinned) and Go.
#
#   bench/migrations.sh            # prints files/s for both
set -euo pipefail
cd "$(dirname "$0")/.."
SQUAWK=2.66.0
COPIES=${COPIES:-34}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/files" "$work/npm"
for i in $(seq 1 "$COPIES"); do
	for f in migrations/testdata/drizzle/*.sql; do
		cp "$f" "$work/files/$(printf '%03d' "$i")_$(basename "$f")"
	done
done
n=$(ls "$work/files" | wc -l)

(cd "$work/npm" && npm init -y >/dev/null && npm install --no-audit --no-fund --save-exact "squawk-cli@$SQUAWK" >/dev/null 2>&1)
squawk="$work/npm/node_modules/.bin/squawk"
"$squawk" --version

# squawk: one process over all files (its normal use), best of 3.
best=
for _ in 1 2 3; do
	start=$(date +%s.%N)
	"$squawk" --reporter json "$work/files"/*.sql >/dev/null || true
	end=$(date +%s.%N)
	t=$(echo "$end - $start" | bc -l)
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
printf 'squawk %s: %d files in %.3fs = %.0f files/s\n' "$SQUAWK" "$n" "$best" "$(echo "$n / $best" | bc -l)"

# sonic-release: the Go benchmark over the same files.
MIGRATIONS_BENCH_DIR="$work/files" go test -run '^$' -bench BenchmarkClassify -benchtime 10x -count 3 ./migrations/ |
	awk -v n="$n" '/BenchmarkClassify/ { for (i = 1; i <= NF; i++) if ($(i+1) == "files/s") printf "sonic-release classifier: %d files, %s files/s\n", n, $i }'
