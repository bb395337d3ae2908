package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/notes"
)

const notesRepo = "sonicsaas/app"

// notesFixture is a repository with two squash-merged pull requests between
// v1.0.0 and v1.1.0, a .github/release.yml, and the fake GitHub that knows
// the pull requests.
func notesFixture(t *testing.T) (*gittest.Repo, *fakegithub.Server) {
	r := gittest.New(t)
	r.Commit("chore: initial import", map[string]string{".github/release.yml": "changelog:\n  categories:\n    - title: New features\n      labels: [enhancement]\n    - title: Everything else\n      labels: [\"*\"]\n"})
	r.Tag("v1.0.0")
	r.Commit("feat: export orders (#1)", nil)
	r.Commit("fix: keep sessions (#2)\n\nBREAKING CHANGE: sessions older than a day are dropped.", nil)
	r.Tag("v1.1.0")
	s := fakegithub.New(t)
	s.AddPull(notesRepo, fakegithub.PullRequest{Number: 1, Title: "feat: export orders", Author: "alice", Labels: []string{"enhancement"}, MergedAt: gittest.T0})
	s.AddPull(notesRepo, fakegithub.PullRequest{Number: 2, Title: "fix: keep sessions", Author: "bob", Labels: []string{"bug"}, MergedAt: gittest.T0})
	s.AddRelease(notesRepo, fakegithub.Release{TagName: "v1.0.0"})
	return r, s
}

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestNotesInActions(t *testing.T) {
	r, s := notesFixture(t)
	summary := filepath.Join(t.TempDir(), "summary.md")
	env := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_API_URL":      s.URL,
		"GITHUB_TOKEN":        "ghs_test",
		"GITHUB_REPOSITORY":   notesRepo,
		"GITHUB_REF":          "refs/tags/v1.1.0",
		"GITHUB_WORKFLOW_REF": "sonicsaas/app/.github/workflows/release.yml@refs/tags/v1.1.0",
		"GITHUB_STEP_SUMMARY": summary,
	}
	code, out, errs := runCLI(t, env, "notes", "--repo-dir", r.Dir, "--image", "ghcr.io/sonicsaas/app", "--digest", digest,
		"--image-tag", "v1.1.0", "--image-tag", "latest", "--create-release")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	wantVerify := "cosign verify --certificate-identity https://github.com/sonicsaas/app/.github/workflows/release.yml@refs/tags/v1.1.0 --certificate-oidc-issuer https://token.actions.githubusercontent.com ghcr.io/sonicsaas/app@" + digest
	for _, want := range []string{"## v1.1.0", "#### New features\n\n- feat: export orders by @alice (#1)", "#### Everything else\n\n- fix: keep sessions by @bob (#2)", wantVerify, "SONICSAAS_IMAGE_TAG=v1.1.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	sum, err := os.ReadFile(summary)
	if err != nil || string(sum) != out {
		t.Errorf("step summary = %q (%v), want the notes", sum, err)
	}
	rel, ok := s.Release(notesRepo, "v1.1.0")
	if !ok || rel.Body != notes.BeginMarker+"\n"+strings.TrimRight(out, "\n")+"\n"+notes.EndMarker+"\n" || rel.MakeLatest != "true" {
		t.Errorf("release = %+v", rel)
	}
	wantAnnotation := "::warning title=release notes v1.1.0::v1.1.0 is a minor release but contains 1 breaking change(s): consider a major version\n"
	if !strings.Contains(errs, wantAnnotation) {
		t.Errorf("stderr lacks the annotation %q:\n%s", wantAnnotation, errs)
	}
	if !strings.Contains(errs, "release v1.1.0 created: https://github.com/sonicsaas/app/releases/tag/v1.1.0") {
		t.Errorf("stderr = %q", errs)
	}
	calls := s.Calls()
	if calls["pulls/list"] != 1 || calls["repos/list-releases"] != 1 || calls["repos/create-release"] != 1 || s.TotalCalls() != 3 {
		t.Errorf("calls = %v", calls)
	}
	for _, c := range s.Log() {
		if c.Header.Get("Authorization") != "Bearer ghs_test" || !strings.HasPrefix(c.Path, "/repos/") {
			t.Errorf("%s %s: Authorization %q", c.Method, c.Path, c.Header.Get("Authorization"))
		}
	}
}

