package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/gittest"
)

// TestNotesUpgradeTable: with the migration report of the range, the notes
// have the upgrade table; a column added in v1.1.0 and dropped in v1.2.0
// breaks v1.1.0, not v1.0.0. With --head (an untagged release, its
// migrations analysed by the command) the table
// is left out.
func TestNotesUpgradeTable(t *testing.T) {
	r := gittest.New(t)
	journal := func(tags ...string) string {
		var es []string
		for i, tag := range tags {
			es = append(es, fmt.Sprintf(`{"idx":%d,"version":"7","when":%d,"tag":%q,"breakpoints":true}`, i, 1000*(i+1), tag))
		}
		return `{"version":"7","dialect":"postgresql","entries":[` + strings.Join(es, ",") + `]}`
	}
	r.Commit("feat: users", map[string]string{"drizzle/0000_users.sql": `CREATE TABLE "users" ("id" serial PRIMARY KEY);`, "drizzle/meta/_journal.json": journal("0000_users")})
	r.Tag("v1.0.0")
	r.Commit("feat: nicknames", map[string]string{"drizzle/0001_nickname.sql": `ALTER TABLE "users" ADD COLUMN "nickname" text;`, "drizzle/meta/_journal.json": journal("0000_users", "0001_nickname")})
	r.Tag("v1.1.0")
	r.Commit("feat!: no nicknames", map[string]string{"drizzle/0002_drop_nickname.sql": `ALTER TABLE "users" DROP COLUMN "nickname";`, "drizzle/meta/_journal.json": journal("0000_users", "0001_nickname", "0002_drop_nickname")})
	r.Tag("v1.2.0")

	code, report, errs := runCLI(t, nil, "migrations", "--repo-dir", r.Dir, "--from", "v1.1.0", "--to", "v1.2.0", "-o", "json")
	if code != 0 {
		t.Fatalf("migrations: exit %d\n%s", code, errs)
	}
	file := writeFile(t, report)
	code, out, errs := runCLI(t, nil, "notes", "--version", "v1.2.0", "--repo-dir", r.Dir, "--migrations", file)
	if code != 0 {
		t.Fatalf("notes: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"### Upgrading from, rolling back to", "| v1.1.0 | 1 | v1.2.0 (`0002_drop_nickname`) | **restore the backup** |", "| v1.0.0 | 2 | none | no restore needed |"} {
		if !strings.Contains(out, want) {
			t.Errorf("notes lack %q:\n%s", want, out)
		}
	}
	code, out, errs = runCLI(t, nil, "notes", "--version", "v1.3.0", "--head", "HEAD", "--repo-dir", r.Dir)
	if code != 0 || strings.Contains(out, "### Upgrading from") {
		t.Errorf("notes of an untagged release: exit %d, table in:\n%s\n%s", code, out, errs)
	}
}
