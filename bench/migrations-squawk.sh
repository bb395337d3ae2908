#!/usr/bin/env bash
# Compares the verdicts of `sonic-release migrations` with squawk's on the
# drizzle-kit fixtures: the range v1.0.0 (0000_init shipped) to HEAD (all
# nine migrations), one line per statement. squawk's style rules (timeouts,
# IF NOT EXISTS, bigint, text, identity, timestamptz) are left out: they do
# not judge compatibility. Disagreements are explained in docs/migrations.md.
#
#   bench/migrations-squawk.sh     # prints a Markdown table
set -euo pipefail
cd "$(dirname "$0")/.."
SQUAWK=2.66.0
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(mkdir "$work/npm" && cd "$work/npm" && npm init -y >/dev/null && npm install --no-audit --no-fund --save-exact "squawk-cli@$SQUAWK" >/dev/null 2>&1)
go build -o "$work/sonic-release" ./cmd/sonic-release

repo=$work/repo
g() { git -C "$repo" -c commit.gpgsign=false "$@"; }
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$repo/drizzle/meta"
git -c init.defaultBranch=main init -q "$repo"
journal() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); j['entries']=j['entries'][:int(sys.argv[2])]; print(json.dumps(j, indent=2))" "$root/migrations/testdata/drizzle/meta/_journal.json" "$1"; }
cp "$root/migrations/testdata/drizzle/0000_init.sql" "$repo/drizzle/"
journal 1 >"$repo/drizzle/meta/_journal.json"
g add -A && g commit -qm init && g tag v1.0.0
cp "$root"/migrations/testdata/drizzle/*.sql "$repo/drizzle/"
journal 9 >"$repo/drizzle/meta/_journal.json"
g add -A && g commit -qm rest

"$work/sonic-release" migrations --repo-dir "$repo" --from v1.0.0 -o json >"$work/ours.json"
(cd "$repo" && "$work/npm/node_modules/.bin/squawk" --reporter json $(ls drizzle/0*.sql | grep -v 0000_init) >"$work/squawk.json" || true)

python3 - "$work/ours.json" "$work/squawk.json" <<'PY'
import json, sys, collections
ours = json.load(open(sys.argv[1]))
sq = json.load(open(sys.argv[2]))
style = {"require-lock-timeout", "require-statement-timeout", "prefer-robust-stmts", "prefer-bigint-over-int",
         "prefer-bigint-over-smallint", "prefer-text-field", "prefer-identity", "prefer-timestamptz",
         "prefer-timestamp-tz", "transaction-nesting", "ban-char-field", "require-timeout-settings"}
rules = collections.defaultdict(set)
for d in sq:
    if d["rule_name"] in style:
        continue
    rules[(d["file"].split("/")[-1], d["line"] + 1)].add(d["rule_name"])
rows, seen, disagree = [], set(), 0
for m in ours["migrations"]:
    fname = m["file"].split("/")[-1]
    for f in m["findings"]:
        key = (fname, f["line"])
        r = sorted(rules.get(key, ()))
        first = key not in seen
        seen.add(key)
        flagged = bool(r) and first
        mark = "" if f["breaking"] == flagged or (not first and f["breaking"]) else "**differs**"
        if mark:
            disagree += 1
        rows.append(f"| {fname}:{f['line']} | {f['class']} | {'breaking' if f['breaking'] else 'compatible'} | {', '.join(r) if first else '(same line)'} | {mark} |")
for key in sorted(set(rules) - seen):
    rows.append(f"| {key[0]}:{key[1]} | (no statement) | - | {', '.join(sorted(rules[key]))} | **differs** |")
    disagree += 1
print("| statement | sonic-release class | sonic-release | squawk rules (style rules left out) | |")
print("|---|---|---|---|---|")
print("\n".join(rows))
print(f"\n{len(rows)} rows, {disagree} disagreements")
PY
