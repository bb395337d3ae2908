#!/usr/bin/env bash
# Benchmark of `sonic-release notes` on a synthetic release: 10,000 commits,
# 1,000 pull requests (500 squash-merged, 500 merged with 17 branch commits),
# 200 migrations, built once with git fast-import. Prints the three Go
# benchmarks of notes/bench_test.go and the ratio notes / git log floor.
#
#   bench/notes.sh            3 runs each
#   COUNT=10 bench/notes.sh   more runs
#
# Targets (docs/benchmarks.md): notes from the clone <= 2x the time of
# `git log --name-status` over the same range; GitHub calls <= ceil(PRs/100)+3.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
count="${COUNT:-3}"
out=$(go test ./notes -run '^$' -bench 'GitLogFloor|NotesLocal|NotesGitHub' -benchtime "${count}x" -count 1)
echo "$out" | grep -E '^(goos|goarch|cpu|Benchmark)'
floor=$(echo "$out" | awk '/^BenchmarkGitLogFloor/ {print $3}')
local_ns=$(echo "$out" | awk '/^BenchmarkNotesLocal/ {print $3}')
calls=$(echo "$out" | awk '/^BenchmarkNotesGitHub/ {print $5}')
awk -v f="$floor" -v l="$local_ns" -v c="$calls" 'BEGIN {
	printf "notes (local) / git log --name-status floor: %.2fx (target <= 2x)\n", l / f
	printf "GitHub calls: %s (target <= %d)\n", c, 1000 / 100 + 3
	if (l / f > 2 || c > 13) exit 1
}'
