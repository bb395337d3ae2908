package notes

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// graph builds commits newest first (as git log lists them) from
// "sha parent… | subject" lines given oldest first.
func graph(t *testing.T, lines ...string) []commit {
	t.Helper()
	var cs []commit
	for i, l := range lines {
		var c commit
		head, subject, ok := strings.Cut(l, " | ")
		if !ok {
			t.Fatalf("line %q: want \"sha parents | subject\"", l)
		}
		f := strings.Fields(head)
		c.SHA, c.Parents = f[0], f[1:]
		c.Subject, c.Body, _ = strings.Cut(subject, "\n\n")
		c.Date = time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC)
		cs = append([]commit{c}, cs...)
	}
	return cs
}

func TestAttribute(t *testing.T) {
	// main: a, b (#1 squash), m1 merging x1 x2 (#2), c (no PR), m2 merging
	// y1 (#4 squash on the branch) and y2 (#3), m3 a merge without a PR
	// number bringing z1.
	cs := graph(t,
		"a | chore: initial import",
		"b a | feat: invoices (#1)",
		"x1 a | Add exporter",
		"x2 x1 | Require a token",
		"m1 b x2 | Merge pull request #2 from octo/export\n\nExport orders",
		"c m1 | Update README",
		"y1 c | fix: rounding (#4)",
		"y2 y1 | Tidy",
		"m2 c y2 | Merge pull request #3 from octo/tidy\n\nTidy up",
		"z1 m2 | Local work",
		"m3 m2 z1 | Merge branch 'local'",
	)
	got := map[string]int{}
	for i, pr := range attribute(cs, "m3") {
		got[cs[i].SHA] = pr
	}
	want := map[string]int{"a": 0, "b": 1, "x1": 2, "x2": 2, "m1": 2, "c": 0, "y1": 4, "y2": 3, "m2": 3, "z1": 0, "m3": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pull request of each commit (-want +got):\n%s", diff)
	}
	// A head outside the commits (GitHub's compare gave another order):
	// only the subjects count.
	for i, pr := range attribute(cs, "elsewhere") {
		if pr != prNumber(cs[i].Subject) {
			t.Errorf("%s: PR %d without a mainline, want %d", cs[i].SHA, pr, prNumber(cs[i].Subject))
		}
	}
	if got := attribute(nil, "m3"); len(got) != 0 {
		t.Errorf("no commits: %v", got)
	}
}

