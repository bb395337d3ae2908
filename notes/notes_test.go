package notes

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/tagging"
)

const ghRepo = "sonicsaas/app"

func fakeOpts(s *fakegithub.Server) []Option {
	return []Option{WithHTTPClient(s.Client()), WithAPIURL(s.URL)}
}

// squashRepo: v1.0.0, then three squash-merged pull requests (one
// breaking, with a migration) and a commit pushed without one, tagged v1.1.0.
func squashRepo(t *testing.T) *gittest.Repo {
	r := gittest.New(t)
	r.Commit("chore: initial import", map[string]string{"README.md": "# app\n", "drizzle/0001_init.sql": "CREATE TABLE users (id int);\n"})
	r.Tag("v1.0.0")
	r.Commit("feat(api): add order export (#1)", map[string]string{"drizzle/0002_add_orders.sql": "CREATE TABLE orders (id int);\n"})
	r.Commit("fix: keep the session on refresh (#2)", nil)
	r.Commit("feat!: drop the legacy nickname column (#3)\n\nBREAKING CHANGE: users.nickname is gone; clients read display_name.",
		map[string]string{"drizzle/0003_drop_nickname.sql": "ALTER TABLE users DROP COLUMN nickname;\n"})
	r.Commit("docs: explain backups before upgrading", nil)
	r.Tag("v1.1.0")
	return r
}

func squashPulls(s *fakegithub.Server) {
	at := t0.Add(time.Hour)
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 1, Title: "feat(api): add order export", Author: "alice", Labels: []string{"enhancement"}, MergedAt: at})
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 2, Title: "fix: keep the session on refresh", Author: "bob", Labels: []string{"bug"}, MergedAt: at})
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 3, Title: "feat!: drop the legacy nickname column", Author: "carol", Labels: []string{"breaking-change"}, MergedAt: at})
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 9, Title: "wip: not merged", State: "open", CreatedAt: at})
	// Older pull requests, not in the range.
	for i := 10; i < 40; i++ {
		s.AddPull(ghRepo, fakegithub.PullRequest{Number: i, Title: fmt.Sprintf("old change %d", i), MergedAt: t0.Add(-time.Duration(i) * time.Hour)})
	}
}

func migrationReport() *migrations.Report {
	return &migrations.Report{
		From: "v1.0.0", To: "v1.1.0", Dir: "drizzle",
		Migrations: []migrations.Migration{
			{Name: "0002_add_orders", File: "drizzle/0002_add_orders.sql", Status: "added", Findings: []migrations.Finding{
				{File: "drizzle/0002_add_orders.sql", Line: 1, Statement: "CREATE TABLE orders (id int);", Class: migrations.Additive, Reason: "a new table is invisible to the previous release", Level: migrations.LevelInfo},
			}},
			{Name: "0003_drop_nickname", File: "drizzle/0003_drop_nickname.sql", Status: "added", Breaking: true, Findings: []migrations.Finding{
				{File: "drizzle/0003_drop_nickname.sql", Line: 1, Statement: "ALTER TABLE users DROP COLUMN nickname;", Class: migrations.DropColumn, Table: "users", Column: "nickname", Breaking: true,
					Reason: "v1.0.0 still selects users.nickname, so its queries fail once the column is dropped", Level: migrations.LevelWarning},
			}},
		},
		Problems: []migrations.Finding{
			{File: "drizzle/0001_init.sql", Reason: "shipped in v1.0.0 and edited since: databases that ran it will not run it again", Level: migrations.LevelError},
		},
	}
}

func testImage() *Image {
	return &Image{
		Repository: "ghcr.io/sonicsaas/app",
		Digest:     "sha256:" + strings.Repeat("ab", 32),
		Tags:       []string{"v1.1.0", "v1.1", "v1", "latest"},
		Platforms: []Platform{
			{Platform: "linux/amd64", Digest: "sha256:" + strings.Repeat("01", 32)},
			{Platform: "linux/arm64", Digest: "sha256:" + strings.Repeat("02", 32)},
		},
		Signing: Signing{Identity: "https://github.com/sonicsaas/app/.github/workflows/release.yml@refs/tags/v1.1.0"},
	}
}

