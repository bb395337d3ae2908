package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/provenance"
)

// TestReleaseAttestsProvenance runs a key-signed release as a GitHub
// Actions step: the provenance is attached to the image (cosign v2 and v3
// verify it as SLSA v1: in the default signature format, both, from its
// bundle referrer) and stored in the repository's attestations; without
// `attestations: write` the release still succeeds, with a warning.
func TestReleaseAttestsProvenance(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, _, privPath, pubPath := sigstoretest.KeyPair(t)
	// cosign v2 reads the bundles of the default format both, and then needs
	// a trusted root (from TUF, out of reach here), even with --key.
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	verifyAttestation := func(ref string) {
		t.Helper()
		for cli, cosign := range map[string]func(testing.TB, []string, ...string) (string, error){"cosign v2.6.5": sigstoretest.Cosign, "cosign v3.1.3": sigstoretest.Cosign3} {
			if out, err := cosign(t, nil, "verify-attestation", "--type", "slsaprovenance1", "--key", pubPath, "--insecure-ignore-tlog=true", "--trusted-root", trPath, ref); err != nil {
				t.Fatalf("%s verify-attestation %s: %v\n%s", cli, ref, err, out)
			}
		}
	}
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	app := reg.Repo("acme/app")
	src, commit := pushDemoBuild(t, reg, repo, "v1.1.0")
	env := actionsRunEnv(t, gh.URL, "acme/app", "refs/tags/v1.1.0", commit)
	code, _, stderr := runCLI(t, env, "release", "--source", src, "--image", app, "--ref", "refs/tags/v1.1.0", "--sha", commit,
		"--sign", "key", "--key", privPath, "--tlog-upload=false", "--notes=false")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "sonic-release: provenance") {
		t.Errorf("no provenance step:\n%s", stderr)
	}
	verifyAttestation(app + ":v1.1.0")
	stored := gh.Attestations("acme/app")
	if len(stored) != 1 || stored[0].PredicateType != provenance.PredicateType {
		t.Fatalf("stored attestations: %+v", stored)
	}

	// Without the permission: attached, not stored, a warning.
	gh.AddRepo("acme/other")
	gh.DenyAttestations("acme/other")
	env["GITHUB_REPOSITORY"] = "acme/other"
	env["GITHUB_WORKFLOW_REF"] = "acme/other/.github/workflows/release.yml@refs/tags/v1.1.0"
	other := reg.Repo("acme/other")
	if code, _, stderr = runCLI(t, env, "release", "--source", src, "--image", other, "--ref", "refs/tags/v1.1.0", "--sha", commit,
		"--sign", "key", "--key", privPath, "--tlog-upload=false", "--notes=false"); code != 0 {
		t.Fatalf("exit %d without attestations: write: %s", code, stderr)
	}
	if len(gh.Attestations("acme/other")) != 0 {
		t.Error("stored although refused")
	}
	if !strings.Contains(stderr, "::warning title=sonic-release::the build provenance is attached to the image but not stored") {
		t.Errorf("no warning:\n%s", stderr)
	}
	verifyAttestation(other + ":v1.1.0")

	// Outside Actions an explicit --provenance cannot describe the run.
	delete(env, "GITHUB_RUN_ID")
	if code, _, stderr = runCLI(t, env, "release", "--source", src, "--image", app, "--ref", "refs/tags/v1.1.0", "--sha", commit,
		"--sign", "key", "--key", privPath, "--tlog-upload=false", "--notes=false", "--provenance"); code != 2 || !strings.Contains(stderr, "run id") {
		t.Fatalf("explicit --provenance without a run: exit %d: %s", code, stderr)
	}
}

