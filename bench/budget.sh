#!/usr/bin/env bash
# The performance budget of the binary (docs/benchmarks.md):
#   - size of the release build (-trimpath -ldflags "-s -w"), target ≤ 35 MB,
#     and no Kubernetes or cloud SDK linked;
#   - start-up time of `sonic-release tags`, target ≤ 30 ms (hyperfine when
#     installed: apt-get install hyperfine; else a timed loop).
# The end-to-end release time, by step, is in the e2e test's log
# (scripts/test.sh ./e2e/... -v).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o "$out/sonic-release" ./cmd/sonic-release
size=$(stat -c %s "$out/sonic-release")
printf 'binary size: %d bytes (%.1f MB), target <= 35 MB\n' "$size" "$(echo "$size/1000000" | bc -l)"
heavy=$(go list -deps ./cmd/sonic-release | grep -cE '^(k8s\.io/|github\.com/aws/|github\.com/Azure/|cloud\.google\.com/)' || true)
echo "kubernetes / cloud SDK packages linked: $heavy (target 0)"

args=(tags --ref refs/tags/v1.2.3 --existing v1.2.2,v1.3.0)
if command -v hyperfine >/dev/null; then
	hyperfine --warmup 5 --runs "${RUNS:-100}" --export-json "$out/h.json" -N "$out/sonic-release ${args[*]}" >/dev/null
	python3 -c "import json;r=json.load(open('$out/h.json'))['results'][0];print('start-up of sonic-release tags: mean %.1f ms, median %.1f ms, max %.1f ms over %d runs (hyperfine), target <= 30 ms'%(r['mean']*1e3,r['median']*1e3,r['max']*1e3,len(r['times'])))"
else
	n=${RUNS:-100}
	start=$(date +%s%N)
	for _ in $(seq "$n"); do "$out/sonic-release" "${args[@]}" >/dev/null; done
	end=$(date +%s%N)
	echo "start-up of sonic-release tags: mean $(( (end - start) / n / 1000000 )) ms over $n runs (loop), target <= 30 ms"
fi
[ "$size" -le 35000000 ] && [ "$heavy" -eq 0 ]
