package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
)

// TestReleaseMigrationAnalysisFails: the release command's notes step
// fails when the migrations of the release cannot be analysed (here a
// drizzle.config.ts whose out leaves the repository), and with
// --on-migration-error=warn writes notes that say so.
func TestReleaseMigrationAnalysisFails(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", repo.Dir}, args...)...)
		cmd.Env = gittest.Env(gittest.T0)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	config := filepath.Join(repo.Dir, "drizzle.config.ts")
	if err := os.WriteFile(config, []byte("export default { dialect: \"postgresql\", out: \"../shared/drizzle\" };\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-q", "-am", "chore: share the migrations with the worker (#7)")
	git("tag", "v1.3.0")
	commit := git("rev-parse", "HEAD")
	idx, err := demo.Image("v1.3.0", commit, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	ref, _ := name.NewDigest(reg.Repo("acme/ci@" + d.String()))
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	args := []string{"release", "--source", ref.String(), "--image", reg.Repo("acme/app"), "--ref", "refs/tags/v1.3.0", "--sha", commit,
		"--sign", "none", "--notes", "--repo-dir", repo.Dir, "--dry-run"}

	code, _, stderr := runCLI(t, nil, args...)
	want := `sonic-release: writing the notes of v1.3.0: analysing the migrations of v1.3.0: reading out of drizzle.config.ts: migrations folder "../shared/drizzle"`
	if code != exitFailure || !strings.Contains(stderr, want) || !strings.Contains(stderr, "--on-migration-error=warn") || strings.Contains(stderr, "would be published") {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and %q", code, stderr, want)
	}

	code, _, stderr = runCLI(t, nil, append(args, "--on-migration-error", "warn")...)
	for _, s := range []string{
		"warning: the migration analysis failed, and the notes say so: reading out of drizzle.config.ts",
		"the release notes that would be published",
		"> The migrations of this release could not be analysed: reading out of drizzle.config.ts",
	} {
		if !strings.Contains(stderr, s) {
			t.Errorf("warn: stderr lacks %q:\n%s", s, stderr)
		}
	}
	if code != 0 {
		t.Errorf("warn: exit %d", code)
	}

	code, _, stderr = runCLI(t, nil, append(args, "--on-migration-error", "maybe")...)
	if code != exitBadInput || !strings.Contains(stderr, `--on-migration-error "maybe": expected fail or warn`) {
		t.Errorf("bad value: exit %d, stderr %s", code, stderr)
	}
}