// actionsRunEnv is the environment of a key-signed GitHub Actions job of
// repo run for ref at sha, against the fake GitHub at apiURL: all the
// provenance describes.
func actionsRunEnv(t *testing.T, apiURL, repo, ref, sha string) map[string]string {
	return map[string]string{
		"GITHUB_ACTIONS":             "true",
		"GITHUB_OUTPUT":              filepath.Join(t.TempDir(), "out"),
		"COSIGN_PASSWORD":            sigstoretest.KeyPassword,
		"GITHUB_API_URL":             apiURL,
		"GITHUB_TOKEN":               "token",
		"GITHUB_REPOSITORY":          repo,
		"GITHUB_REPOSITORY_ID":       "1",
		"GITHUB_REPOSITORY_OWNER_ID": "2",
		"GITHUB_EVENT_NAME":          "push",
		"GITHUB_REF":                 ref,
		"GITHUB_SHA":                 sha,
		"GITHUB_WORKFLOW_REF":        repo + "/.github/workflows/release.yml@" + ref,
		"GITHUB_RUN_ID":              "42",
		"GITHUB_RUN_ATTEMPT":         "1",
		"RUNNER_ENVIRONMENT":         "github-hosted",
	}
}

// TestAttestFiles signs the provenance of release archives, as
// sonic-release's own release workflow does: cosign v3 verifies each
// archive against the bundle, and refuses a tampered one; the bundle is
// in the repository's attestations.
func TestAttestFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{"sonic-release_1.2.3_linux_amd64.tar.gz": "amd64 archive", "sonic-release_1.2.3_darwin_arm64.tar.gz": "arm64 archive"}
	var sums strings.Builder
	for _, n := range []string{"sonic-release_1.2.3_darwin_arm64.tar.gz", "sonic-release_1.2.3_linux_amd64.tar.gz"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(files[n]), 0o644); err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256([]byte(files[n]))
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(h[:]), n)
	}
	checksums := filepath.Join(dir, "checksums.txt")
	if err := os.WriteFile(checksums, []byte(sums.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, privPath, pubPath := sigstoretest.KeyPair(t)
	gh := fakegithub.New(t)
	gh.AddRepo("sonicsaas/sonic-release")
	env := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"COSIGN_PASSWORD":     sigstoretest.KeyPassword,
		"GITHUB_API_URL":      gh.URL,
		"GITHUB_TOKEN":        "token",
		"GITHUB_REPOSITORY":   "sonicsaas/sonic-release",
		"GITHUB_EVENT_NAME":   "release",
		"GITHUB_REF":          "refs/tags/v1.2.3",
		"GITHUB_SHA":          strings.Repeat("c", 40),
		"GITHUB_WORKFLOW_REF": "sonicsaas/sonic-release/.github/workflows/release.yml@refs/tags/v1.2.3",
		"GITHUB_RUN_ID":       "7",
		"GITHUB_RUN_ATTEMPT":  "1",
	}
	code, stdout, stderr := runCLI(t, env, "attest", "--checksums", checksums, "--key", privPath, "--tlog-upload=false")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "attested 3 files (key): bundle "+checksums+".sigstore.json") || !strings.Contains(stdout, "stored in GitHub's attestations") {
		t.Errorf("stdout: %s", stdout)
	}
	if n := len(gh.Attestations("sonicsaas/sonic-release")); n != 1 {
		t.Fatalf("%d attestations stored", n)
	}
	verifyFile := func(path string) (string, error) {
		return sigstoretest.Cosign3(t, nil, "verify-blob-attestation", "--bundle", checksums+".sigstore.json", "--key", pubPath,
			"--type", "slsaprovenance1", "--insecure-ignore-tlog", path)
	}
	for n := range files {
		if out, err := verifyFile(filepath.Join(dir, n)); err != nil {
			t.Fatalf("cosign v3 verify-blob-attestation %s: %v\n%s", n, err, out)
		}
	}
	if out, err := verifyFile(checksums); err != nil {
		t.Fatalf("cosign v3 verify-blob-attestation checksums.txt: %v\n%s", err, out)
	}
	tampered := filepath.Join(t.TempDir(), "sonic-release_1.2.3_linux_amd64.tar.gz")
	if err := os.WriteFile(tampered, []byte("evil"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := verifyFile(tampered); err == nil {
		t.Fatalf("cosign accepted a tampered archive:\n%s", out)
	}

	// Outside a GitHub Actions run there is no build to describe.
	delete(env, "GITHUB_RUN_ID")
	if code, _, stderr := runCLI(t, env, "attest", "--checksums", checksums, "--key", privPath); code != 2 || !strings.Contains(stderr, "run id") {
		t.Fatalf("without a run: exit %d: %s", code, stderr)
	}
}
