package migrations_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/gitexec"
	"github.com/sonicsaas/sonic-release/migrations"
)

// TestWithNoPrevious: a range chosen by the caller to start at the
// beginning of the history covers every migration, even where a tag below
// would otherwise be taken as the previous release.
func TestWithNoPrevious(t *testing.T) {
	r := releases(t)
	rep, err := migrations.Analyze(t.Context(), r.Dir, "", "v1.1.0", migrations.WithNoPrevious())
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != "" || rep.To != "v1.1.0" {
		t.Errorf("range %q..%q, want ..v1.1.0", rep.From, rep.To)
	}
	if diff := cmp.Diff([]string{"0000_init:added", "0001_additive:added"}, names(rep)); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	_, err = migrations.Analyze(t.Context(), r.Dir, "v1.0.0", "v1.1.0", migrations.WithNoPrevious())
	if ie, ok := errors.AsType[*migrations.InputError](err); !ok || !ie.BadInput() {
		t.Errorf("from with WithNoPrevious: err = %v, want an InputError", err)
	}
}

// TestWithGit: the analysis runs the git binary it is given.
func TestWithGit(t *testing.T) {
	r := releases(t)
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrations.Analyze(t.Context(), r.Dir, "v1.0.0", "v1.1.0", migrations.WithGit(real)); err != nil {
		t.Errorf("WithGit(%s): %v", real, err)
	}
	missing := filepath.Join(t.TempDir(), "git")
	_, err = migrations.Analyze(t.Context(), r.Dir, "v1.0.0", "v1.1.0", migrations.WithGit(missing))
	if ge, ok := errors.AsType[*gitexec.Error](err); !ok || ge.Args[0] != "rev-parse" {
		t.Errorf("WithGit(%s): err = %v, want the git runner's error", missing, err)
	}
	if _, err := migrations.Analyze(t.Context(), r.Dir, "", "", migrations.WithGit("")); err == nil {
		t.Error(`WithGit(""): no error`)
	}
}