// mergeRepo: merge commits of feature branches, one commit with a
// BREAKING CHANGE footer, a direct push, a bot's pull request.
func mergeRepo(t *testing.T) *gittest.Repo {
	r := gittest.New(t)
	r.Commit("Initial commit", nil)
	r.Tag("v1.4.2")
	r.Git("checkout", "-q", "-b", "feature/export")
	r.Commit("Add CSV exporter", nil)
	r.Commit("Require a token for /export\n\nBREAKING CHANGE: /export answers 401 without an API token.", nil)
	r.Git("checkout", "-q", "main")
	r.Commit("Update README", map[string]string{"README.md": "hello\n"})
	r.Merge(4, "feature/export", "Export orders as CSV")
	r.Git("checkout", "-q", "-b", "fix/footer")
	r.Commit("Fix typo in footer", nil)
	r.Git("checkout", "-q", "main")
	r.Merge(5, "fix/footer", "Fix typo in footer")
	r.Git("checkout", "-q", "-b", "deps/pg")
	r.Commit("Bump pg from 8.11.0 to 8.12.0", nil)
	r.Git("checkout", "-q", "main")
	r.Merge(6, "deps/pg", "Bump pg from 8.11.0 to 8.12.0")
	r.Git("checkout", "-q", "-b", "ci/cache")
	r.Commit("Cache Go modules in CI", nil)
	r.Git("checkout", "-q", "main")
	r.Merge(7, "ci/cache", "Cache Go modules in CI")
	r.Tag("v2.0.0")
	return r
}

func mergePulls(s *fakegithub.Server) {
	at := t0.Add(time.Hour)
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 4, Title: "Export orders as CSV", Author: "alice", Labels: []string{"enhancement"}, MergedAt: at})
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 5, Title: "Fix typo in footer", Author: "bob", Labels: []string{"bug"}, MergedAt: at})
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 6, Title: "Bump pg from 8.11.0 to 8.12.0", Author: "dependabot[bot]", Labels: []string{"dependencies"}, MergedAt: at})
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 7, Title: "Cache Go modules in CI", Author: "bob", Labels: []string{"ignore-for-release"}, MergedAt: at})
}

const releaseYML = `changelog:
  exclude:
    labels: [ignore-for-release]
    authors: ["dependabot[bot]"]
  categories:
    - title: Breaking Changes 🛠
      labels: [breaking-change]
    - title: Exciting New Features 🎉
      labels: [enhancement]
    - title: Other Changes
      labels: ["*"]
`

// backportRepo: v1.0.0, v1.1.0 and v1.2.0 on main, then a fix cherry-picked
// onto release/1.1 and released as v1.1.1 after v1.2.0.
func backportRepo(t *testing.T) *gittest.Repo {
	r := gittest.New(t)
	r.Commit("chore: initial import", nil)
	r.Tag("v1.0.0")
	r.Commit("feat: invoices (#1)", nil)
	r.Tag("v1.1.0")
	r.Commit("feat: refunds (#2)", nil)
	fix := r.Commit("fix: round totals half-even (#3)", nil)
	r.Tag("v1.2.0")
	r.Git("checkout", "-q", "-b", "release/1.1", "v1.1.0")
	r.N++
	r.Git("cherry-pick", "-x", fix)
	r.Tag("v1.1.1")
	return r
}

// prereleaseRepo: v1.0.0, v1.1.0-rc.1, v1.1.0-rc.2 and v1.1.0 on the same
// commit as rc.2.
func prereleaseRepo(t *testing.T) *gittest.Repo {
	r := gittest.New(t)
	r.Commit("chore: initial import", nil)
	r.Tag("v1.0.0")
	r.Commit("feat: invoices (#1)", nil)
	r.Tag("v1.1.0-rc.1")
	r.Commit("fix: invoice numbering (#2)", nil)
	r.Tag("v1.1.0-rc.2")
	r.Tag("v1.1.0")
	return r
}

