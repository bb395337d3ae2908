package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/notes"
)

// drizzleJournal is drizzle-kit's meta/_journal.json for the migrations tags.
func drizzleJournal(tags ...string) string {
	var e []string
	for i, tag := range tags {
		e = append(e, fmt.Sprintf(`{"idx":%d,"version":"7","when":%d,"tag":%q,"breakpoints":true}`, i, 1764000000000+int64(i)*60000, tag))
	}
	return `{"version":"7","dialect":"postgresql","entries":[` + strings.Join(e, ",") + "]}\n"
}

// drizzleFixture is a repository with Drizzle migrations in drizzle/:
// v1.0.0 creates users; v1.1.0 drops users.nickname (breaking for v1.0.0)
// and creates orders, in two squash-merged pull requests. The fake GitHub
// knows the pull requests, the commits and the tags.
func drizzleFixture(t *testing.T) (*gittest.Repo, *fakegithub.Server) {
	r := gittest.New(t)
	r.Commit("chore: initial schema", map[string]string{
		"drizzle/0000_init.sql":      "CREATE TABLE \"users\" (\n\t\"id\" serial PRIMARY KEY NOT NULL,\n\t\"nickname\" text\n);\n",
		"drizzle/meta/_journal.json": drizzleJournal("0000_init"),
	})
	r.Tag("v1.0.0")
	r.Commit("feat!: drop the nickname column (#1)", map[string]string{
		"drizzle/0001_drop_nickname.sql": "ALTER TABLE \"users\" DROP COLUMN \"nickname\";\n",
		"drizzle/meta/_journal.json":     drizzleJournal("0000_init", "0001_drop_nickname"),
	})
	r.Commit("feat: orders (#2)", map[string]string{
		"drizzle/0002_orders.sql":    "CREATE TABLE \"orders\" (\n\t\"id\" serial PRIMARY KEY NOT NULL,\n\t\"user_id\" integer\n);\n",
		"drizzle/meta/_journal.json": drizzleJournal("0000_init", "0001_drop_nickname", "0002_orders"),
	})
	r.Tag("v1.1.0")
	s := fakegithub.New(t)
	s.AddPull(notesRepo, fakegithub.PullRequest{Number: 1, Title: "feat!: drop the nickname column", Author: "alice", MergedAt: gittest.T0})
	s.AddPull(notesRepo, fakegithub.PullRequest{Number: 2, Title: "feat: orders", Author: "bob", MergedAt: gittest.T0})
	r.Seed(s, notesRepo)
	return r, s
}

// The migration section of the fixture's v1.1.0, as analysed.
var wantMigrationSection = []string{
	"### Database migrations",
	"> [!CAUTION]\n> This release contains database migrations that v1.0.0 cannot run against.",
	"#### Breaking for v1.0.0\n\n- **0001_drop_nickname** (`drizzle/0001_drop_nickname.sql`, added)",
	"#### Compatible\n\n- 0002_orders (`drizzle/0002_orders.sql`)",
}

