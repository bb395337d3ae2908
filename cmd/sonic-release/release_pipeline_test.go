package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestReleaseSignsAndWritesNotes runs the whole job from the CLI: a key
// signature before the floating tags, the notes of the release, the outputs;
// then a dry run of the next release that says what it would do.
func TestReleaseSignsAndWritesNotes(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, pub, privPath, _ := sigstoretest.KeyPair(t)
	push := func(version string) (string, string) { return pushDemoBuild(t, reg, repo, version) }
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_OUTPUT":   filepath.Join(dir, "out"),
		"COSIGN_PASSWORD": sigstoretest.KeyPassword,
	}
	app := reg.Repo("acme/app")

	src, commit := push("v1.1.0")
	code, _, stderr := runCLI(t, env, "release", "--source", src, "--image", app, "--ref", "refs/tags/v1.1.0", "--sha", commit,
		"--sign", "key", "--key", privPath, "--tlog-upload=false", "--notes", "--repo-dir", repo.Dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"signed sha256:", "] plan\n", "] tags\n", "] sign " + app + "@sha256:", "] notes\n"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	res, err := sign.Verify(t.Context(), app+":latest", sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false))
	if err != nil {
		t.Fatalf("latest does not verify: %v", err)
	}
	if len(res.Manifests) != 3 || res.Manifests[0].Signatures[0].Annotations[sign.AnnotationVersion] != "v1.1.0" {
		t.Errorf("verified %+v", res.Manifests)
	}
	out := parseOutputs(t, env["GITHUB_OUTPUT"])
	if out["version"] != "v1.1.0" || !strings.Contains(out["notes"], "cosign verify --key cosign.pub") || !strings.Contains(out["notes"], out["digest"]) {
		t.Errorf("outputs: %q", out)
	}

	// A dry run of the next release: the plan, what would be signed and the
	// notes, no write.
	src, commit = push("v1.2.0")
	reg.Counter.Reset()
	code, stdout, stderr := runCLI(t, map[string]string{"COSIGN_PASSWORD": sigstoretest.KeyPassword}, "release", "--source", src, "--image", app,
		"--ref", "refs/tags/v1.2.0", "--sha", commit, "--key", privPath, "--notes", "--repo-dir", repo.Dir, "--dry-run")
	if code != 0 {
		t.Fatalf("dry run exit %d: %s", code, stderr)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("dry run wrote %v", w)
	}
	for _, s := range []string{"would sign sha256:", "(index + 2 platform images)", "(key)", "(checked: key loaded)", "the release notes that would be published", "## v1.2.0", "### Upgrading from, rolling back to"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("dry-run stderr lacks %q:\n%s", s, stderr)
		}
	}
	if !strings.Contains(stdout, "latest") || !strings.Contains(stdout, "move") {
		t.Errorf("dry-run plan:\n%s", stdout)
	}
	// A dry run checks that signing is possible: a wrong COSIGN_PASSWORD
	// fails it (exit 2), as it would fail the real run, and nothing is written.
	code, _, stderr = runCLI(t, map[string]string{"COSIGN_PASSWORD": "not the password"}, "release", "--source", src, "--image", app,
		"--ref", "refs/tags/v1.2.0", "--sha", commit, "--key", privPath, "--notes=false", "--dry-run")
	if code != exitBadInput || !strings.Contains(stderr, "COSIGN_PASSWORD") {
		t.Errorf("dry run with a wrong key password: exit %d, want %d naming COSIGN_PASSWORD\n%s", code, exitBadInput, stderr)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("dry run wrote %v", w)
	}

	// In GitHub Actions the steps are collapsible log groups.
	code, _, stderr = runCLI(t, map[string]string{"GITHUB_ACTIONS": "true"}, "release", "--source", src, "--image", app,
		"--ref", "refs/tags/v1.2.0", "--sha", commit, "--sign", "none", "--notes=false", "--dry-run")
	if code != 0 || !strings.Contains(stderr, "::group::sonic-release: plan (at 0.") || !strings.HasSuffix(strings.TrimSpace(strings.SplitN(stderr, "dry-run:", 2)[0]), "::endgroup::") {
		t.Errorf("exit %d, groups in stderr:\n%s", code, stderr)
	}

	// No signing set up outside Actions: released unsigned, with a warning.
	src, commit = push("v1.2.0")
	code, _, stderr = runCLI(t, nil, "release", "--source", src, "--image", app, "--ref", "refs/tags/v1.2.0", "--sha", commit)
	if code != 0 || !strings.Contains(stderr, "warning: the image will not be signed") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}

// pushDemoBuild pushes the CI build of a demo version by digest to
// acme/ci and returns its reference and the version's commit.
func pushDemoBuild(t *testing.T, reg *registrytest.Server, repo *demo.Repo, version string) (string, string) {
	t.Helper()
	var commit string
	for _, r := range repo.Releases {
		if r.Version == version {
			commit = r.Commit
		}
	}
	idx, err := demo.Image(version, commit, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	ref, _ := name.NewDigest(reg.Repo("acme/ci@" + d.String()))
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	return ref.String(), commit
}
