#!/usr/bin/env bash
# Regenerates migrations/testdata/drizzle with the real drizzle-kit, pinned,
# from the schema steps in migrations/testdata/drizzle-src (one schema.ts per
# step, applied in order, one `drizzle-kit generate` each). Needs node and npm
# with the npm registry reachable; generation itself is offline, no database.
#
# Renames: drizzle-kit asks interactively ("created or renamed?"). The
# prompts are answered through a pseudo-terminal (python3's pty module):
# for step 05_renames every question is answered "rename" (arrow down,
# Enter); for every other step, the default ("create") is taken.
# Custom migrations: 08_custom.sql is copied into the empty file made by
# `drizzle-kit generate --custom`.
#
# The tests never run this script: they read the committed output.
set -euo pipefail
cd "$(dirname "$0")/.."
DRIZZLE_KIT=0.31.11
DRIZZLE_ORM=0.45.4
# The 1.0 layout (<timestamp>_<name>/migration.sql), from the release candidate.
DRIZZLE_V1=1.0.0-rc.5-5935859
src=$PWD/migrations/testdata/drizzle-src
dest=$PWD/migrations/testdata/drizzle
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact "drizzle-kit@$DRIZZLE_KIT" "drizzle-orm@$DRIZZLE_ORM" >/dev/null
mkdir src
cat >drizzle.config.ts <<'CFG'
import { defineConfig } from "drizzle-kit";
export default defineConfig({ dialect: "postgresql", schema: "./src/schema.ts", out: "./drizzle" });
CFG

# generate NAME ANSWER: runs drizzle-kit generate in a pty, answering every
# prompt with ANSWER ("create" = Enter, "rename" = arrow down then Enter).
generate() {
	python3 - "$1" "$2" <<'PY'
import os, pty, sys, time, select
name, answer = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("npx", ["npx", "drizzle-kit", "generate", "--name", name])
out = b""
last = 0
while True:
    r, _, _ = select.select([fd], [], [], 1.0)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
        continue
    # Idle for a second after a question: answer it.
    if b"renamed" in out[last:]:
        if answer == "rename":
            os.write(fd, b"\x1b[B")
            time.sleep(0.3)
        os.write(fd, b"\r")
        last = len(out)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
}

for step in "$src"/0*.ts; do
	name=$(basename "$step" .ts)
	name=${name#*_}
	cp "$step" src/schema.ts
	answer=create
	[ "$name" = renames ] && answer=rename
	generate "$name" "$answer" >"$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
done
npx drizzle-kit generate --custom --name custom >/dev/null
custom=$(ls drizzle/*_custom.sql)
cp "$src/08_custom.sql" "$custom"

rm -rf "$dest"
cp -r drizzle "$dest"
echo "drizzle-fixtures: wrote $(ls "$dest"/*.sql | wc -l) migrations to $dest (drizzle-kit $DRIZZLE_KIT, drizzle-orm $DRIZZLE_ORM)"

# The 1.0 layout: steps 00 to 04 (no renames), then removing an enum value.
# Folder names start with the generation time in seconds: one step a second.
v1=$work/v1
mkdir -p "$v1/src"
cd "$v1"
npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact "drizzle-kit@$DRIZZLE_V1" "drizzle-orm@$DRIZZLE_V1" >/dev/null
cp "$work/drizzle.config.ts" .
for step in 00_init 01_additive 02_required 03_types 04_constraints v1_05_enum; do
	cp "$src/$step.ts" src/schema.ts
	npx drizzle-kit generate --name "${step##*_}" </dev/null >"$work/v1-$step.log" 2>&1 || { cat "$work/v1-$step.log"; exit 1; }
	sleep 1.1
done
rm -rf "$dest-v1"
cp -r drizzle "$dest-v1"
echo "drizzle-fixtures: wrote $(ls -d "$dest-v1"/*/ | wc -l) migrations to $dest-v1 (drizzle-kit $DRIZZLE_V1)"
