package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/notes"
)

// Repository text an attacker controls in a pull request, made to steer the
// runner (workflow commands on a line of their own) and the release body
// (the notes' markers).
const (
	hostileName   = "0001_b\n::warning::injected " + notes.EndMarker
	hostileColumn = "x\n::error title=PWNED::injected"
	hostileTitle  = "feat: export\n::add-mask::x " + notes.EndMarker
)

// hostileRepo is a repository whose v1.1.0 adds a migration with a hostile
// file name, column names and statement, in a commit with a hostile body,
// and the fake GitHub with a pull request of a hostile title.
func hostileRepo(t *testing.T) (*gittest.Repo, *fakegithub.Server) {
	t.Helper()
	journal := func(tags ...string) string {
		var e []string
		for i, tag := range tags {
			e = append(e, `{"idx":`+string(rune('0'+i))+`,"version":"7","when":`+string(rune('1'+i))+`000,"tag":"`+strings.ReplaceAll(tag, "\n", `\n`)+`","breakpoints":true}`)
		}
		return `{"version":"7","dialect":"postgresql","entries":[` + strings.Join(e, ",") + `]}`
	}
	r := gittest.New(t)
	r.Commit("chore: initial import", map[string]string{
		"drizzle/0000_init.sql":      "CREATE TABLE \"users\" (\"id\" serial PRIMARY KEY, \"title\" text);\n",
		"drizzle/meta/_journal.json": journal("0000_init"),
	})
	r.Tag("v1.0.0")
	r.Commit("feat: export ::add-mask::x (#1)\n\n::warning::body\n"+notes.EndMarker, map[string]string{
		"drizzle/" + hostileName + ".sql": "ALTER TABLE \"users\" ADD COLUMN \"" + hostileColumn + "\" text NOT NULL;--> statement-breakpoint\n" +
			"ALTER TABLE \"users\" RENAME COLUMN \"title\" TO \"" + notes.BeginMarker + "\n::warning::r\";\n",
		"drizzle/meta/_journal.json": journal("0000_init", hostileName),
	})
	r.Tag("v1.1.0")
	s := fakegithub.New(t)
	s.AddPull(notesRepo, fakegithub.PullRequest{Number: 1, Title: hostileTitle, Author: "mallory", Labels: []string{"enhancement"}, MergedAt: gittest.T0})
	s.AddRelease(notesRepo, fakegithub.Release{TagName: "v1.0.0"})
	return r, s
}

// assertInert fails when a stream of a run holds a workflow command the
// tool did not write itself.
func assertInert(t *testing.T, what, stream string) {
	t.Helper()
	if bad := actions.ForeignCommands(stream); len(bad) > 0 {
		t.Errorf("%s: workflow commands from repository text: %q\n%s", what, bad, stream)
	}
}

