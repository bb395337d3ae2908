package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/migrations"
)

// migrationsRepo builds a git repository with two releases: v1.0.0 makes
// users, HEAD renames a column (breaking) and adds an index (compatible).
func migrationsRepo(t *testing.T) string {
	t.Helper()
	return migrationsRepoWith(t, "ALTER TABLE \"users\" RENAME COLUMN \"title\" TO \"name\";--> statement-breakpoint\nCREATE INDEX \"users_name\" ON \"users\" (\"name\");\n")
}

// reviewSQL adds a trigger to users: the analyser cannot see what it does,
// so the range needs review but is not judged breaking.
const reviewSQL = "CREATE TRIGGER \"users_touch\" BEFORE UPDATE ON \"users\" FOR EACH ROW EXECUTE FUNCTION touch();\n"

// migrationsRepoWith builds v1.0.0 (users) and HEAD with one more migration, next.
func migrationsRepoWith(t *testing.T, next string) string {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(path, data string) {
		t.Helper()
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	journal := func(tags ...string) string {
		var e []string
		for i, tag := range tags {
			e = append(e, `{"idx":`+string(rune('0'+i))+`,"version":"7","when":`+string(rune('1'+i))+`000,"tag":"`+tag+`","breakpoints":true}`)
		}
		return `{"version":"7","dialect":"postgresql","entries":[` + strings.Join(e, ",") + `]}`
	}
	git("-c", "init.defaultBranch=main", "init", "-q")
	write("drizzle/0000_init.sql", "CREATE TABLE \"users\" (\"id\" serial PRIMARY KEY, \"title\" text);\n")
	write("drizzle/meta/_journal.json", journal("0000_init"))
	git("add", "-A")
	git("commit", "-qm", "init")
	git("tag", "v1.0.0")
	write("drizzle/0001_next.sql", next)
	write("drizzle/meta/_journal.json", journal("0000_init", "0001_next"))
	git("add", "-A")
	git("commit", "-qm", "next")
	return dir
}

func runMigrationsCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, ioStreams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestMigrationsCommand(t *testing.T) {
	repo := migrationsRepo(t)
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		code     int
		stdout   []string // substrings
		stderr   []string
		noStderr string
	}{
		{"text", []string{"migrations", "--repo-dir", repo}, nil, 0,
			[]string{"Migrations in drizzle from v1.0.0 to HEAD: 1 (1 breaking, 0 to review, 0 compatible)", "drizzle/0001_next.sql (0001_next, added): BREAKING", "VERDICT", "rename-column", "users.title", "breaking", "renames column users.title to name"}, nil, "::warning"},
		{"fail on review with a breaking range", []string{"migrations", "--repo-dir", repo, "--fail-on", "review"}, nil, 3,
			nil, []string{"--fail-on review: 1 breaking migration(s), 0 to review and 0 problem(s) between v1.0.0 and HEAD"}, ""},
		{"fail on breaking", []string{"migrations", "--repo-dir", repo, "--fail-on", "breaking"}, nil, 3,
			[]string{"BREAKING"}, []string{"--fail-on breaking: 1 breaking migration(s) and 0 problem(s) between v1.0.0 and HEAD"}, ""},
		{"fail on any", []string{"migrations", "--repo-dir", repo, "--fail-on", "any"}, nil, 3, nil, []string{"--fail-on any"}, ""},
		{"fail on breaking with a compatible range", []string{"migrations", "--repo-dir", repo, "--to", "v1.0.0", "--fail-on", "breaking"}, nil, 0,
			[]string{"from the first commit to v1.0.0: 1", "compatible"}, nil, ""},
		{"annotations in Actions", []string{"migrations", "--repo-dir", repo}, map[string]string{"GITHUB_ACTIONS": "true"}, 0,
			nil, []string{"::warning file=drizzle/0001_next.sql,line=1,title=breaking migration%3A rename-column::renames column users.title"}, ""},
		{"bad fail-on", []string{"migrations", "--repo-dir", repo, "--fail-on", "sometimes"}, nil, 2, nil, []string{`--fail-on "sometimes": expected breaking, review, any or never`}, ""},
		{"bad output", []string{"migrations", "--repo-dir", repo, "-o", "yaml"}, nil, 2, nil, []string{`-o "yaml"`}, ""},
		{"bad ref", []string{"migrations", "--repo-dir", repo, "--from", "v0.0.1"}, nil, 2, nil, []string{`ref "v0.0.1" is not a commit`}, ""},
		{"bad dir", []string{"migrations", "--repo-dir", repo, "--dir", "/abs"}, nil, 2, nil, []string{"relative to the repository root"}, ""},
		{"not a repository", []string{"migrations", "--repo-dir", t.TempDir()}, nil, 2, nil, []string{"is not a git repository"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMigrationsCLI(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tt.noStderr != "" && strings.Contains(stderr, tt.noStderr) {
				t.Errorf("stderr has %q:\n%s", tt.noStderr, stderr)
			}
		})
	}
}

func TestMigrationsJSONAndOutputs(t *testing.T) {
	repo := migrationsRepo(t)
	outputs := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runMigrationsCLI(t, map[string]string{"GITHUB_OUTPUT": outputs}, "migrations", "--repo-dir", repo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep migrations.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not a report: %v\n%s", err, stdout)
	}
	if rep.From != "v1.0.0" || rep.To != "HEAD" || len(rep.Migrations) != 1 || len(rep.Migrations[0].Findings) != 2 || !rep.Breaking() {
		t.Fatalf("report %+v", rep)
	}
	f := rep.Migrations[0].Findings[1]
	if f.Line != 2 || f.Class != migrations.Additive || f.Breaking || f.Statement != `CREATE INDEX "users_name" ON "users" ("name")` {
		t.Errorf("second finding %+v", f)
	}
	data, err := os.ReadFile(outputs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "breaking<<") || !strings.Contains(string(data), "\ntrue\n") {
		t.Errorf("outputs:\n%s", data)
	}
}

func TestMigrationsProblemsFailAndAnnotate(t *testing.T) {
	repo := migrationsRepo(t)
	// Edit the migration v1.0.0 shipped.
	if err := os.WriteFile(filepath.Join(repo, "drizzle/0000_init.sql"), []byte("CREATE TABLE \"users\" (\"id\" serial PRIMARY KEY);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "-C", repo, "-c", "commit.gpgsign=false", "commit", "-qam", "edit")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	code, stdout, stderr := runMigrationsCLI(t, map[string]string{"GITHUB_ACTIONS": "true"}, "migrations", "--repo-dir", repo, "--fail-on", "breaking")
	if code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, stdout, stderr)
	}
	for _, s := range []string{"Problems: 1", "drizzle/0000_init.sql: migration 0000_init shipped in v1.0.0 and is edited in this range", "drizzle/0000_init.sql (0000_init, modified): see problems"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	if !strings.Contains(stderr, "::error file=drizzle/0000_init.sql,title=migration problem::migration 0000_init shipped") {
		t.Errorf("no ::error annotation:\n%s", stderr)
	}
}

// A range that only needs review (a trigger) is not breaking: it fails
// --fail-on review only, shows REVIEW, a ::notice, and counts apart in JSON.
func TestMigrationsReview(t *testing.T) {
	repo := migrationsRepoWith(t, reviewSQL)
	code, stdout, stderr := runMigrationsCLI(t, map[string]string{"GITHUB_ACTIONS": "true"}, "migrations", "--repo-dir", repo, "--fail-on", "breaking")
	if code != 0 {
		t.Fatalf("--fail-on breaking on a review-only range: exit %d, want 0\n%s\n%s", code, stdout, stderr)
	}
	for _, s := range []string{"HEAD: 1 (0 breaking, 1 to review, 0 compatible)", "drizzle/0001_next.sql (0001_next, added): REVIEW", "review", "read function touch"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	if !strings.Contains(stderr, "::notice file=drizzle/0001_next.sql,line=1,title=migration to review%3A other::adds trigger users_touch") || strings.Contains(stderr, "::warning") {
		t.Errorf("want one ::notice and no ::warning:\n%s", stderr)
	}
	code, _, stderr = runMigrationsCLI(t, nil, "migrations", "--repo-dir", repo, "--fail-on", "review")
	if code != 3 || !strings.Contains(stderr, "--fail-on review: 0 breaking migration(s), 1 to review and 0 problem(s) between v1.0.0 and HEAD") {
		t.Errorf("--fail-on review: exit %d, want 3\n%s", code, stderr)
	}
	outputs := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr = runMigrationsCLI(t, map[string]string{"GITHUB_OUTPUT": outputs}, "migrations", "--repo-dir", repo, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Migrations []struct {
			Breaking bool   `json:"breaking"`
			Review   bool   `json:"review"`
			Verdict  string `json:"verdict"`
		} `json:"migrations"`
		Counts migrations.Counts `json:"counts"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not a report: %v\n%s", err, stdout)
	}
	if len(rep.Migrations) != 1 || rep.Migrations[0].Breaking || !rep.Migrations[0].Review || rep.Migrations[0].Verdict != "review" ||
		rep.Counts != (migrations.Counts{Review: 1}) {
		t.Errorf("report %+v", rep)
	}
	data, err := os.ReadFile(outputs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "breaking<<") || !strings.Contains(string(data), "\nfalse\n") || !strings.Contains(string(data), "review<<") || !strings.Contains(string(data), "\ntrue\n") {
		t.Errorf("outputs:\n%s", data)
	}
}
