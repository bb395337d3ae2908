package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
)

// TestReleaseAirGap: `release --airgap` attaches the archives of one
// platform and of an extra image, SHA256SUMS and its signature to the
// release; a re-run uploads nothing.
func TestReleaseAirGap(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, _, privPath, _ := sigstoretest.KeyPair(t)
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.1.0", Draft: true})
	pg := sigstoretest.PushImage(t, reg.Host, "library/postgres", "16.4")
	src, commit := pushDemoBuild(t, reg, repo, "v1.1.0")
	env := map[string]string{
		"COSIGN_PASSWORD":   sigstoretest.KeyPassword,
		"GITHUB_API_URL":    gh.URL,
		"GITHUB_REPOSITORY": "acme/app",
		"GITHUB_TOKEN":      "ghs_test",
		"RUNNER_TEMP":       t.TempDir(),
		"GITHUB_OUTPUT":     filepath.Join(t.TempDir(), "out"),
	}
	args := []string{"release", "--source", src, "--image", reg.Repo("acme/app"), "--ref", "refs/tags/v1.1.0", "--sha", commit,
		"--sign", "key", "--key", privPath, "--tlog-upload=false", "--notes", "--repo-dir", repo.Dir,
		"--airgap", "--airgap-platform", "linux/arm64", "--airgap-image", reg.Host + "/library/postgres:16.4@" + pg.DigestStr()}
	code, _, stderr := runCLI(t, env, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var names []string
	for _, a := range gh.Assets("acme/app", "v1.1.0") {
		names = append(names, a.Name)
	}
	if want := []string{"app_v1.1.0_linux-arm64.tar.gz", "postgres_16.4.tar.gz", "SHA256SUMS", "SHA256SUMS.sigstore.json"}; !slices.Equal(names, want) {
		t.Errorf("assets %v, want %v", names, want)
	}
	out := parseOutputs(t, env["GITHUB_OUTPUT"])
	if !strings.Contains(out["notes"], "docker load -i app_v1.1.0_linux-arm64.tar.gz") {
		t.Errorf("notes:\n%s", out["notes"])
	}

	gh.ResetCalls()
	if code, _, stderr := runCLI(t, env, args...); code != 0 {
		t.Fatalf("re-run exit %d: %s", code, stderr)
	}
	if n := gh.Calls()["repos/upload-release-asset"]; n != 0 {
		t.Errorf("re-run uploaded %d assets", n)
	}
}

func TestReleaseAirGapFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--airgap-image", "postgres:16@sha256:" + strings.Repeat("a", 64)}, "need --airgap"},
		{[]string{"--airgap", "--airgap-image", "postgres@sha256:" + strings.Repeat("a", 64)}, "expected REPO:TAG@sha256:"},
		{[]string{"--airgap", "--airgap-image", "postgres:16"}, "expected REPO:TAG@sha256:"},
		{[]string{"--airgap", "--notes=false"}, "needs --notes"},
		{[]string{"--airgap", "--airgap-platform", "amd64"}, "expected OS/ARCH"},
	} {
		args := append([]string{"release", "--source", "ghcr.io/acme/app@sha256:" + strings.Repeat("b", 64), "--image", "ghcr.io/acme/app",
			"--ref", "refs/tags/v1.1.0", "--sha", strings.Repeat("c", 40), "--sign", "none", "--notes"}, tt.args...)
		code, _, stderr := runCLI(t, nil, args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
	// The Action passes its inputs empty when unset: not an error.
	if c, err := (&airGapFlags{images: []string{""}, platforms: []string{""}}).config(actions.Env{}, nil, nil, false); c != nil || err != nil {
		t.Errorf("empty Action inputs: %+v, %v", c, err)
	}
}
