package migrations_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/migrations"
)

// TestAnalyzeSymlinks: a migration file committed as a symbolic link (git
// mode 120000) is a problem that says so; it is never read or followed,
// inside the repository or out of it, and its journal entry is not
// reported as missing its file. Analyze and the history agree.
func TestAnalyzeSymlinks(t *testing.T) {
	r := releases(t)
	link := func(name, target string) {
		t.Helper()
		p := filepath.Join(r.Dir, "db/migrations", name)
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	link("0006_drops.sql", "0005_renames.sql")  // in the repository
	link("0007_enum.sql", "/etc/passwd")        // out of it
	link("meta/_journal.json", "../../../../x") // the journal itself
	r.Commit("links")
	r.Tag("v1.3.0")

	want := []string{
		"db/migrations/0006_drops.sql: db/migrations/0006_drops.sql is a symbolic link (git mode 120000)",
		"db/migrations/0007_enum.sql: db/migrations/0007_enum.sql is a symbolic link (git mode 120000)",
		"db/migrations/meta/_journal.json: db/migrations/meta/_journal.json is a symbolic link (git mode 120000)",
	}
	check := func(what string, rep migrations.Report) {
		t.Helper()
		var got []string
		for _, p := range rep.Problems {
			got = append(got, p.File+": "+strings.SplitN(p.Reason, ":", 2)[0])
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: problems (-want +got):\n%s", what, diff)
		}
		if diff := cmp.Diff([]string{"0005_renames:added", "0008_custom:added"}, names(rep)); diff != "" {
			t.Errorf("%s: migrations (-want +got):\n%s", what, diff)
		}
		for _, m := range rep.Migrations {
			for _, f := range m.Findings {
				if strings.Contains(f.Statement, "root") || strings.Contains(f.Statement, "0005_renames.sql") {
					t.Errorf("%s: a link was read: %+v", what, f)
				}
			}
		}
	}
	rep, err := migrations.Analyze(t.Context(), r.Dir, "v1.2.0", "v1.3.0")
	if err != nil {
		t.Fatal(err)
	}
	check("Analyze", rep)
	h, err := migrations.ReadHistory(t.Context(), r.Dir, "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err = h.Between("v1.2.0", "v1.3.0")
	if err != nil {
		t.Fatal(err)
	}
	check("History", rep)
}