func TestHostileMigrations(t *testing.T) {
	r, _ := hostileRepo(t)
	for _, args := range [][]string{
		{"migrations", "--repo-dir", r.Dir, "--to", "v1.1.0"},
		{"migrations", "--repo-dir", r.Dir, "--to", "v1.1.0", "-o", "json"},
		{"migrations", "--repo-dir", r.Dir, "--to", "v1.1.0", "--fail-on", "breaking", "--log-level", "debug"},
		{"migrations", "--repo-dir", r.Dir, "--to", "v1.1.0", "--fail-on", "review", "--log-level", "debug", "--log-format", "json"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := runCLI(t, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": out}, args...)
		if code != 0 && code != exitRefused {
			t.Fatalf("%q: exit %d\n%s", args, code, stderr)
		}
		if !strings.Contains(stdout, "injected") || !strings.Contains(stderr, "::warning file=drizzle/0001_b%0A") {
			t.Errorf("%q: the hostile migration is not reported:\nstdout:\n%s\nstderr:\n%s", args, stdout, stderr)
		}
		assertInert(t, strings.Join(args, " ")+" stdout", stdout)
		assertInert(t, strings.Join(args, " ")+" stderr", stderr)
	}
}

func TestHostileTags(t *testing.T) {
	ref := "refs/pull/1\n::warning::x"
	for _, output := range []string{"text", "json"} {
		summary := filepath.Join(t.TempDir(), "summary.md")
		code, stdout, stderr := runCLI(t, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary},
			"tags", "--ref", ref, "-o", output, "--log-level", "debug")
		if code != 0 || !strings.Contains(stderr, `"refs/pull/1\n::warning::x" is a pull request`) {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		sum, _ := os.ReadFile(summary)
		assertInert(t, "tags stdout", stdout)
		assertInert(t, "tags stderr", stderr)
		assertInert(t, "tags summary", string(sum))
	}
	// A ref that is no ref at all is an error naming it, one line.
	code, stdout, stderr := runCLI(t, map[string]string{"GITHUB_ACTIONS": "true"}, "tags", "--ref", "refs/x\n::error::y")
	if code != exitBadInput {
		t.Errorf("exit %d, want %d\n%s", code, exitBadInput, stderr)
	}
	assertInert(t, "tags error stdout", stdout)
	assertInert(t, "tags error stderr", stderr)
}

// TestHostileNotes publishes the notes of the hostile release three times
// (built-in layout, and a template printing the markers): nothing reaches
// the runner, the release body keeps one block, and the re-runs write
// nothing.
func TestHostileNotes(t *testing.T) {
	tmpl := filepath.Join(t.TempDir(), "notes.tmpl")
	if err := os.WriteFile(tmpl, []byte("{{markdown}}\n"+notes.EndMarker+"\n"+notes.BeginMarker+"\n::warning::template\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, extra := range [][]string{nil, {"--template", tmpl}, {"-o", "json"}} {
		r, s := hostileRepo(t)
		s.AddRelease(notesRepo, fakegithub.Release{TagName: "v1.1.0", Body: "Hand-written intro.\n"})
		summary := filepath.Join(t.TempDir(), "summary.md")
		env := map[string]string{
			"GITHUB_ACTIONS":      "true",
			"GITHUB_API_URL":      s.URL,
			"GITHUB_TOKEN":        "ghs_test",
			"GITHUB_REPOSITORY":   notesRepo,
			"GITHUB_STEP_SUMMARY": summary,
		}
		var sizes []int
		for run := range 3 {
			s.ResetCalls()
			args := append([]string{"notes", "--repo-dir", r.Dir, "--version", "v1.1.0", "--publish", "--log-level", "debug"}, extra...)
			code, stdout, stderr := runCLI(t, env, args...)
			if code != 0 {
				t.Fatalf("%q: exit %d\n%s", args, code, stderr)
			}
			if !strings.Contains(stdout, "injected") {
				t.Errorf("%q: the hostile migration is not in the notes:\n%s", args, stdout)
			}
			assertInert(t, "notes stdout", stdout)
			assertInert(t, "notes stderr", stderr)
			rel, _ := s.Release(notesRepo, "v1.1.0")
			sizes = append(sizes, len(rel.Body))
			if n, m := strings.Count(rel.Body, notes.BeginMarker), strings.Count(rel.Body, notes.EndMarker); n != 1 || m != 1 || !strings.HasPrefix(rel.Body, "Hand-written intro.\n\n") {
				t.Errorf("%q: body with %d begin and %d end markers:\n%s", args, n, m, rel.Body)
			}
			if updates := s.Calls()["repos/update-release"]; run > 0 && updates != 0 {
				t.Errorf("%q: re-run %d updated the release %d time(s)", args, run, updates)
			}
		}
		if sizes[0] != sizes[1] || sizes[1] != sizes[2] {
			t.Errorf("%q: the body grew over identical re-runs: %v bytes", extra, sizes)
		}
		sum, _ := os.ReadFile(summary)
		assertInert(t, "notes summary", string(sum))
	}
}

// TestHostileRelease runs the whole job as a dry run on the hostile
// release, and on a hostile pull-request ref.
func TestHostileRelease(t *testing.T) {
	r, _ := hostileRepo(t)
	reg := registrytest.NewMemory(t)
	sha := r.Git("rev-parse", "v1.1.0")
	src := pushImage(t, reg.Repo("acme/build:ci"), sha)
	summary := filepath.Join(t.TempDir(), "summary.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
	for _, args := range [][]string{
		{"--ref", "refs/tags/v1.1.0", "--notes", "--repo-dir", r.Dir},
		{"--ref", "refs/tags/v1.1.0", "--notes", "--repo-dir", r.Dir, "-o", "json"},
		{"--ref", "refs/pull/1\n::warning::x"},
	} {
		args = append([]string{"release", "--source", src.String(), "--image", reg.Repo("acme/app"), "--sha", sha, "--sign", "none", "--dry-run", "--log-level", "debug"}, args...)
		code, stdout, stderr := runCLI(t, env, args...)
		if code != 0 {
			t.Fatalf("%q: exit %d\n%s", args, code, stderr)
		}
		if strings.Contains(args[len(args)-1], r.Dir) && !strings.Contains(stderr, "injected") {
			t.Errorf("%q: the notes lack the hostile migration:\n%s", args, stderr)
		}
		assertInert(t, "release stdout", stdout)
		assertInert(t, "release stderr", stderr)
	}
	sum, _ := os.ReadFile(summary)
	assertInert(t, "release summary", string(sum))
}

// TestHostileErrors: error messages that echo a hostile reference or
// version stay inert, and the error annotation stays one line.
func TestHostileErrors(t *testing.T) {
	r, _ := hostileRepo(t)
	for _, args := range [][]string{
		{"verify", "reg.example/app@sha256:0\n::warning::x"},
		{"sign", "reg.example/app:v1\n::warning::x", "--sign", "key", "--key", "/nonexistent"},
		{"notes", "--repo-dir", r.Dir, "--version", "v1.1.0\n::warning::x"},
		{"migrations", "--repo-dir", r.Dir, "--from", "v1.0.0\n::warning::x"},
	} {
		code, stdout, stderr := runCLI(t, map[string]string{"GITHUB_ACTIONS": "true"}, args...)
		if code == 0 || !strings.Contains(stderr, "::error title=sonic-release::") {
			t.Errorf("%q: exit %d, want an error annotation\n%s", args, code, stderr)
		}
		assertInert(t, args[0]+" stdout", stdout)
		assertInert(t, args[0]+" stderr", stderr)
	}
}
