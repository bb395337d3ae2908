package notes

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/migrations"
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