func prereleasePulls(s *fakegithub.Server) {
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 1, Title: "feat: invoices", Author: "alice", MergedAt: t0})
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 2, Title: "fix: invoice numbering", Author: "bob", MergedAt: t0})
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name     string
		repo     func(*testing.T) *gittest.Repo
		pulls    func(*fakegithub.Server)
		in       Input
		noGitHub bool
		wantPrev string
		// wantCalls counts the GitHub API calls by operation.
		wantCalls map[string]int
		wantWarn  []string
	}{
		{
			name: "squash", repo: squashRepo, pulls: squashPulls,
			in:        Input{Version: "v1.1.0", Migrations: migrationReport(), Image: testImage()},
			wantPrev:  "v1.0.0",
			wantCalls: map[string]int{"pulls/list": 1},
			wantWarn:  []string{"v1.1.0 is a minor release but contains 1 breaking change(s): consider a major version"},
		},
		{
			name: "merge", repo: mergeRepo, pulls: mergePulls,
			in:        Input{Version: "v2.0.0", Config: mustConfig(t, releaseYML)},
			wantPrev:  "v1.4.2",
			wantCalls: map[string]int{"pulls/list": 1},
		},
		{
			name: "merge-conventional", repo: mergeRepo, pulls: mergePulls,
			in:        Input{Version: "v2.0.0"},
			wantPrev:  "v1.4.2",
			wantCalls: map[string]int{"pulls/list": 1},
		},
		{
			name: "merge-offline", repo: mergeRepo, noGitHub: true,
			in:       Input{Version: "v2.0.0"},
			wantPrev: "v1.4.2",
		},
		{
			name: "backport", repo: backportRepo, pulls: func(s *fakegithub.Server) {
				s.AddPull(ghRepo, fakegithub.PullRequest{Number: 3, Title: "fix: round totals half-even", Author: "dave", MergedAt: t0.Add(5 * time.Minute)})
			},
			in:        Input{Version: "v1.1.1"},
			wantPrev:  "v1.1.0",
			wantCalls: map[string]int{"pulls/list": 1},
		},
		{
			name: "prerelease-rc2", repo: prereleaseRepo, pulls: prereleasePulls,
			in:        Input{Version: "v1.1.0-rc.2"},
			wantPrev:  "v1.1.0-rc.1",
			wantCalls: map[string]int{"pulls/list": 1},
		},
		{
			name: "prerelease-final", repo: prereleaseRepo, pulls: prereleasePulls,
			in:        Input{Version: "v1.1.0"},
			wantPrev:  "v1.0.0",
			wantCalls: map[string]int{"pulls/list": 1},
		},
		{
			name: "initial", repo: func(t *testing.T) *gittest.Repo {
				r := gittest.New(t)
				r.Commit("chore: initial import", nil)
				r.Commit("feat: invoices (#1)", nil)
				r.Tag("v0.1.0")
				return r
			}, pulls: prereleasePulls,
			in:        Input{Version: "v0.1.0"},
			wantCalls: map[string]int{"pulls/list": 1},
		},
		{
			name: "previous-override", repo: prereleaseRepo, pulls: prereleasePulls,
			in:        Input{Version: "v1.1.0", Previous: "v1.1.0-rc.1"},
			wantPrev:  "v1.1.0-rc.1",
			wantCalls: map[string]int{"pulls/list": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.repo(t)
			s := fakegithub.New(t)
			in := tt.in
			in.RepoDir = r.Dir
			if !tt.noGitHub {
				in.Repository = ghRepo
				tt.pulls(s)
			}
			n, err := Build(t.Context(), in, fakeOpts(s)...)
			if err != nil {
				t.Fatal(err)
			}
			if n.Previous != tt.wantPrev {
				t.Errorf("previous = %q, want %q", n.Previous, tt.wantPrev)
			}
			if n.Range.Source != "git" {
				t.Errorf("range source = %q, want git", n.Range.Source)
			}
			if diff := cmp.Diff(tt.wantCalls, s.Calls(), cmpEmptyMap); diff != "" {
				t.Errorf("GitHub calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWarn, n.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			golden(t, filepath.Join("TestBuild", tt.name+".md"), Markdown(n))
		})
	}
}

var cmpEmptyMap = cmp.FilterValues(func(a, b map[string]int) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

func mustConfig(t *testing.T, s string) *Config {
	c, err := ParseConfig([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBuildJSON pins the JSON shape other tools read.
func TestBuildJSON(t *testing.T) {
	r := squashRepo(t)
	s := fakegithub.New(t)
	squashPulls(s)
	n, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir, Repository: ghRepo, Image: testImage()}, fakeOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(n, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "TestBuildJSON.json", string(js)+"\n")
}

// TestShallowClone builds the notes of a release from a clone made with
// --depth 1 and no tags (actions/checkout's default): the tags come from
// GitHub's tag list and the commits from its compare API, and the notes are
// the same as from the full clone.
func TestShallowClone(t *testing.T) {
	tests := []struct {
		name     string
		repo     func(*testing.T) *gittest.Repo
		pulls    func(*fakegithub.Server)
		previous string
		version  string
	}{
		{"squash", squashRepo, squashPulls, "v1.0.0", "v1.1.0"},
		{"merge", mergeRepo, mergePulls, "v1.4.2", "v2.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full := tt.repo(t)
			clone := t.TempDir()
			cmd := exec.Command("git", "clone", "-q", "--depth", "1", "--no-tags", "--branch", "main", "file://"+full.Dir, clone)
			cmd.Env = gittest.Env(t0)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git clone: %v\n%s", err, out)
			}
			s := fakegithub.New(t)
			tt.pulls(s)
			full.Seed(s, ghRepo)
			rep := migrationReport()
			rep.From, rep.To = tt.previous, tt.version
			in := Input{Version: tt.version, Repository: ghRepo, Migrations: rep, Image: testImage()}

			in.RepoDir = clone
			got, err := Build(t.Context(), in, fakeOpts(s)...)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Range.Shallow || got.Range.Source != "github-compare" {
				t.Errorf("range = %+v, want shallow from github-compare", got.Range)
			}
			want := map[string]int{"repos/list-tags": 1, "repos/compare-commits": 1, "pulls/list": 1}
			if diff := cmp.Diff(want, s.Calls()); diff != "" {
				t.Errorf("GitHub calls (-want +got):\n%s", diff)
			}
			if len(got.Warnings) == 0 || !strings.Contains(got.Warnings[0], "the clone is shallow") {
				t.Errorf("warnings = %q, want the shallow clone said", got.Warnings)
			}

			in.RepoDir = full.Dir
			fromGit, err := Build(t.Context(), in, fakeOpts(s)...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(Markdown(fromGit), Markdown(got)); diff != "" {
				t.Errorf("notes from the shallow clone differ from the full clone's (-full +shallow):\n%s", diff)
			}
		})
	}
}

// TestMissingTag: a full clone that lacks the previous tag uses compare.
func TestMissingTag(t *testing.T) {
	r := squashRepo(t)
	s := fakegithub.New(t)
	squashPulls(s)
	r.Seed(s, ghRepo)
	r.Git("tag", "-d", "v1.0.0")
	n, err := Build(t.Context(), Input{Version: "v1.1.0", Previous: "v1.0.0", RepoDir: r.Dir, Repository: ghRepo}, fakeOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	if n.Range.Source != "github-compare" || len(n.PullRequests) != 3 {
		t.Errorf("range %+v, %d pull requests", n.Range, len(n.PullRequests))
	}
	if len(n.Warnings) == 0 || n.Warnings[0] != "the clone has no v1.0.0: the commits come from GitHub's compare API" {
		t.Errorf("warnings = %q", n.Warnings)
	}
	// Notes for a version not tagged yet: GitHub does not know the tag
	// either, and the error says how to name the commit; with Head the
	// clone is enough.
	_, err = Build(t.Context(), Input{Version: "v1.2.0", Previous: "v1.1.0", RepoDir: r.Dir, Repository: ghRepo}, fakeOpts(s)...)
	if _, ok := errors.AsType[*UnknownHeadError](err); !ok || !strings.Contains(err.Error(), "name the commit the release is made of as its head") {
		t.Errorf("untagged version: err = %v", err)
	}
	r.Commit("fix: late fix (#5)", nil)
	s.AddPull(ghRepo, fakegithub.PullRequest{Number: 5, Title: "fix: late fix", MergedAt: t0.Add(time.Hour)})
	n, err = Build(t.Context(), Input{Version: "v1.2.0", Head: "HEAD", RepoDir: r.Dir, Repository: ghRepo}, fakeOpts(s)...)
	if err != nil || n.Previous != "v1.1.0" || n.Range.Source != "git" || len(n.PullRequests) != 1 || n.PullRequests[0].Title != "fix: late fix" {
		t.Errorf("untagged version with Head: %+v %v", n, err)
	}

	// Without a repository there is nothing to fall back on: bad input.
	_, err = Build(t.Context(), Input{Version: "v1.1.0", Previous: "v1.0.0", RepoDir: r.Dir})
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("err = %v, want an InputError saying how to fetch", err)
	}
}

func TestBuildBadInput(t *testing.T) {
	r := prereleaseRepo(t)
	for _, in := range []Input{
		{Version: "1.2", RepoDir: r.Dir},
		{Version: "v1.2.3+build", RepoDir: r.Dir},
		{Version: "v1.1.0"},
		{Version: "v1.1.0", RepoDir: r.Dir, Previous: "latest"},
		{Version: "v1.1.0", RepoDir: r.Dir, Repository: "app"},
		{Version: "v1.1.0", RepoDir: r.Dir, Image: &Image{Repository: "ghcr.io/o/app", Digest: "sha256:abc"}},
	} {
		_, err := Build(t.Context(), in)
		var b interface{ BadInput() bool }
		if err == nil || !(errors.As(err, &b) && b.BadInput() || errors.Is(err, tagging.ErrBadInput)) {
			t.Errorf("Build(%+v) = %v, want a bad-input error", in, err)
		}
	}
}

// TestPullRequestPaging: 1,000 closed pull requests, the range's three
// among the oldest: paging stops at the pull requests updated before the
// range, and the ones not reached are fetched one by one.
func TestPullRequestPaging(t *testing.T) {
	r := squashRepo(t)
	s := fakegithub.New(t)
	squashPulls(s)
	// 250 pull requests updated after the range (comments, labels, …).
	for i := 100; i < 350; i++ {
		s.AddPull(ghRepo, fakegithub.PullRequest{Number: i, Title: "later", MergedAt: t0.Add(48 * time.Hour), UpdatedAt: t0.Add(time.Duration(48+i) * time.Hour)})
	}
	n, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir, Repository: ghRepo}, fakeOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Calls(); got["pulls/list"] != 3 || got["pulls/get"] != 0 {
		t.Errorf("calls = %v, want 3 pages and no single gets", got)
	}
	for _, pr := range n.PullRequests {
		if !pr.Found {
			t.Errorf("pull request #%d not found", pr.Number)
		}
	}

	// A pull request GitHub does not know (a subject copied from another
	// repository): one get, a warning, the commit subject as title.
	r.Commit("fix: upstream patch (#4242)", nil)
	r.Tag("v1.1.1")
	s.ResetCalls()
	n, err = Build(t.Context(), Input{Version: "v1.1.1", RepoDir: r.Dir, Repository: ghRepo}, fakeOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Calls(); got["pulls/get"] != 1 {
		t.Errorf("calls = %v, want one pulls/get", got)
	}
	if len(n.PullRequests) != 1 || n.PullRequests[0].Found || n.PullRequests[0].Title != "fix: upstream patch" {
		t.Errorf("pull requests = %+v", n.PullRequests)
	}
	if len(n.Warnings) != 1 || !strings.Contains(n.Warnings[0], "#4242") {
		t.Errorf("warnings = %q", n.Warnings)
	}
}

func TestTemplate(t *testing.T) {
	r := prereleaseRepo(t)
	n, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Template(n, `{{.Version}} after {{.Previous}}:{{range .PullRequests}} #{{.Number}} {{.Title}};{{end}}{{range .Commits}} {{short .SHA}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	want := "v1.1.0 after v1.0.0: #1 feat: invoices; #2 fix: invoice numbering; " + short(n.Commits[0].SHA) + " " + short(n.Commits[1].SHA)
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A release with no commit at all still gives lists, not nulls.
	r.Tag("v1.1.1")
	empty, err := Build(t.Context(), Input{Version: "v1.1.1", RepoDir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(empty)
	if !strings.Contains(string(js), `"commits":[],"pull_requests":[],"breaking":[],"categories":[]`) || !strings.Contains(Markdown(empty), "No changes.") {
		t.Errorf("empty release: %s\n%s", js, Markdown(empty))
	}
	if _, err := Template(n, "{{.Nope}}"); err == nil {
		t.Error("a template naming a missing field rendered")
	}
}
