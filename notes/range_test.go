package notes

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/tagging"
)

// tagless clones r as actions/checkout does by default: one commit, no tags.
func tagless(t *testing.T, r *gittest.Repo) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "--no-tags", "--branch", "main", "file://"+r.Dir, dir)
	cmd.Env = gittest.Env(t0)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	return dir
}

func TestResolveRange(t *testing.T) {
	squash := squashRepo(t)
	pre := prereleaseRepo(t)
	s := fakegithub.New(t)
	squash.Seed(s, ghRepo)
	clone := tagless(t, squash)
	tests := []struct {
		name  string
		in    Input
		want  Range
		calls map[string]int
	}{
		{"local tags", Input{Version: "v1.1.0", RepoDir: squash.Dir, Repository: ghRepo}, Range{From: "v1.0.0", To: "v1.1.0"}, map[string]int{}},
		{"previous given", Input{Version: "v1.1.0", Previous: "v0.9.0", RepoDir: squash.Dir}, Range{From: "v0.9.0", To: "v1.1.0"}, map[string]int{}},
		{"head given", Input{Version: "v1.2.0", Head: "HEAD", RepoDir: squash.Dir}, Range{From: "v1.1.0", To: "HEAD"}, map[string]int{}},
		{"first release", Input{Version: "v1.0.0", RepoDir: squash.Dir}, Range{To: "v1.0.0"}, map[string]int{}},
		{"pre-release", Input{Version: "v1.1.0-rc.2", RepoDir: pre.Dir}, Range{From: "v1.1.0-rc.1", To: "v1.1.0-rc.2"}, map[string]int{}},
		{"clone without tags: GitHub's", Input{Version: "v1.1.0", RepoDir: clone, Repository: ghRepo}, Range{From: "v1.0.0", To: "v1.1.0"}, map[string]int{"repos/list-tags": 1}},
		{"clone without tags, no GitHub", Input{Version: "v1.1.0", RepoDir: clone}, Range{To: "v1.1.0"}, map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.ResetCalls()
			got, err := ResolveRange(t.Context(), tt.in, fakeOpts(s)...)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("range = %+v, want %+v", got, tt.want)
			}
			if diff := cmp.Diff(tt.calls, s.Calls()); diff != "" {
				t.Errorf("GitHub calls (-want +got):\n%s", diff)
			}
		})
	}
	for _, in := range []Input{{Version: "1.1", RepoDir: squash.Dir}, {Version: "v1.1.0"}, {Version: "v1.1.0", RepoDir: squash.Dir, Previous: "latest"}} {
		_, err := ResolveRange(t.Context(), in)
		if b, ok := errors.AsType[badInputer](err); !(ok && b.BadInput() || errors.Is(err, tagging.ErrBadInput)) {
			t.Errorf("ResolveRange(%+v) = %v, want a bad-input error", in, err)
		}
	}
}

// TestBuildUsesRange: with Input.Range, Build looks nothing up again: no
// tag list from GitHub for a clone without tags, Previous is not used, and
// a range from the start covers the whole history.
func TestBuildUsesRange(t *testing.T) {
	r := squashRepo(t)
	s := fakegithub.New(t)
	squashPulls(s)
	r.Seed(s, ghRepo)
	clone := tagless(t, r)
	in := Input{Version: "v1.1.0", RepoDir: clone, Repository: ghRepo}
	rng, err := ResolveRange(t.Context(), in, fakeOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	s.ResetCalls()
	in.Range, in.Previous = &rng, "v0.0.1"
	n, err := Build(t.Context(), in, fakeOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	if n.Previous != "v1.0.0" || n.Range.From != "v1.0.0" || n.Range.To != "v1.1.0" || len(n.PullRequests) != 3 {
		t.Errorf("notes: previous %q, range %+v, %d pull requests", n.Previous, n.Range, len(n.PullRequests))
	}
	if got := s.Calls()["repos/list-tags"]; got != 0 {
		t.Errorf("list-tags calls = %d, want 0: the range was chosen already", got)
	}

	n, err = Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir, Range: &Range{To: "v1.1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Previous != "" || n.Bump != "initial" || len(n.Commits) != 5 {
		t.Errorf("range from the start: previous %q, bump %q, %d commits", n.Previous, n.Bump, len(n.Commits))
	}
}

// TestBuildRefusesReportOfAnotherRange: the migration report must cover the
// notes' range, by name or by commit.
func TestBuildRefusesReportOfAnotherRange(t *testing.T) {
	r := squashRepo(t)
	r.Git("tag", "v1.1.0-alias", "v1.1.0")
	tests := []struct {
		name     string
		from, to string
		ok       bool
	}{
		{"same names", "v1.0.0", "v1.1.0", true},
		{"same commits", "v1.0.0", "v1.1.0-alias", true},
		{"HEAD is the release", "v1.0.0", "HEAD", true},
		{"from the start", "", "v1.1.0", false},
		{"other previous", "v1.1.0", "v1.1.0", false},
		{"other head", "v1.0.0", "v1.0.0", false},
		{"unknown ref", "v1.0.0", "v9.9.9", false},
		{"refs from a hostile file", "v1.0.0\n::error::x", "v1.1.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &migrations.Report{From: tt.from, To: tt.to, Dir: "drizzle"}
			_, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir, Migrations: rep})
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			me, ok := errors.AsType[*RangeMismatchError](err)
			if !ok || !me.BadInput() {
				t.Fatalf("err = %v, want a *RangeMismatchError", err)
			}
			want := RangeMismatchError{Notes: Range{From: "v1.0.0", To: "v1.1.0"}, Report: Range{From: tt.from, To: tt.to}}
			if *me != want || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %+v (%q), want %+v, on one line", *me, err, want)
			}
		})
	}
}

func TestWithAuthToken(t *testing.T) {
	r := squashRepo(t)
	for _, token := range []string{"ghs_secret", ""} {
		s := fakegithub.New(t)
		squashPulls(s)
		opts := append(fakeOpts(s), WithAuthToken(token))
		if _, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir, Repository: ghRepo}, opts...); err != nil {
			t.Fatal(err)
		}
		want := ""
		if token != "" {
			want = "Bearer " + token
		}
		if s.TotalCalls() == 0 {
			t.Fatal("no GitHub calls")
		}
		for _, c := range s.Log() {
			if got := c.Header.Get("Authorization"); got != want {
				t.Errorf("token %q: %s %s: Authorization %q, want %q", token, c.Method, c.Path, got, want)
			}
		}
	}
}

type badInputer interface {
	error
	BadInput() bool
}
