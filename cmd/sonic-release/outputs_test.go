package main

import (
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
)

// A $GITHUB_OUTPUT or $GITHUB_STEP_SUMMARY that cannot be written fails the
// command with nothing on stdout (a later step must not use half a result)
// and a message that names the variable.
func TestUnwritableOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // a directory: cannot be appended to
	reg := registrytest.NewMemory(t)
	src := pushImage(t, reg.Repo("acme/build:ci"), releaseSHA)
	repo := migrationsRepo(t)
	r, s := notesFixture(t)
	release := []string{"release", "--source", src.String(), "--image", reg.Repo("acme/app"), "--ref", "refs/tags/v1.2.3", "--sha", releaseSHA}
	notesArgs := []string{"notes", "--repo-dir", r.Dir, "--image", "ghcr.io/sonicsaas/app", "--digest", digest, "--image-tag", "v1.1.0"}
	notesEnv := func(k, v string) map[string]string {
		return map[string]string{"GITHUB_API_URL": s.URL, "GITHUB_REPOSITORY": notesRepo, "GITHUB_REF": "refs/tags/v1.1.0", k: v}
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"tags output dir", map[string]string{"GITHUB_OUTPUT": dir}, []string{"tags", "--ref", "refs/tags/v1.2.3"}, "GITHUB_OUTPUT"},
		{"tags output full", map[string]string{"GITHUB_OUTPUT": "/dev/full"}, []string{"tags", "--ref", "refs/tags/v1.2.3", "-o", "json"}, "GITHUB_OUTPUT"},
		{"tags summary dir", map[string]string{"GITHUB_STEP_SUMMARY": dir}, []string{"tags", "--ref", "refs/tags/v1.2.3"}, "GITHUB_STEP_SUMMARY"},
		{"migrations output dir", map[string]string{"GITHUB_OUTPUT": dir}, []string{"migrations", "--repo-dir", repo}, "GITHUB_OUTPUT"},
		{"notes summary dir", notesEnv("GITHUB_STEP_SUMMARY", dir), notesArgs, "GITHUB_STEP_SUMMARY"},
		{"release dry-run output dir", map[string]string{"GITHUB_OUTPUT": dir}, append(release, "--dry-run"), "GITHUB_OUTPUT"},
		{"release summary dir", map[string]string{"GITHUB_STEP_SUMMARY": dir}, release, "GITHUB_STEP_SUMMARY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.env, tt.args...)
			if code != exitFailure || out != "" || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q: want exit 1, nothing on stdout and %s named", code, out, errs, tt.want)
			}
		})
	}
}
