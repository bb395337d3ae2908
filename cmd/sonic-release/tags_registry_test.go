package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
)

// TestTagsImage reads the published versions from a loopback registry
// holding v1.2.0 and v1.1.4 (and their floating tags): the floating tags
// printed are right for a backport, a new release, a pre-release, with
// --image and --existing together, and for a repository that does not
// exist yet. The outputs are read back from $GITHUB_OUTPUT.
func TestTagsImage(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	for _, tag := range []string{"v1.1.4", "v1.2.0", "v1.2", "v1", "latest"} {
		pushImage(t, reg.Repo("acme/app:"+tag), testSHA)
	}
	for _, tag := range []string{"v1.2.0", "v1.3.0"} {
		pushImage(t, reg.Repo("acme/two:"+tag), testSHA)
	}
	app, other, two := reg.Repo("acme/app"), reg.Repo("acme/new"), reg.Repo("acme/two")
	q := func(img string, tags ...string) string {
		var refs []string
		for _, tag := range tags {
			refs = append(refs, img+":"+tag)
		}
		return strings.Join(refs, "\n")
	}
	tests := []struct {
		name      string
		args      []string
		tags      string // the tags output (stdout: the same, one per line)
		tagNames  string
		version   string
		published string // in the json output
	}{
		{"backport", []string{"--ref", "refs/tags/v1.1.5", "--image", app},
			q(app, "v1.1.5", "v1.1"), "v1.1.5\nv1.1", "v1.1.5", `"v1.1.4",`},
		{"backport, no v prefix", []string{"--ref", "refs/tags/1.1.5", "--image", app},
			q(app, "v1.1.5", "v1.1"), "v1.1.5\nv1.1", "v1.1.5", `"v1.1.4",`},
		{"patch of an older minor", []string{"--ref", "refs/tags/v1.2.1", "--image", two},
			q(two, "v1.2.1", "v1.2"), "v1.2.1\nv1.2", "v1.2.1", `"v1.3.0"`},
		{"new highest", []string{"--ref", "refs/tags/v1.3.0", "--image", app},
			q(app, "v1.3.0", "v1.3", "v1", "latest"), "v1.3.0\nv1.3\nv1\nlatest", "v1.3.0", `"v1.2.0"`},
		{"re-run of the highest", []string{"--ref", "refs/tags/v1.2.0", "--image", app},
			q(app, "v1.2.0", "v1.2", "v1", "latest"), "v1.2.0\nv1.2\nv1\nlatest", "v1.2.0", `"v1.2.0"`},
		{"pre-release", []string{"--ref", "refs/tags/v1.3.0-rc.1", "--image", app},
			q(app, "v1.3.0-rc.1"), "v1.3.0-rc.1", "v1.3.0-rc.1", `"v1.2.0"`},
		{"pre-release below the highest", []string{"--ref", "refs/tags/v1.2.1-rc.1", "--image", two},
			q(two, "v1.2.1-rc.1"), "v1.2.1-rc.1", "v1.2.1-rc.1", `"v1.3.0"`},
		{"pre-release above the highest", []string{"--ref", "refs/tags/v1.4.0-rc.1", "--image", two},
			q(two, "v1.4.0-rc.1"), "v1.4.0-rc.1", "v1.4.0-rc.1", `"v1.3.0"`},
		{"the same image twice", []string{"--ref", "refs/tags/v1.2.1", "--image", two, "--image", two + "\n" + two},
			q(two, "v1.2.1", "v1.2"), "v1.2.1\nv1.2", "v1.2.1", `"v1.3.0"`},
		{"two images, one new", []string{"--ref", "refs/tags/v1.1.5", "--image", app + "," + other},
			q(app, "v1.1.5", "v1.1") + "\n" + q(other, "v1.1.5", "v1.1"), "v1.1.5\nv1.1", "v1.1.5", `"v1.1.4",`},
		{"missing repository", []string{"--ref", "refs/tags/v1.1.5", "--image", other},
			q(other, "v1.1.5", "v1.1", "v1", "latest"), "v1.1.5\nv1.1\nv1\nlatest", "v1.1.5", ""},
		{"missing repository and --existing", []string{"--ref", "refs/tags/v1.1.5", "--image", other, "--existing", "v1.2.0"},
			q(other, "v1.1.5", "v1.1"), "v1.1.5\nv1.1", "v1.1.5", ""},
		{"without --image", []string{"--ref", "refs/tags/v1.1.5"},
			"v1.1.5\nv1.1\nv1\nlatest", "v1.1.5\nv1.1\nv1\nlatest", "v1.1.5", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, summary := filepath.Join(t.TempDir(), "output"), filepath.Join(t.TempDir(), "summary")
			env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": summary, "GITHUB_REPOSITORY": "acme/app", "GITHUB_SERVER_URL": "https://github.example",
				"SOURCE_DATE_EPOCH": "1557933641"}
			code, stdout, stderr := runCLI(t, env, append([]string{"tags", "--sha", testSHA}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != tt.tags+"\n" {
				t.Errorf("stdout %q, want %q", stdout, tt.tags+"\n")
			}
			got := parseOutputs(t, out)
			// The labels carry the revision release checks.
			labels := "org.opencontainers.image.created=2019-05-15T15:20:41.000Z\n" +
				"org.opencontainers.image.description=\n" +
				"org.opencontainers.image.licenses=\n" +
				"org.opencontainers.image.revision=" + testSHA + "\n" +
				"org.opencontainers.image.source=https://github.example/acme/app\n" +
				"org.opencontainers.image.title=app\n" +
				"org.opencontainers.image.url=https://github.example/acme/app\n" +
				"org.opencontainers.image.version=" + tt.version
			want := map[string]string{
				"tags":        tt.tags,
				"tag-names":   tt.tagNames,
				"version":     tt.version,
				"labels":      labels,
				"annotations": "manifest:" + strings.ReplaceAll(labels, "\n", "\nmanifest:"),
			}
			js := got["json"]
			delete(got, "json")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			sum, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			if read := strings.Contains(string(sum), "Published tags read from `"); read != slices.Contains(tt.args, "--image") {
				t.Errorf("summary names the repositories read: %v, want %v:\n%s", read, !read, sum)
			}
			if !strings.Contains(js, tt.published) || (tt.published == "") == strings.Contains(js, `"published"`) {
				t.Errorf("json output lacks the published tags %s:\n%s", tt.published, js)
			}
		})
	}
}

