package notes

import (
	"github.com/sonicsaas/sonic-release/internal/gitexec"

	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/tagging"
)

// The synthetic release of the benchmark: 10,000 commits, 1,000 pull
// requests (half squash-merged, half merged with 17 branch commits each),
// 200 migrations, between v1.0.0 and v2.0.0.
const (
	benchPRs        = 1000
	benchMigrations = 200
	benchBranchLen  = 17 // commits on each merged branch
)

type synthetic struct {
	dir     string
	commits int
	report  *migrations.Report
}

// syntheticRepo builds the benchmark repository once per process with git
// fast-import (seconds, not the minutes 10,000 git commit calls take).
var syntheticRepo = benchRepo("sonic-release-bench-", buildSynthetic)

// benchRepo returns a function that builds a benchmark repository with
// build once per process, in a new temporary folder named after prefix.
func benchRepo[T any](prefix string, build func(dir string) (T, error)) func(b *testing.B) T {
	var (
		once sync.Once
		repo T
		err  error
	)
	return func(b *testing.B) T {
		once.Do(func() {
			var dir string
			if dir, err = os.MkdirTemp("", prefix); err == nil {
				repo, err = build(dir)
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		return repo
	}
}

func buildSynthetic(dir string) (synthetic, error) {
	run := func(stdin func(*bufio.Writer), args ...string) error { return gitStdin(dir, stdin, args...) }
	if err := run(nil, "-c", "init.defaultBranch=main", "init", "-q"); err != nil {
		return synthetic{}, err
	}
	s := synthetic{dir: dir, report: &migrations.Report{From: "v1.0.0", To: "v2.0.0", Dir: "drizzle"}}
	err := run(func(w *bufio.Writer) {
		mark := 0
		when := gittest.T0.Unix()
		commit := func(ref, msg, path, content string, from int, merge int) int {
			mark++
			when += 60
			fastCommit(w, ref, mark, when, when, msg, from, merge, path, content)
			return mark
		}
		main := commit("refs/heads/main", "chore: initial import", "README.md", "# app\n", 0, 0)
		fmt.Fprintf(w, "reset refs/tags/v1.0.0\nfrom :%d\n\n", main)
		migration := 0
		for pr := 1; pr <= benchPRs; pr++ {
			path := fmt.Sprintf("src/mod%03d/file%d.go", pr%100, pr)
			if pr%(benchPRs/benchMigrations) == 0 && migration < benchMigrations {
				migration++
				name := fmt.Sprintf("%04d_change_%d", migration, pr)
				path = "drizzle/" + name + ".sql"
				s.report.Migrations = append(s.report.Migrations, migrations.Migration{
					Name: name, File: path, Status: "added", Breaking: migration%10 == 0,
					Findings: []migrations.Finding{{File: path, Line: 1, Statement: "ALTER TABLE t DROP COLUMN c;", Class: migrations.DropColumn, Breaking: migration%10 == 0, Reason: "synthetic", Level: migrations.LevelWarning}},
				})
			}
			typ := []string{"feat", "fix", "docs", "refactor", "perf"}[pr%5]
			if pr%2 == 0 {
				main = commit("refs/heads/main", fmt.Sprintf("%s: change %d (#%d)\n\nDetails of change %d.", typ, pr, pr, pr), path, fmt.Sprintf("v%d\n", pr), main, 0)
				s.commits++
				continue
			}
			branch := fmt.Sprintf("refs/heads/pr/%d", pr)
			tip := main
			for i := range benchBranchLen {
				tip = commit(branch, fmt.Sprintf("work %d on change %d", i, pr), fmt.Sprintf("%s.%d", path, i), "x\n", tip, 0)
				s.commits++
			}
			main = commit("refs/heads/main", fmt.Sprintf("Merge pull request #%d from octo/change-%d\n\n%s: change %d", pr, pr, typ, pr), "", "", main, tip)
			s.commits++
		}
		// Direct pushes without a pull request, up to 10,000 commits.
		for s.commits < 10000 {
			main = commit("refs/heads/main", fmt.Sprintf("chore: tidy %d", s.commits), "TIDY", fmt.Sprint(s.commits), main, 0)
			s.commits++
		}
		fmt.Fprintf(w, "reset refs/tags/v2.0.0\nfrom :%d\n\n", main)
	}, "fast-import", "--quiet")
	if err != nil {
		return synthetic{}, err
	}
	return s, run(nil, "checkout", "-q", "main")
}

// gitStdin runs git in dir, writing its standard input with stdin (nil:
// none), for building benchmark repositories.
func gitStdin(dir string, stdin func(*bufio.Writer), args ...string) error {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = gittest.Env(gittest.T0)
	if stdin == nil {
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("git %v: %v\n%s", args, err, out)
		}
		return nil
	}
	w, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out := &bufWriter{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	stdin(bw)
	bw.Flush()
	w.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git %v: %v\n%s", args, err, out.b)
	}
	return nil
}

// fastCommit writes one commit of a git fast-import stream: on ref, with
// mark, authored at and committed when (Unix seconds), its parents from
// and merge (marks, 0 for none), setting path to content (none if "").
func fastCommit(w *bufio.Writer, ref string, mark int, at, when int64, msg string, from, merge int, path, content string) {
	fmt.Fprintf(w, "commit %s\nmark :%d\nauthor Ada Lovelace <ada@example.com> %d +0000\ncommitter Ada Lovelace <ada@example.com> %d +0000\ndata %d\n%s\n", ref, mark, at, when, len(msg), msg)
	if from > 0 {
		fmt.Fprintf(w, "from :%d\n", from)
	}
	if merge > 0 {
		fmt.Fprintf(w, "merge :%d\n", merge)
	}
	if path != "" {
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
}

type bufWriter struct{ b []byte }

func (w *bufWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// BenchmarkGitLogFloor is the floor: git log --name-status over the range.
func BenchmarkGitLogFloor(b *testing.B) {
	s := syntheticRepo(b)
	for b.Loop() {
		out, err := exec.CommandContext(b.Context(), "git", "-C", s.dir, "log", "--name-status", "v1.0.0..v2.0.0").Output()
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkNotesLocal builds and renders the notes from the clone alone
// (no GitHub), to compare with the floor.
func BenchmarkNotesLocal(b *testing.B) {
	s := syntheticRepo(b)
	for b.Loop() {
		n, err := Build(b.Context(), Input{Version: "v2.0.0", RepoDir: s.dir, Migrations: s.report})
		if err != nil {
			b.Fatal(err)
		}
		if len(n.Commits) != s.commits || len(n.PullRequests) != benchPRs {
			b.Fatalf("%d commits, %d pull requests", len(n.Commits), len(n.PullRequests))
		}
		_ = Markdown(n)
	}
}

// BenchmarkNotesGitHub adds the pull requests from the fake GitHub (every
// request and response validated against the OpenAPI document), with 500
// older pull requests outside the range, and reports the calls per run.
func BenchmarkNotesGitHub(b *testing.B) {
	s := syntheticRepo(b)
	gh := fakegithub.New(b)
	for pr := 1; pr <= benchPRs+500; pr++ {
		at := gittest.T0.Add(time.Duration(pr) * time.Hour)
		if pr > benchPRs {
			at = gittest.T0.Add(-time.Duration(pr) * time.Hour)
		}
		gh.AddPull(ghRepo, fakegithub.PullRequest{Number: pr, Title: fmt.Sprintf("change %d", pr), Author: "octocat", Labels: []string{"enhancement"}, MergedAt: at})
	}
	for b.Loop() {
		gh.ResetCalls()
		n, err := Build(b.Context(), Input{Version: "v2.0.0", RepoDir: s.dir, Repository: ghRepo, Migrations: s.report}, fakeOpts(gh)...)
		if err != nil {
			b.Fatal(err)
		}
		for _, pr := range n.PullRequests {
			if !pr.Found {
				b.Fatalf("pull request #%d not found", pr.Number)
			}
		}
		_ = Markdown(n)
	}
	calls := gh.TotalCalls()
	b.ReportMetric(float64(calls), "calls/op")
	if limit := (benchPRs+99)/100 + 3; calls > limit {
		b.Errorf("%d GitHub calls, more than ⌈PRs/100⌉+3 = %d", calls, limit)
	}
}

// The history of the hotfix benchmarks: a project that releases minors
// from main and patches from release branches, the size of the one behind
// issue 11 (≈6,800 commits, 170 tags). 34 minors of 180 squash commits on
// main; after each minor v1.M.0 a branch release-1.M gets four patches
// v1.M.1–v1.M.4 of four cherry-picks each of main's next fixes (author and
// author date kept: one with -x, one reworded without its number, two
// plain) and a version bump, and is merged back into main by a pull
// request before the next minor. The notes of the last minor list 16 fixes
// of its range already shipped in v1.33.x, and the merge-back.
const (
	hotfixMinors   = 34
	hotfixPerMinor = 180
	hotfixPatches  = 4
	hotfixPicks    = 4
)

type hotfixHistory struct {
	dir     string
	commits int
	tags    int
	version string // the last minor, whose notes are measured
	shipped int    // entries of its range an earlier patch shipped
}

var hotfixBenchRepo = benchRepo("sonic-release-hotfix-bench-", buildHotfixHistory)

// buildHotfixHistory writes the history with git fast-import, two imports
// a minor: the cherry-picks' -x trailers name commits of the import before.
func buildHotfixHistory(dir string) (hotfixHistory, error) {
	h := hotfixHistory{dir: dir, version: fmt.Sprintf("v1.%d.0", hotfixMinors)}
	if err := gitStdin(dir, nil, "-c", "init.defaultBranch=main", "init", "-q"); err != nil {
		return h, err
	}
	marks := dir + "/.git/bench-marks"
	mark, when := 0, gittest.T0.Unix()
	// authored is the author time of pull request n's commit, which its
	// cherry-picks keep.
	authored := func(n int) int64 { return gittest.T0.Unix() + int64(n)*600 }
	var w *bufio.Writer
	commit := func(ref, msg string, at int64, path, content string, from, merge int) int {
		mark++
		when += 60
		if at == 0 {
			at = when
		}
		fastCommit(w, ref, mark, at, when, msg, from, merge, path, content)
		h.commits++
		return mark
	}
	tag := func(name string, m int) {
		fmt.Fprintf(w, "reset refs/tags/%s\nfrom :%d\n\n", name, m)
		h.tags++
	}
	imp := func(write func()) error {
		args := []string{"fast-import", "--quiet", "--export-marks=" + marks}
		if mark > 0 {
			args = append(args, "--import-marks="+marks)
		}
		return gitStdin(dir, func(bw *bufio.Writer) { w = bw; write() }, args...)
	}
	pathOf := func(n int) string { return fmt.Sprintf("src/m%02d/f%05d.go", n/hotfixPerMinor, n) }
	change := func(main, n int) int {
		typ := []string{"feat", "fix", "fix", "docs", "refactor"}[n%5]
		return commit("refs/heads/main", fmt.Sprintf("%s: change %d (#%d)", typ, n, n), authored(n), pathOf(n), fmt.Sprintf("v%d\n", n), main, 0)
	}
	var main, pr int
	prMark := map[int]int{}
	if err := imp(func() {
		main = commit("refs/heads/main", "chore: initial import", 0, "README.md", "# app\n", 0, 0)
		tag("v1.0.0", main)
	}); err != nil {
		return h, err
	}
	for m := 1; m <= hotfixMinors; m++ {
		release := main // v1.(m-1).0, where release-1.(m-1) started
		// Main's first half of the minor: the fixes the patches of the
		// previous minor pick.
		if err := imp(func() {
			for range hotfixPerMinor / 2 {
				pr++
				main = change(main, pr)
				prMark[pr] = main
			}
		}); err != nil {
			return h, err
		}
		shas, err := readMarks(marks)
		if err != nil {
			return h, err
		}
		if err := imp(func() {
			if m > 1 {
				// The patches of release-1.(m-1), picking fixes of this
				// minor's first half, then merged back.
				branch := fmt.Sprintf("refs/heads/release-1.%d", m-1)
				tip, picked := release, pr-hotfixPerMinor/2
				for p := 1; p <= hotfixPatches; p++ {
					for q := range hotfixPicks {
						picked += 2 // every other change of the first half
						msg := fmt.Sprintf("fix: change %d (#%d)", picked, picked)
						switch q {
						case 1:
							msg += "\n\n(cherry picked from commit " + shas[prMark[picked]] + ")"
						case 3:
							msg = fmt.Sprintf("fix: change %d", picked)
						}
						tip = commit(branch, msg, authored(picked), pathOf(picked), fmt.Sprintf("v%d\n", picked), tip, 0)
						if m == hotfixMinors {
							h.shipped++
						}
					}
					tip = commit(branch, fmt.Sprintf("chore: release v1.%d.%d", m-1, p), 0, "VERSION", fmt.Sprintf("1.%d.%d\n", m-1, p), tip, 0)
					tag(fmt.Sprintf("v1.%d.%d", m-1, p), tip)
				}
				pr++
				main = commit("refs/heads/main", fmt.Sprintf("Merge pull request #%d from octo/release-1.%d\n\nRelease v1.%d.%d", pr, m-1, m-1, hotfixPatches), 0, "", "", main, tip)
				if m == hotfixMinors {
					h.shipped++
				}
			}
			for range hotfixPerMinor / 2 {
				pr++
				main = change(main, pr)
			}
			tag(fmt.Sprintf("v1.%d.0", m), main)
		}); err != nil {
			return h, err
		}
	}
	return h, gitStdin(dir, nil, "checkout", "-q", "main")
}

// readMarks reads a fast-import marks file: mark → commit id.
func readMarks(path string) (map[int]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[int]string{}
	for _, line := range strings.Split(string(data), "\n") {
		var m int
		var sha string
		if _, err := fmt.Sscanf(line, ":%d %s", &m, &sha); err == nil {
			out[m] = sha
		}
	}
	return out, nil
}

// BenchmarkHotfixLogFloor is the floor of the hotfix history: git log of
// the last minor's range.
func BenchmarkHotfixLogFloor(b *testing.B) {
	h := hotfixBenchRepo(b)
	prev := fmt.Sprintf("v1.%d.%d", hotfixMinors-1, hotfixPatches)
	for b.Loop() {
		out, err := exec.CommandContext(b.Context(), "git", "-C", h.dir, "log", "--name-status", prev+".."+h.version).Output()
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkHotfixHistoryFloor is the floor of the shipped-change stage:
// git log over the whole history (the head and every tag), as that stage
// reads it.
func BenchmarkHotfixHistoryFloor(b *testing.B) {
	h := hotfixBenchRepo(b)
	for b.Loop() {
		out, err := exec.CommandContext(b.Context(), "git", "-C", h.dir, "log", "--format=%H%x1f%P%x1f%an <%ae>%x1f%at%x1f%s%x1f%b%x1e", "main", "--tags").Output()
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkNotesHotfixHistory builds and renders the notes of the last
// minor of the hotfix history from the clone alone, and checks that they
// put apart what the patches below it shipped.
func BenchmarkNotesHotfixHistory(b *testing.B) {
	h := hotfixBenchRepo(b)
	b.ReportMetric(float64(h.commits), "commits")
	b.ReportMetric(float64(h.tags), "tags")
	for b.Loop() {
		n, err := Build(b.Context(), Input{Version: h.version, RepoDir: h.dir})
		if err != nil {
			b.Fatal(err)
		}
		shipped := 0
		for _, r := range n.AlreadyReleased {
			shipped += len(r.Entries)
		}
		if shipped != h.shipped {
			b.Fatalf("%d entries already released, want %d", shipped, h.shipped)
		}
		_ = Markdown(n)
	}
}

// BenchmarkShippedStage is the shipped-change stage alone on the hotfix
// history: tags, the history log, the patch ids.
func BenchmarkShippedStage(b *testing.B) {
	h := hotfixBenchRepo(b)
	g := gitRepo{gitexec.Repo{Bin: "git", Dir: h.dir}}
	v, err := tagging.ParseVersion(h.version)
	if err != nil {
		b.Fatal(err)
	}
	head, err := g.resolve(b.Context(), h.version)
	if err != nil {
		b.Fatal(err)
	}
	commits, err := g.log(b.Context(), fmt.Sprintf("v1.%d.%d", hotfixMinors-1, hotfixPatches), head)
	if err != nil {
		b.Fatal(err)
	}
	inRange := map[string]bool{}
	for _, c := range commits {
		inRange[c.SHA] = true
	}
	for b.Loop() {
		s, err := findShipped(b.Context(), g, v, head, commits[0].Date.Unix(), inRange)
		if err != nil {
			b.Fatal(err)
		}
		if len(s.releases) != h.tags-1 {
			b.Fatalf("%d earlier releases, want %d", len(s.releases), h.tags-1)
		}
	}
}