// TestNotesAnalysesMigrations: the notes command alone flags the breaking
// migration, over the notes' own range; a report file of that range gives
// the same notes, one of another range is refused, and --no-migrations
// leaves the section out.
func TestNotesAnalysesMigrations(t *testing.T) {
	r, _ := drizzleFixture(t)
	code, out, errs := runCLI(t, nil, "notes", "--version", "v1.1.0", "--repo-dir", r.Dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, want := range wantMigrationSection {
		if !strings.Contains(out, want) {
			t.Errorf("notes lack %q:\n%s", want, out)
		}
	}

	code, js, errs := runCLI(t, nil, "notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "-o", "json")
	var n notes.Notes
	if code != 0 || json.Unmarshal([]byte(js), &n) != nil {
		t.Fatalf("exit %d, stdout %q\n%s", code, js, errs)
	}
	if m := n.Migrations; m == nil || m.From != "v1.0.0" || m.To != "v1.1.0" || len(m.Migrations) != 2 || !m.Migrations[0].Breaking || n.MigrationsError != "" {
		t.Errorf("json migrations = %+v, error %q", n.Migrations, n.MigrationsError)
	}

	// A report made before, of the same range: the same notes.
	code, report, errs := runCLI(t, nil, "migrations", "--repo-dir", r.Dir, "--from", "v1.0.0", "--to", "v1.1.0", "-o", "json")
	if code != 0 {
		t.Fatalf("migrations: exit %d\n%s", code, errs)
	}
	code, fromFile, errs := runCLI(t, nil, "notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--migrations", writeFile(t, report))
	if code != 0 || fromFile != out {
		t.Errorf("with --migrations: exit %d, notes differ from the analysed ones:\n%s\n%s", code, fromFile, errs)
	}

	// A report of another range is refused, with what to run instead.
	code, report, _ = runCLI(t, nil, "migrations", "--repo-dir", r.Dir, "--from", "v1.0.0", "--to", "v1.0.0", "-o", "json")
	if code != 0 {
		t.Fatalf("migrations: exit %d", code)
	}
	code, stdout, errs := runCLI(t, nil, "notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--migrations", writeFile(t, report))
	if code != exitBadInput || stdout != "" || !strings.Contains(errs, "the migration report covers v1.0.0..v1.0.0 but the notes cover v1.0.0..v1.1.0") ||
		!strings.Contains(errs, "sonic-release migrations --from v1.0.0 --to v1.1.0 -o json") {
		t.Errorf("report of another range: exit %d, stdout %q, stderr %q", code, stdout, errs)
	}

	// Off: no analysis, no section.
	code, out, errs = runCLI(t, nil, "notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--no-migrations", "-o", "json")
	n = notes.Notes{}
	if code != 0 || json.Unmarshal([]byte(out), &n) != nil || n.Migrations != nil || strings.Contains(out, "Database migrations") {
		t.Errorf("--no-migrations: exit %d, migrations %+v\n%s", code, n.Migrations, errs)
	}

	// --migrations-dir names the folder: elsewhere there are none.
	code, out, errs = runCLI(t, nil, "notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--migrations-dir", "db")
	if code != 0 || strings.Contains(out, "Database migrations") {
		t.Errorf("--migrations-dir db: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runCLI(t, nil, "notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--migrations-dir", "./drizzle/")
	if code != 0 || !strings.Contains(out, wantMigrationSection[2]) {
		t.Errorf("--migrations-dir ./drizzle/: exit %d\n%s", code, out)
	}
}

// TestNotesMigrationFlagErrors: contradictory migration flags are usage
// errors (exit 2).
func TestNotesMigrationFlagErrors(t *testing.T) {
	r, _ := drizzleFixture(t)
	report := writeFile(t, `{"from":"v1.0.0","to":"v1.1.0","dir":"drizzle","migrations":[],"problems":[]}`)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--no-migrations", "--migrations", report}, "--no-migrations leaves the migrations out"},
		{[]string{"--no-migrations", "--migrations-dir", "drizzle"}, "--no-migrations leaves the migrations out"},
		{[]string{"--migrations", report, "--migrations-dir", "drizzle"}, "with --migrations FILE nothing is analysed"},
		{[]string{"--on-migration-error", "ignore"}, `--on-migration-error "ignore": expected fail or warn`},
	} {
		args := append([]string{"notes", "--version", "v1.1.0", "--repo-dir", r.Dir}, tt.args...)
		code, out, errs := runCLI(t, nil, args...)
		if code != exitBadInput || out != "" || !strings.Contains(errs, tt.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errs, tt.want)
		}
	}
}

// TestNotesMigrationAnalysisFails: in a clone made as actions/checkout makes
// it by default (one commit, no tags) the notes can come from GitHub, but
// the migrations cannot be analysed. The command fails and publishes
// nothing; with --on-migration-error=warn it publishes notes that say the
// analysis failed and why, and warns.
func TestNotesMigrationAnalysisFails(t *testing.T) {
	r, s := drizzleFixture(t)
	s.AddRelease(notesRepo, fakegithub.Release{TagName: "v1.1.0", Body: "Highlights."})
	clone := filepath.Join(t.TempDir(), "clone")
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "--no-tags", "file://"+r.Dir, clone)
	cmd.Env = gittest.Env(gittest.T0)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_API_URL": s.URL, "GITHUB_REPOSITORY": notesRepo, "GITHUB_STEP_SUMMARY": summary}
	args := []string{"notes", "--version", "v1.1.0", "--repo-dir", clone, "--publish"}

	code, out, errs := runCLI(t, env, args...)
	for _, want := range []string{`sonic-release: analysing the migrations of v1.1.0: ref "v1.1.0" is not a commit of the repository`, "fetch-depth: 0", "--on-migration-error=warn"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if code != exitFailure || out != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing", code, out)
	}
	if rel, _ := s.Release(notesRepo, "v1.1.0"); rel.Body != "Highlights." {
		t.Errorf("the release was written: %q", rel.Body)
	}
	if _, err := os.Stat(summary); err == nil {
		t.Error("the step summary was written")
	}

	code, out, errs = runCLI(t, env, append(args, "--on-migration-error=warn")...)
	if code != 0 {
		t.Fatalf("warn: exit %d\n%s", code, errs)
	}
	section := "### Database migrations\n\n> [!CAUTION]\n> The migrations of this release could not be analysed: ref \"v1.1.0\" is not a commit of the repository"
	if !strings.Contains(out, section) || !strings.Contains(out, "> Whether v1.0.0 can run against them is unknown. **Back up the database before upgrading**") {
		t.Errorf("notes lack the failed analysis:\n%s", out)
	}
	if !strings.Contains(out, "- feat: orders by @bob (#2)") {
		t.Errorf("notes lack the changes:\n%s", out)
	}
	if rel, _ := s.Release(notesRepo, "v1.1.0"); !strings.Contains(rel.Body, section) {
		t.Errorf("published body lacks the failed analysis: %q", rel.Body)
	}
	wantWarning := "::warning title=release notes v1.1.0::the migration analysis failed (ref \"v1.1.0\" is not a commit of the repository"
	if !strings.Contains(errs, "warning: the migration analysis failed") || !strings.Contains(errs, wantWarning) {
		t.Errorf("stderr lacks the warning and its annotation:\n%s", errs)
	}

	code, js, errs := runCLI(t, env, "notes", "--version", "v1.1.0", "--repo-dir", clone, "--on-migration-error", "warn", "-o", "json")
	var n notes.Notes
	if code != 0 || json.Unmarshal([]byte(js), &n) != nil {
		t.Fatalf("json: exit %d\n%s", code, errs)
	}
	if n.Migrations != nil || !strings.HasPrefix(n.MigrationsError, `ref "v1.1.0" is not a commit of the repository`) || n.Range.Source != "github-compare" {
		t.Errorf("json: migrations %+v, migrations_error %q, range %+v", n.Migrations, n.MigrationsError, n.Range)
	}
}
