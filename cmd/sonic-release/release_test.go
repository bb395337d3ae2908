package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
)

const releaseSHA = "0123456789abcdef0123456789abcdef01234567"

func pushImage(t *testing.T, ref, rev string, opts ...remote.Option) name.Digest {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rev != "" {
		cf, _ := img.ConfigFile()
		cf = cf.DeepCopy()
		cf.Config.Labels = map[string]string{release.RevisionLabel: rev}
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatal(err)
		}
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, opts...); err != nil {
		t.Fatal(err)
	}
	var d v1.Hash
	d, _ = img.Digest()
	return r.Context().Digest(d.String())
}

func TestReleaseCommand(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	src := pushImage(t, reg.Repo("acme/build:ci"), releaseSHA)
	app, mirror := reg.Repo("acme/app"), reg.Repo("mirror/app")
	dir := t.TempDir()
	env := map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary")}
	base := []string{"release", "--source", src.String(), "--image", app, "--image", mirror, "--ref", "refs/tags/v1.2.3", "--sha", releaseSHA}

	// A dry-run prints the plan as JSON and writes nothing.
	reg.Counter.Reset()
	code, out, stderr := runCLITTY(t, env, false, append(base, "--dry-run", "-o", "json")...)
	if code != 0 {
		t.Fatalf("dry-run exit %d: %s", code, stderr)
	}
	var js struct {
		DryRun bool            `json:"dry_run"`
		Plan   release.Plan    `json:"plan"`
		Result *release.Result `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	if !js.DryRun || js.Result != nil || js.Plan.Changes() != 8 || js.Plan.Digest != src.DigestStr() {
		t.Errorf("dry-run json: dry_run %v, result %v, %d changes, digest %s", js.DryRun, js.Result, js.Plan.Changes(), js.Plan.Digest)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("dry-run wrote: %v", w)
	}
	if !strings.Contains(stderr, "8 tag(s) would be written") {
		t.Errorf("stderr = %q", stderr)
	}

	// The release itself: TSV when piped, outputs and summary.
	code, out, stderr = runCLITTY(t, env, false, base...)
	if code != 0 {
		t.Fatalf("release exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 || lines[0] != app+"\tv1.2.3\tcreate\t-\t"+src.DigestStr()+"\tv1.2.3 is the release itself and never moves" {
		t.Errorf("text output:\n%s", out)
	}
	outputs, _ := os.ReadFile(env["GITHUB_OUTPUT"])
	for _, want := range []string{"digest<<", src.DigestStr(), app + ":v1.2.3\n" + app + ":v1.2\n", mirror + ":latest", "json<<"} {
		if !strings.Contains(string(outputs), want) {
			t.Errorf("GITHUB_OUTPUT lacks %q:\n%s", want, outputs)
		}
	}
	summary, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if !strings.Contains(string(summary), "| `"+app+"` | `v1` | create |") {
		t.Errorf("summary:\n%s", summary)
	}

	// A re-run on a terminal: a table, all unchanged, nothing written.
	reg.Counter.Reset()
	code, out, stderr = runCLITTY(t, nil, true, base...)
	if code != 0 {
		t.Fatalf("re-run exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(out, "REPOSITORY") || strings.Count(out, "unchanged") != 8 {
		t.Errorf("tty output:\n%s", out)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("re-run wrote: %v", w)
	}

	// The same version from another build: refused, exit 3, both digests named.
	other := pushImage(t, reg.Repo("acme/build:ci2"), releaseSHA)
	reg.Counter.Reset()
	code, out, stderr = runCLITTY(t, env, false, "release", "--source", other.String(), "--image", app, "--ref", "refs/tags/v1.2.3", "--sha", releaseSHA)
	if code != exitRefused || out != "" || !strings.Contains(stderr, src.DigestStr()) || !strings.Contains(stderr, other.DigestStr()) {
		t.Errorf("conflict: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("conflict wrote: %v", w)
	}
	summary, _ = os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if !strings.Contains(string(summary), "| `v1.2.3` | conflict |") {
		t.Errorf("summary lacks the conflict:\n%s", summary)
	}
}

func TestReleaseCommandErrors(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	src := pushImage(t, reg.Repo("acme/build:ci"), "fedcba9876543210fedcba9876543210fedcba98")
	app := reg.Repo("acme/app")
	reg.Counter.Reset()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no source", []string{"release", "--image", app, "--ref", "refs/tags/v1.0.0"}, exitBadInput, "--source is required"},
		{"no image", []string{"release", "--source", src.String(), "--ref", "refs/tags/v1.0.0"}, exitBadInput, "--image is required"},
		{"image with a tag", []string{"release", "--source", src.String(), "--image", app + ":v1", "--ref", "refs/tags/v1.0.0"}, exitBadInput, "no tag or digest"},
		{"bad source", []string{"release", "--source", "oci:", "--image", app, "--ref", "refs/tags/v1.0.0"}, exitBadInput, "has no path"},
		{"missing layout", []string{"release", "--source", "oci:/nonexistent", "--image", app, "--ref", "refs/tags/v1.0.0"}, exitBadInput, "opening the OCI layout"},
		{"bad version", []string{"release", "--source", src.String(), "--image", app, "--ref", "refs/tags/v1.0.0+build"}, exitBadInput, ""},
		{"revision mismatch", []string{"release", "--source", src.String(), "--image", app, "--ref", "refs/tags/v1.0.0", "--sha", releaseSHA}, exitRefused, "--allow-revision-mismatch"},
		{"revision mismatch allowed", []string{"release", "--source", src.String(), "--image", app, "--ref", "refs/tags/v1.0.0", "--sha", releaseSHA, "--allow-revision-mismatch", "--dry-run"}, exitOK, "would be written"},
		{"pull request", []string{"release", "--source", src.String(), "--image", app, "--ref", "refs/pull/1/merge"}, exitOK, "pull request"},
		{"bad jobs", []string{"release", "--source", src.String(), "--image", app, "--ref", "refs/tags/v1.0.0", "--jobs", "0"}, exitBadInput, "--jobs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLITTY(t, nil, false, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, stderr, tt.want)
			}
		})
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("writes: %v", w)
	}
}

// TestReleaseCommandAuth releases into the real registry with the
// credentials of a docker config, at debug log level: the password never
// shows in the output or the logs.
func TestReleaseCommandAuth(t *testing.T) {
	reg := registrytest.StartRegistry(t)
	auth := useDockerConfig(t, reg)
	src := pushImage(t, reg.Repo("acme/build:ci"), releaseSHA, remote.WithAuthFromKeychain(reg.Keychain()))
	code, out, stderr := runCLI(t, map[string]string{"GITHUB_TOKEN": "ghs_secret"}, "--log-level", "debug",
		"release", "--source", src.String(), "--image", reg.Repo("acme/app"), "--ref", "refs/heads/master", "--sha", releaseSHA)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "master-0123456\tcreate") || !strings.Contains(stderr, "tag written") {
		t.Errorf("stdout %q\nstderr %q", out, stderr)
	}
	for _, secret := range []string{reg.Password, auth, "ghs_secret"} {
		if strings.Contains(out+stderr, secret) {
			t.Errorf("a credential shows in the output")
		}
	}

	// Without credentials: exit 1 with what to do.
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	code, out, stderr = runCLI(t, nil, "release", "--source", src.String(), "--image", reg.Repo("acme/app"), "--ref", "refs/heads/master", "--sha", releaseSHA)
	if code != exitFailure || out != "" || !strings.Contains(stderr, "UNAUTHORIZED") || !strings.Contains(stderr, "docker login") {
		t.Errorf("without credentials: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}
