// Package testrepo builds real git repositories for tests, with the git
// binary, in a temporary directory: no global git configuration is read.
package testrepo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/gittest"
)

// Repo is a git repository under t.TempDir() (internal/gittest) with the
// Drizzle helpers of the migrations tests.
type Repo struct {
	*gittest.Repo
	t testing.TB
}

// New initialises an empty repository on branch main.
func New(t testing.TB) *Repo {
	t.Helper()
	return &Repo{Repo: gittest.New(t), t: t}
}

// Commit commits everything (an empty commit when nothing changed) and
// returns the commit id.
func (r *Repo) Commit(msg string) string {
	r.t.Helper()
	return r.CommitAll(msg)
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