// TestTagsImageNoTags: an event that tags nothing reads no registry (a
// fork's pull request has no credentials); a branch push gets the branch
// as its version label.
func TestTagsImageNoTags(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	out := filepath.Join(t.TempDir(), "output")
	env := map[string]string{"GITHUB_OUTPUT": out}
	code, stdout, stderr := runCLI(t, env, "tags", "--ref", "refs/heads/feature", "--sha", testSHA, "--image", reg.Repo("acme/app"))
	if code != 0 || stdout != "" || !strings.Contains(stderr, "no tags") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if n := reg.Counter.Total(); n != 0 {
		t.Errorf("%d registry requests for an event that tags nothing", n)
	}

	code, stdout, stderr = runCLI(t, env, "tags", "--ref", "refs/heads/master", "--sha", testSHA, "--image", reg.Repo("acme/app"))
	if want := reg.Repo("acme/app") + ":master\n" + reg.Repo("acme/app") + ":master-6113728\n"; code != 0 || stdout != want {
		t.Errorf("branch push: exit %d, stdout %q, want %q (stderr %q)", code, stdout, want, stderr)
	}
	got := parseOutputs(t, out)
	if want := "org.opencontainers.image.revision=" + testSHA + "\n"; !strings.Contains(got["labels"], want) || !strings.HasSuffix(got["labels"], "\norg.opencontainers.image.version=master") {
		t.Errorf("labels %q, want the revision and the branch as the version", got["labels"])
	}
}

