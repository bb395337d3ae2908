// Package testrepo builds real git repositories for tests, with the git
// binary, in a temporary directory: no global git configuration is read.
package testrepo

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a git repository under t.TempDir().
type Repo struct {
	t   testing.TB
	Dir string
	n   int
}

// New initialises an empty repository on branch main.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("-c", "init.defaultBranch=main", "init", "-q")
	return r
}

// Git runs git in the repository and returns its trimmed output.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.Dir, "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Write writes a file, creating its folders.
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

// Remove deletes a file.
func (r *Repo) Remove(path string) {
	r.t.Helper()
	if err := os.Remove(filepath.Join(r.Dir, filepath.FromSlash(path))); err != nil {
		r.t.Fatal(err)
	}
}

// Commit commits everything and returns the commit id.
func (r *Repo) Commit(msg string) string {
	r.t.Helper()
	r.n++
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}

// Tag puts a lightweight tag on HEAD.
func (r *Repo) Tag(name string) {
	r.t.Helper()
	r.Git("tag", name)
}

// Drizzle writes, into dst of the repository, the first n migrations of the
// drizzle-kit output in src (NNNN_name.sql files and meta/_journal.json):
// the state of the folder after n runs of drizzle-kit generate.
func (r *Repo) Drizzle(src, dst string, n int) {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join(src, "meta", "_journal.json"))
	if err != nil {
		r.t.Fatal(err)
	}
	var j map[string]json.RawMessage
	if err := json.Unmarshal(data, &j); err != nil {
		r.t.Fatal(err)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(j["entries"], &entries); err != nil {
		r.t.Fatal(err)
	}
	if n > len(entries) {
		r.t.Fatalf("%s has %d migrations, not %d", src, len(entries), n)
	}
	entries = entries[:n]
	for _, e := range entries {
		var entry struct{ Tag string }
		if err := json.Unmarshal(e, &entry); err != nil {
			r.t.Fatal(err)
		}
		sql, err := os.ReadFile(filepath.Join(src, entry.Tag+".sql"))
		if err != nil {
			r.t.Fatal(err)
		}
		r.Write(dst+"/"+entry.Tag+".sql", sql)
	}
	j["entries"], _ = json.Marshal(entries)
	out, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		r.t.Fatal(err)
	}
	r.Write(dst+"/meta/_journal.json", out)
}

// CopyFile copies a file from the test's testdata into the repository.
func (r *Repo) CopyFile(src, dst string) {
	r.t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		r.t.Fatal(err)
	}
	r.Write(dst, data)
}
