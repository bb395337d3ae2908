package notes

import (
	"github.com/sonicsaas/sonic-release/internal/gitexec"

	"encoding/json"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/tagging"
)

// hotfixRepo is a release line with hotfix patches, as a project with a
// development branch and cherry-picked hotfixes has it:
//
//   - main: v1.1.0, two squash-merged pull requests, v1.2.0 (the branch
//     release-1.2 starts there), then four fixes (#3–#6), a feature (#7) and
//     a merged pull request (#8, two commits);
//   - release-1.2: #3 cherry-picked with -x, #4 without, #5 without and
//     reworded (no number: only its patch is the same), #6 with -x and
//     reworded, a version bump, tagged v1.2.1;
//   - main: release-1.2 merged back by pull request #9 ("Merge pull request
//     #9 from octo/release-1.2"), then #10 and #11;
//   - release-1.2: the merge of #8 cherry-picked with -m 1 (its subject and
//     body, one parent), #10 with -x, a version bump, tagged v1.2.2; then
//     #11 with -x, not released;
//   - main: release-1.2 merged locally (no pull request), #12, tagged v1.3.0.
//
// v1.3.0's previous release is v1.2.2; its range holds the originals of
// what v1.2.1 and v1.2.2 shipped, and #11 twice (the original and the
// cherry-pick merged back).
func hotfixRepo(t *testing.T) *gittest.Repo {
	r := gittest.New(t)
	pick := func(args ...string) {
		r.N++
		r.Git(append([]string{"cherry-pick"}, args...)...)
	}
	// reword keeps the author and author date, as a cherry-pick edited
	// with --edit does.
	reword := func(msg string) {
		r.N++
		r.Git("commit", "-q", "--amend", "-m", msg)
	}
	r.Commit("chore: initial import", map[string]string{"README.md": "# app\n"})
	r.Tag("v1.1.0")
	r.Commit("feat: invoices (#1)", nil)
	r.Commit("fix: round totals (#2)", nil)
	r.Tag("v1.2.0")
	r.Git("branch", "release-1.2")
	c3 := r.Commit("fix: keep the session on refresh (#3)", nil)
	c4 := r.Commit("fix: escape CSV cells (#4)", nil)
	c5 := r.Commit("fix: retry webhook delivery (#5)", nil)
	c6 := r.Commit("fix: clamp the page size (#6)", nil)
	r.Commit("feat: order export (#7)", nil)
	r.Git("checkout", "-q", "-b", "feature/audit")
	r.Commit("Add the audit table", nil)
	r.Commit("Log admin actions", nil)
	r.Git("checkout", "-q", "main")
	m8 := r.Merge(8, "feature/audit", "Audit log for admin actions")

	r.Git("checkout", "-q", "release-1.2")
	pick("-x", c3)
	pick(c4)
	pick(c5)
	reword("fix: retry webhook delivery")
	pick("-x", c6)
	reword("Clamp the page size\n\n(cherry picked from commit " + c6 + ")")
	r.Commit("chore: release v1.2.1", map[string]string{"VERSION": "1.2.1\n"})
	r.Tag("v1.2.1")

	r.Git("checkout", "-q", "main")
	r.Merge(9, "release-1.2", "Release v1.2.1")
	c10 := r.Commit("fix: date picker time zone (#10)", nil)
	c11 := r.Commit("fix: handle an empty cart (#11)", nil)

	r.Git("checkout", "-q", "release-1.2")
	pick("-m", "1", m8)
	pick("-x", c10)
	r.Commit("chore: release v1.2.2", map[string]string{"VERSION": "1.2.2\n"})
	r.Tag("v1.2.2")
	pick("-x", c11)

	r.Git("checkout", "-q", "main")
	r.N++
	r.Git("merge", "-q", "--no-ff", "-m", "Merge branch 'release-1.2'", "release-1.2")
	r.Commit("feat: dark mode (#12)", nil)
	r.Tag("v1.3.0")
	return r
}