func TestNotesJSONAndTemplate(t *testing.T) {
	r, s := notesFixture(t)
	env := map[string]string{"GITHUB_API_URL": s.URL}
	code, out, errs := runCLI(t, env, "notes", "--version", "v1.1.0", "--repo", notesRepo, "--repo-dir", r.Dir, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var n notes.Notes
	if err := json.Unmarshal([]byte(out), &n); err != nil {
		t.Fatal(err)
	}
	if n.Previous != "v1.0.0" || len(n.PullRequests) != 2 || n.PullRequests[0].Author != "alice" || n.Range.Source != "git" {
		t.Errorf("notes = %+v", n)
	}

	tmpl := filepath.Join(t.TempDir(), "notes.tmpl")
	if err := os.WriteFile(tmpl, []byte("{{range .PullRequests}}* {{.Title}} (@{{.Author}})\n{{end}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI(t, env, "notes", "--version", "v1.1.0", "--repo", notesRepo, "--repo-dir", r.Dir, "--template", tmpl)
	if code != 0 || out != "* feat: export orders (@alice)\n* fix: keep sessions (@bob)\n" {
		t.Errorf("exit %d, out %q, err %q", code, out, errs)
	}
}

func TestNotesPublishKeepsMaintainerText(t *testing.T) {
	r, s := notesFixture(t)
	s.AddRelease(notesRepo, fakegithub.Release{TagName: "v1.1.0", Draft: true, Body: "Highlights: faster exports.", CreatedAt: time.Now()})
	env := map[string]string{"GITHUB_API_URL": s.URL, "GITHUB_REPOSITORY": notesRepo}
	for range 2 {
		code, _, errs := runCLI(t, env, "notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--publish")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errs)
		}
	}
	rel, _ := s.Release(notesRepo, "v1.1.0")
	if !strings.HasPrefix(rel.Body, "Highlights: faster exports.\n\n"+notes.BeginMarker+"\n## v1.1.0\n") || strings.Count(rel.Body, notes.BeginMarker) != 1 {
		t.Errorf("body = %q", rel.Body)
	}
	if got := s.Calls()["repos/update-release"]; got != 1 {
		t.Errorf("update-release calls = %d, want 1 (the second run changes nothing)", got)
	}
}

func TestNotesBadInput(t *testing.T) {
	r, s := notesFixture(t)
	env := map[string]string{"GITHUB_API_URL": s.URL}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no version", []string{"notes", "--repo-dir", r.Dir}, "--version is required"},
		{"bad version", []string{"notes", "--version", "1.2", "--repo-dir", r.Dir}, "is not a version"},
		{"bad output", []string{"notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "-o", "yaml"}, `-o "yaml"`},
		{"image without digest", []string{"notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--image", "ghcr.io/o/app"}, "--image needs --digest"},
		{"bad digest", []string{"notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--image", "ghcr.io/o/app", "--digest", "sha256:12"}, "64 lowercase hex"},
		{"publish without repo", []string{"notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--publish"}, "--publish needs the GitHub repository"},
		{"no release", []string{"notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--repo", notesRepo, "--publish"}, "pass --create-release"},
		{"bad config", []string{"notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--config", writeFile(t, "changelog:\n  categorys: []\n")}, "field categorys not found"},
		{"bad migrations", []string{"notes", "--version", "v1.1.0", "--repo-dir", r.Dir, "--migrations", writeFile(t, "[]")}, "not a migration report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, env, tt.args...)
			if code != exitBadInput || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errs, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