func TestWalkTitles(t *testing.T) {
	cs := graph(t,
		"a | chore: initial import",
		"b a | feat(api): add order export (#1)",
		"x1 b | fix: first try",
		"m1 b x1 | Merge pull request #2 from octo/fix\n\nfix: keep the session on refresh",
		// A merge cherry-picked with -m 1 onto a hotfix branch: the
		// subject and body of the merge, one parent.
		"p1 m1 | Merge pull request #3 from octo/audit\n\nAudit log for admin actions\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)",
		// A merge commit whose body is empty: nothing to go on.
		"x2 p1 | wip",
		"m2 p1 x2 | Merge pull request #4 from octo/wip",
		"d m2 | docs: backups\n\nBREAKING CHANGE: the backup folder moved",
	)
	prOf := attribute(cs, "d")
	gotCommits, prs := walk(cs, prOf, linker{server: "https://github.com", repo: "o/r"})
	if len(gotCommits) != len(cs) || gotCommits[0].SHA != "a" || gotCommits[len(cs)-1].SHA != "d" {
		t.Fatalf("commits not oldest first: %+v", gotCommits)
	}
	last := gotCommits[len(cs)-1]
	if !last.Breaking || last.BreakingNote != "the backup folder moved" || last.Type != "docs" {
		t.Errorf("commit d = %+v, want docs, breaking with its footer", last)
	}
	finishPulls(prs)
	type pr struct {
		Number  int
		Title   string
		Type    string
		URL     string
		Commits []string
	}
	var got []pr
	for _, p := range prs {
		got = append(got, pr{p.Number, p.Title, p.Type, p.URL, p.Commits})
	}
	want := []pr{
		{1, "feat(api): add order export", "feat", "https://github.com/o/r/pull/1", []string{"b"}},
		{2, "fix: keep the session on refresh", "fix", "https://github.com/o/r/pull/2", []string{"x1", "m1"}},
		{3, "Audit log for admin actions", "", "https://github.com/o/r/pull/3", []string{"p1"}},
		{4, "Pull request #4", "", "https://github.com/o/r/pull/4", []string{"x2", "m2"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pull requests (-want +got):\n%s", diff)
	}
	// Without a repository there are no links.
	_, prs = walk(cs, prOf, linker{})
	if prs[0].URL != "" {
		t.Errorf("link without a repository: %q", prs[0].URL)
	}
}

func TestWanted(t *testing.T) {
	cs := graph(t, "a | chore: initial import", "b a | fix: x (#7)", "c b | feat: y (#8)")
	want, since := wanted(cs, attribute(cs, "c"))
	if diff := cmp.Diff(map[int]bool{7: true, 8: true}, want); diff != "" {
		t.Errorf("want (-want +got):\n%s", diff)
	}
	if !since.Equal(cs[1].Date) {
		t.Errorf("since = %v, want the date of b, %v", since, cs[1].Date)
	}
}

func TestApplyFetched(t *testing.T) {
	prs := []PullRequest{{Number: 1, Title: "from the commit"}, {Number: 2}}
	applyFetched(prs, map[int]*github.PullRequest{1: {
		Title: github.String("feat!: from GitHub"), User: &github.User{Login: github.String("alice")},
		HTMLURL: github.String("https://github.example/o/r/pull/1"), Labels: []*github.Label{{Name: github.String("enhancement")}},
	}})
	finishPulls(prs)
	want := []PullRequest{
		{Number: 1, Title: "feat!: from GitHub", Author: "alice", URL: "https://github.example/o/r/pull/1", Labels: []string{"enhancement"}, Type: "feat", Breaking: true, Found: true},
		{Number: 2, Title: "Pull request #2"},
	}
	if diff := cmp.Diff(want, prs); diff != "" {
		t.Errorf("pull requests (-want +got):\n%s", diff)
	}
}

func TestBreakingChanges(t *testing.T) {
	cs := []Commit{
		{SHA: "a1", Subject: "feat!: drop nickname (#1)", PR: 1, Type: "feat", Breaking: true},
		{SHA: "b2", Subject: "Require a token", PR: 2, Breaking: true, BreakingNote: "/export answers 401 without a token."},
		{SHA: "c3", Subject: "refactor!: new config", Type: "refactor", Breaking: true},
		{SHA: "d4", Subject: "fix: x (#3)", PR: 3, Type: "fix"},
	}
	prs := []PullRequest{
		{Number: 1, Title: "feat!: drop nickname", URL: "u1", Breaking: true},
		{Number: 2, Title: "Export", URL: "u2"},
		{Number: 3, Title: "fix: x", URL: "u3", Labels: []string{"bug", "Breaking-Change"}},
		{Number: 4, Title: "perf!: cache", URL: "u4", Breaking: true},
		{Number: 5, Title: "chore: y", URL: "u5"},
	}
	got := breakingChanges(cs, prs)
	want := []Change{
		{Description: "drop nickname", PR: 1, SHA: "a1", URL: "u1", Why: "conventional commit !"},
		{Description: "/export answers 401 without a token.", PR: 2, SHA: "b2", URL: "u2", Why: "BREAKING CHANGE footer"},
		{Description: "new config", SHA: "c3", Why: "conventional commit !"},
		{Description: "fix: x", PR: 3, URL: "u3", Why: "label Breaking-Change"},
		{Description: "cache", PR: 4, URL: "u4", Why: "conventional commit !"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("breaking changes (-want +got):\n%s", diff)
	}
	for _, pr := range prs {
		if pr.Breaking != (pr.Number != 5) {
			t.Errorf("#%d breaking = %v", pr.Number, pr.Breaking)
		}
	}
}

func TestCategorise(t *testing.T) {
	cs := []Commit{
		{SHA: "a1", Subject: "Export", PR: 1},
		{SHA: "a2", Subject: "feat: exporter", PR: 1, Type: "feat"},
		{SHA: "m1", Subject: "Merge pull request #1 from o/x", PR: 1, Merge: true},
		{SHA: "b2", Subject: "fix: typo", Type: "fix"},
		{SHA: "m2", Subject: "Merge branch 'x'", Merge: true},
		{SHA: "c3", Subject: "Tidy"},
	}
	prs := []PullRequest{
		{Number: 1, Title: "Export orders", Author: "alice", Labels: []string{"enhancement"}, Commits: []string{"a1", "a2", "m1"}},
		{Number: 2, Title: "deps: bump pg", Author: "dependabot[bot]", Type: "deps", Labels: []string{"dependencies"}},
		{Number: 3, Title: "Cache modules", Author: "bob", Labels: []string{"ignore-for-release"}},
	}
	items := entries(cs, prs, linker{server: "https://github.com", repo: "o/r"})
	titles := func(cats []Category) map[string][]string {
		m := map[string][]string{}
		for _, c := range cats {
			for _, e := range c.Entries {
				m[c.Title] = append(m[c.Title], e.Title)
			}
		}
		return m
	}
	conv := categorise(items, nil)
	wantConv := map[string][]string{
		"Features":      {"Export orders"},
		"Bug fixes":     {"fix: typo"},
		"Dependencies":  {"deps: bump pg"},
		"Other Changes": {"Cache modules", "Tidy"},
	}
	if diff := cmp.Diff(wantConv, titles(conv)); diff != "" {
		t.Errorf("by conventional type (-want +got):\n%s", diff)
	}
	var order []string
	for _, c := range conv {
		order = append(order, c.Title)
	}
	if diff := cmp.Diff([]string{"Features", "Bug fixes", "Dependencies", "Other Changes"}, order); diff != "" {
		t.Errorf("category order (-want +got):\n%s", diff)
	}
	if e := conv[1].Entries[0]; e.URL != "https://github.com/o/r/commit/b2" || e.SHA != "b2" {
		t.Errorf("commit entry = %+v", e)
	}

	cfg := mustConfig(t, `changelog:
  exclude:
    labels: [ignore-for-release]
    authors: ["dependabot[bot]"]
  categories:
    - title: Exciting New Features
      labels: [enhancement]
`)
	wantCfg := map[string][]string{
		"Exciting New Features": {"Export orders"},
		"Other Changes":         {"fix: typo", "Tidy"},
	}
	if diff := cmp.Diff(wantCfg, titles(categorise(items, cfg))); diff != "" {
		t.Errorf("by release.yml (-want +got):\n%s", diff)
	}
	if got := categorise(nil, nil); got != nil {
		t.Errorf("no entries: %+v", got)
	}
}