// TestHotfixHistory: the notes of each release of hotfixRepo, offline,
// say each change once and put apart what an earlier release shipped.
func TestHotfixHistory(t *testing.T) {
	r := hotfixRepo(t)
	tests := []struct {
		version, previous string
		// released is the pull request numbers (or commit subjects) listed
		// as already released, by release.
		released map[string][]string
		// fresh is what the categories list.
		fresh []string
	}{
		{
			version: "v1.2.1",
			fresh:   []string{"#3", "#4", "Clamp the page size", "chore: release v1.2.1", "fix: retry webhook delivery"},
		},
		{
			version: "v1.2.2",
			fresh:   []string{"#10", "#8", "chore: release v1.2.2"},
		},
		{
			version:  "v1.3.0",
			released: map[string][]string{"v1.2.1": {"#3", "#4", "#5", "#6", "#9"}, "v1.2.2": {"#10", "#8"}},
			fresh:    []string{"#11", "#12", "#7"},
		},
		{
			// Against v1.2.0 the range holds the hotfix branch too: its
			// commits are in v1.2.1 and v1.2.2 themselves.
			version: "v1.3.0", previous: "v1.2.0",
			released: map[string][]string{
				"v1.2.1": {"#3", "#4", "#5", "#6", "#9"},
				"v1.2.2": {"#10", "#8", "chore: release v1.2.2"},
			},
			fresh: []string{"#11", "#12", "#7"},
		},
	}
	for _, tt := range tests {
		name := tt.version
		if tt.previous != "" {
			name += "-from-" + tt.previous
		}
		t.Run(name, func(t *testing.T) {
			n, err := Build(t.Context(), Input{Version: tt.version, Previous: tt.previous, RepoDir: r.Dir})
			if err != nil {
				t.Fatal(err)
			}
			label := func(e Entry) string {
				if e.PR != 0 {
					return "#" + strconv.Itoa(e.PR)
				}
				return e.Title
			}
			var fresh []string
			for _, c := range n.Categories {
				for _, e := range c.Entries {
					fresh = append(fresh, label(e))
				}
			}
			released := map[string][]string{}
			for _, rel := range n.AlreadyReleased {
				for _, e := range rel.Entries {
					if e.AlreadyIn != rel.Version {
						t.Errorf("%s listed under %s says already in %q", label(e), rel.Version, e.AlreadyIn)
					}
					released[rel.Version] = append(released[rel.Version], label(e))
				}
			}
			for _, l := range released {
				sort.Strings(l)
			}
			sort.Strings(fresh)
			if diff := cmp.Diff(tt.fresh, fresh); diff != "" {
				t.Errorf("new entries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.released, released, cmpEmptyStrings); diff != "" {
				t.Errorf("already released (-want +got):\n%s", diff)
			}
			// Said once: no title twice in the whole notes.
			md := Markdown(n)
			for _, line := range strings.Split(md, "\n") {
				if strings.HasPrefix(line, "- ") && strings.Count(md, line+"\n") > 1 {
					t.Errorf("listed twice: %q", line)
				}
			}
			if strings.Contains(md, "Pull request #") {
				t.Errorf("a pull request without its title:\n%s", md)
			}
			golden(t, filepath.Join("TestHotfixHistory", name+".md"), md)
		})
	}
}

var cmpEmptyStrings = cmp.FilterValues(func(a, b map[string][]string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

// TestHotfixHistoryJSON pins how the data says it: the copy of #11 points
// at its original, the pull requests and commits an earlier release
// shipped name it.
func TestHotfixHistoryJSON(t *testing.T) {
	r := hotfixRepo(t)
	n, err := Build(t.Context(), Input{Version: "v1.3.0", RepoDir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	bySubject := map[string]Commit{}
	for _, c := range n.Commits {
		if prev, ok := bySubject[c.Subject]; ok && prev.SameAs == "" && c.SameAs == "" {
			t.Errorf("%q twice, neither marked the same as the other", c.Subject)
		}
		bySubject[c.Subject] = c
	}
	var original, copied Commit
	for _, c := range n.Commits {
		switch {
		case c.Subject == "fix: handle an empty cart (#11)" && c.SameAs == "":
			original = c
		case c.Subject == "fix: handle an empty cart (#11)":
			copied = c
		}
	}
	if original.SHA == "" || copied.SameAs != original.SHA || copied.AlreadyIn != "" {
		t.Errorf("#11: original %+v, copy %+v: want the copy the same as the original, neither released", original, copied)
	}
	prs := map[int]string{}
	for _, pr := range n.PullRequests {
		prs[pr.Number] = pr.AlreadyIn
	}
	want := map[int]string{3: "v1.2.1", 4: "v1.2.1", 5: "v1.2.1", 6: "v1.2.1", 7: "", 8: "v1.2.2", 9: "v1.2.1", 10: "v1.2.2", 11: "", 12: ""}
	if diff := cmp.Diff(want, prs); diff != "" {
		t.Errorf("pull requests already in (-want +got):\n%s", diff)
	}
	js, err := json.Marshal(n.AlreadyReleased)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(js), `[{"version":"v1.2.2","entries":[`) {
		t.Errorf("already_released = %s, want the newest release first", js)
	}
}

func TestEarlierReleases(t *testing.T) {
	tags := map[string]tagRef{
		"v1.0.0": {"a", 1}, "1.0.0": {"a", 1}, "v1.1.0-rc.1": {"b", 2}, "v1.1.0": {"c", 3}, "v1.1.1": {"d", 4},
		"v1.2.0": {"e", 5}, "v2.0.0": {"f", 6}, "latest": {"g", 7}, "v1.2.0-rc.1": {"h", 5},
		// A backport tagged after the head: not an earlier release.
		"v1.1.2": {"i", 11},
	}
	v := func(s string) tagging.Version {
		w, err := tagging.ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if diff := cmp.Diff([]string{"v1.0.0", "v1.1.0", "v1.1.1"}, earlierReleases(v("v1.2.0"), tags, 10)); diff != "" {
		t.Errorf("stable release (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"v1.0.0", "v1.1.0-rc.1", "v1.1.0", "v1.1.1"}, earlierReleases(v("v1.2.0-rc.1"), tags, 10)); diff != "" {
		t.Errorf("pre-release (-want +got):\n%s", diff)
	}
	if got := earlierReleases(v("v0.1.0"), tags, 10); len(got) != 0 {
		t.Errorf("first release: %v", got)
	}
}

func TestVersionLess(t *testing.T) {
	got := []string{"v1.10.0", "v1.2.0", "latest", "v1.2.0-rc.1", "edge"}
	sort.Slice(got, func(i, j int) bool { return versionLess(got[i], got[j]) })
	if diff := cmp.Diff([]string{"v1.2.0-rc.1", "v1.2.0", "v1.10.0", "edge", "latest"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// TestBackportTaggedLater: a fix of v1.2.0 cherry-picked onto release/1.1
// and tagged v1.1.1 after v1.2.0 is not "already released" in the notes
// of v1.2.0: they say the same whenever they are written.
func TestBackportTaggedLater(t *testing.T) {
	r := backportRepo(t)
	n, err := Build(t.Context(), Input{Version: "v1.2.0", RepoDir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.AlreadyReleased) != 0 {
		t.Errorf("already released = %+v, want none", n.AlreadyReleased)
	}
	// Tagged before the head (v1.3.0, compared with v1.1.0), the fix is
	// in v1.1.1, the lowest release that has it, and #2 in v1.2.0.
	r.Git("checkout", "-q", "main")
	r.Commit("fix: later fix (#4)", nil)
	r.Tag("v1.3.0")
	n, err = Build(t.Context(), Input{Version: "v1.3.0", Previous: "v1.1.0", RepoDir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int{}
	for _, rel := range n.AlreadyReleased {
		for _, e := range rel.Entries {
			got[rel.Version] = append(got[rel.Version], e.PR)
		}
	}
	if diff := cmp.Diff(map[string][]int{"v1.2.0": {2}, "v1.1.1": {3}}, got); diff != "" {
		t.Errorf("already released (-want +got):\n%s", diff)
	}
}

// TestMarkdownAlreadyReleased: a release whose every change shipped before
// says so instead of "No changes.", and a breaking change an earlier
// release shipped stays listed, marked.
func TestMarkdownAlreadyReleased(t *testing.T) {
	n := &Notes{
		Version: "v1.3.0", Bump: "minor",
		Breaking:        []Change{{Description: "sessions expire after a day", PR: 3, AlreadyIn: "v1.2.1"}},
		AlreadyReleased: []Released{{Version: "v1.2.1", Entries: []Entry{{Title: "fix: keep the session", PR: 3, Author: "bob", AlreadyIn: "v1.2.1"}}}},
	}
	md := Markdown(n)
	for _, want := range []string{
		"- sessions expire after a day (#3) (already in v1.2.1)\n",
		"\nNo new changes: all of them were released before (below).\n",
		"\n### Already released\n",
		"\n#### In v1.2.1\n\n- fix: keep the session by @bob (#3)\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("notes lack %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "No changes.") {
		t.Errorf("notes say no changes:\n%s", md)
	}
}

// TestHistoryHostileText: the history of the earlier releases is old text
// nobody checks; separators of git log records in a commit message do not
// break the notes.
func TestHistoryHostileText(t *testing.T) {
	r := gittest.New(t)
	r.Commit("chore: initial import", nil)
	r.Commit("fix: odd bytes (#1)\n\nbody \x1e with \x1f separators\n::error::not a command", nil)
	r.Tag("v1.0.0")
	r.Commit("fix: again (#2)", nil)
	r.Tag("v1.1.0")
	n, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.PullRequests) != 1 || n.PullRequests[0].AlreadyIn != "" {
		t.Errorf("pull requests = %+v", n.PullRequests)
	}
	hs, err := gitRepo{gitexec.Repo{Bin: "git", Dir: r.Dir}}.history(t.Context(), []string{"v1.0.0"})
	if err != nil || len(hs) != 2 || !strings.Contains(hs[0].Body, "\x1e with \x1f") {
		t.Errorf("history = %+v, %v", hs, err)
	}
}

// TestLogHostileText: a release whose own range holds a commit message
// with git log's old record and field separators (\x1e, \x1f) builds, and
// the commit keeps its subject and body.
func TestLogHostileText(t *testing.T) {
	r := gittest.New(t)
	r.Commit("chore: initial import", nil)
	r.Tag("v1.0.0")
	r.Commit("fix: odd \x1f bytes (#1)\n\nbody \x1e with \x1f separators", nil)
	r.Commit("fix: again (#2)", nil)
	r.Tag("v1.1.0")
	n, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Commits) != 2 || n.Commits[1].PR != 2 || n.Commits[0].PR != 1 || !strings.HasSuffix(n.Commits[0].Subject, "bytes (#1)") {
		t.Errorf("commits = %+v", n.Commits)
	}
	cs, err := gitRepo{gitexec.Repo{Bin: "git", Dir: r.Dir}}.log(t.Context(), "v1.0.0", "v1.1.0")
	if err != nil || len(cs) != 2 || cs[1].Subject != "fix: odd \x1f bytes (#1)" || cs[1].Body != "body \x1e with \x1f separators" {
		t.Errorf("log = %+v, %v", cs, err)
	}
}
