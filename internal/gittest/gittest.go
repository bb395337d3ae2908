// Package gittest builds real git repositories for tests: fixed author,
// committer and dates (one minute per commit from T0), so commit ids are the
// same on every run; no global git configuration is read and the working
// directory is never changed.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

// T0 is the date of the first commit of every test repository; each commit
// is one minute later, so commit ids are the same on every run.
var T0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// Repo is a real git repository built in t.TempDir().
type Repo struct {
	t testing.TB
	// Dir is the repository's directory.
	Dir string
	// N counts the commits made; the next one is dated T0 + N+1 minutes.
	N int
}

// New initialises an empty repository on branch main.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("-c", "init.defaultBranch=main", "init", "-q")
	return r
}

// Env is the environment for git commands dated date.
func Env(date time.Time) []string {
	d := date.Format(time.RFC3339)
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE="+d,
		"GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_COMMITTER_DATE="+d,
	)
}

func (r *Repo) now() time.Time { return T0.Add(time.Duration(r.N) * time.Minute) }

// Git runs git in the repository and returns its trimmed output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.Dir}, args...)...)
	cmd.Env = Env(r.now())
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes files and commits them with message; it returns the id.
func (r *Repo) Commit(message string, files map[string]string) string {
	r.t.Helper()
	r.N++
	if len(files) == 0 {
		files = map[string]string{fmt.Sprintf("changes/%03d.txt", r.N): message + "\n"}
	}
	for name, content := range files {
		r.Write(name, []byte(content))
	}
	r.Git("add", "-A")
	r.Git("commit", "-q", "-m", message)
	return r.Git("rev-parse", "HEAD")
}

// Write writes a file of the work tree, creating its folders.
func (r *Repo) Write(path string, data []byte) {
	r.t.Helper()
	p := filepath.Join(r.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// Remove deletes a file of the work tree.
func (r *Repo) Remove(path string) {
	r.t.Helper()
	if err := os.Remove(filepath.Join(r.Dir, filepath.FromSlash(path))); err != nil {
		r.t.Fatal(err)
	}
}

// CommitAll commits the work tree as it is (an empty commit when nothing
// changed) and returns the id.
func (r *Repo) CommitAll(message string) string {
	r.t.Helper()
	r.N++
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", message)
	return r.Git("rev-parse", "HEAD")
}

// Merge merges branch into the current branch with GitHub's merge commit
// message for pull request pr.
func (r *Repo) Merge(pr int, branch, title string) string {
	r.t.Helper()
	r.N++
	r.Git("merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge pull request #%d from octo/%s\n\n%s", pr, branch, title), branch)
	return r.Git("rev-parse", "HEAD")
}

// Tag makes a lightweight tag of HEAD.
func (r *Repo) Tag(name string) { r.Git("tag", name) }

// Seed copies the repository's commits and tags into the fake GitHub, for
// the compare API.
func (r *Repo) Seed(s *fakegithub.Server, repo string) {
	r.t.Helper()
	out := r.Git("log", "--all", "--reverse", "--topo-order", "--format=%H%x1f%P%x1f%cI%x1f%B%x1e")
	for _, rec := range strings.Split(out, "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		f := strings.SplitN(rec, "\x1f", 4)
		date, _ := time.Parse(time.RFC3339, f[2])
		s.AddCommit(repo, fakegithub.Commit{SHA: f[0], Parents: strings.Fields(f[1]), Date: date, Message: strings.TrimSpace(f[3]), AuthorName: "Ada Lovelace", AuthorEmail: "ada@example.com"})
	}
	for _, tag := range strings.Fields(r.Git("tag", "--list")) {
		s.AddTag(repo, tag, r.Git("rev-parse", tag+"^{commit}"))
	}
	s.AddBranch(repo, "main", r.Git("rev-parse", "main"))
}
