package notes

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// t0 is the date of the first commit of every test repository; each commit
// is one minute later, so commit ids are the same on every run.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testRepo is a real git repository built in t.TempDir().
type testRepo struct {
	t   testing.TB
	dir string
	n   int
}

func newTestRepo(t testing.TB) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("-c", "init.defaultBranch=main", "init", "-q")
	return r
}

func gitEnv(date time.Time) []string {
	d := date.Format(time.RFC3339)
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE="+d,
		"GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_COMMITTER_DATE="+d,
	)
}

func (r *testRepo) now() time.Time { return t0.Add(time.Duration(r.n) * time.Minute) }

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	cmd.Env = gitEnv(r.now())
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files and commits them with message; it returns the id.
func (r *testRepo) commit(message string, files map[string]string) string {
	r.t.Helper()
	r.n++
	if len(files) == 0 {
		files = map[string]string{fmt.Sprintf("changes/%03d.txt", r.n): message + "\n"}
	}
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", "-A")
	r.git("commit", "-q", "-m", message)
	return r.git("rev-parse", "HEAD")
}

// merge merges branch into the current branch with GitHub's merge commit
// message for pull request pr.
func (r *testRepo) merge(pr int, branch, title string) string {
	r.t.Helper()
	r.n++
	r.git("merge", "-q", "--no-ff", "-m", fmt.Sprintf("Merge pull request #%d from octo/%s\n\n%s", pr, branch, title), branch)
	return r.git("rev-parse", "HEAD")
}

func (r *testRepo) tag(name string) { r.git("tag", name) }

// seed copies the repository's commits and tags into the fake GitHub, for
// the compare API.
func (r *testRepo) seed(s *fakegithub.Server, repo string) {
	r.t.Helper()
	out := r.git("log", "--all", "--reverse", "--topo-order", "--format=%H%x1f%P%x1f%cI%x1f%B%x1e")
	for _, rec := range strings.Split(out, "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		f := strings.SplitN(rec, "\x1f", 4)
		date, _ := time.Parse(time.RFC3339, f[2])
		s.AddCommit(repo, fakegithub.Commit{SHA: f[0], Parents: strings.Fields(f[1]), Date: date, Message: strings.TrimSpace(f[3]), AuthorName: "Ada Lovelace", AuthorEmail: "ada@example.com"})
	}
	for _, tag := range strings.Fields(r.git("tag", "--list")) {
		s.AddTag(repo, tag, r.git("rev-parse", tag+"^{commit}"))
	}
	s.AddBranch(repo, "main", r.git("rev-parse", "main"))
}

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./notes -update to create it): %v", err)
	}
	if w := strings.ReplaceAll(string(want), "\r\n", "\n"); w != got {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n--- want\n%s\n--- got\n%s", path, w, got)
	}
}