// TestTagsImageErrors: a bad --image is bad input; a registry that
// refuses the listing (no credentials) fails with the credentials hint
// and prints nothing.
func TestTagsImageErrors(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI(t, nil, "tags", "--ref", "refs/tags/v1.0.0", "--image", "ghcr.io/acme/app:v1")
	if code != exitBadInput || stdout != "" || !strings.Contains(stderr, `--image "ghcr.io/acme/app:v1": expected a repository`) {
		t.Errorf("bad --image: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	reg := registrytest.StartRegistry(t)
	code, stdout, stderr = runCLI(t, nil, "tags", "--ref", "refs/tags/v1.0.0", "--image", reg.Repo("acme/app"))
	if code != 1 || stdout != "" || !strings.Contains(stderr, "check the registry credentials") || !strings.Contains(stderr, reg.Repo("acme/app")) {
		t.Errorf("no credentials: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestTagsLabelsRelease: an image built with the labels output (as
// build-push-action does) is one that release accepts for the same
// commit, and refuses for another.
func TestTagsLabelsRelease(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	out := filepath.Join(t.TempDir(), "output")
	env := map[string]string{"GITHUB_OUTPUT": out}
	if code, _, stderr := runCLI(t, env, "tags", "--ref", "refs/tags/v1.0.0", "--sha", testSHA, "--image", reg.Repo("acme/app")); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	labels := map[string]string{}
	for _, line := range strings.Split(parseOutputs(t, out)["labels"], "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("label line %q is not key=value", line)
		}
		labels[k] = v
	}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config.Labels = labels
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(reg.Repo("acme/build:ci"))
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	src := ref.Context().Digest(d.String()).String()
	base := []string{"release", "--source", src, "--image", reg.Repo("acme/app"), "--ref", "refs/tags/v1.0.0", "--sign", "none", "--dry-run"}
	if code, _, stderr := runCLI(t, nil, append(base, "--sha", testSHA)...); code != 0 {
		t.Errorf("release of the labelled image: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, nil, append(base, "--sha", releaseSHA)...); code != 3 {
		t.Errorf("release for another commit: exit %d, want 3: %s", code, stderr)
	}
}

// TestTagsImageDistribution reads the published versions from the real
// distribution registry, with the credentials of a docker config: it
// holds v1.2.0 and v1.3.0, so v1.2.1 gets v1.2.1 and v1.2 but not v1 or
// latest, and a pre-release its exact tag only; the labels carry the
// revision release checks.
func TestTagsImageDistribution(t *testing.T) {
	reg := registrytest.StartRegistry(t)
	useDockerConfig(t, reg)
	for _, tag := range []string{"v1.2.0", "v1.3.0"} {
		pushImage(t, reg.Repo("acme/app:"+tag), testSHA, remote.WithAuthFromKeychain(reg.Keychain()))
	}
	app := reg.Repo("acme/app")
	for ref, want := range map[string]string{
		"refs/tags/v1.2.1":      app + ":v1.2.1\n" + app + ":v1.2",
		"refs/tags/v1.2.2-rc.1": app + ":v1.2.2-rc.1",
		"refs/tags/v1.4.0-rc.1": app + ":v1.4.0-rc.1",
		"refs/tags/v1.4.0":      app + ":v1.4.0\n" + app + ":v1.4\n" + app + ":v1\n" + app + ":latest",
	} {
		out := filepath.Join(t.TempDir(), "output")
		code, stdout, stderr := runCLI(t, map[string]string{"GITHUB_OUTPUT": out}, "tags", "--ref", ref, "--sha", releaseSHA, "--image", app)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", ref, code, stderr)
		}
		got := parseOutputs(t, out)
		if stdout != want+"\n" || got["tags"] != want {
			t.Errorf("%s: stdout %q, tags output %q, want %q", ref, stdout, got["tags"], want)
		}
		if l := "\n" + release.RevisionLabel + "=" + releaseSHA + "\n"; !strings.Contains(got["labels"], l) {
			t.Errorf("%s: labels lack %q:\n%s", ref, l, got["labels"])
		}
	}
}

// useDockerConfig points DOCKER_CONFIG, for the rest of the test, at a
// docker config holding reg's credentials, as docker login writes it; it
// returns the config's auth value.
func useDockerConfig(t *testing.T, reg *registrytest.Server) string {
	t.Helper()
	cfg := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(reg.User + ":" + reg.Password))
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{"`+reg.Host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfg)
	return auth
}
