package main

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/notes"
)

// TestTagPushPromotesAndPublishesDraft runs the workflows of
// docs/examples/sonicsaas-app-release.yml from the CLI, with a real git
// repository, a registry and the fake GitHub (immutable releases on): the
// push to master releases its build as master-<sha>; the tag push
// promotes that image with --source auto, creates the GitHub release as a
// draft and publishes it last as the latest. A re-run writes nothing. A
// backport without its release branch's build is refused, saying what to
// do, then promoted once that build exists, and never made the latest.
func TestTagPushPromotesAndPublishesDraft(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	gh.SetImmutableReleases("acme/app", true)
	app := reg.Repo("acme/app")
	env := map[string]string{"GITHUB_REPOSITORY": "acme/app", "GITHUB_API_URL": gh.URL}
	commitOf := func(version string) string {
		for _, r := range repo.Releases {
			if r.Version == version {
				return r.Commit
			}
		}
		t.Fatalf("no demo release %s", version)
		return ""
	}
	digestOf := func(ref string) string {
		r, _ := name.ParseReference(ref)
		d, err := remote.Head(r)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		return d.Digest.String()
	}
	tagPush := func(version string) (int, string) {
		code, _, stderr := runCLI(t, env, "release", "--source", "auto", "--image", app, "--event-name", "push",
			"--ref", "refs/tags/"+version, "--sha", commitOf(version), "--sign", "none", "--notes", "--repo-dir", repo.Dir)
		return code, stderr
	}

	// The push of v1.2.0's commit to master: its build becomes master-<sha>.
	build, commit := pushDemoBuild(t, reg, repo, "v1.2.0")
	if code, _, stderr := runCLI(t, nil, "release", "--source", build, "--image", app, "--event-name", "push",
		"--ref", "refs/heads/master", "--sha", commit, "--sign", "none"); code != 0 {
		t.Fatalf("push to master: exit %d\n%s", code, stderr)
	}

	code, stderr := tagPush("v1.2.0")
	if code != 0 {
		t.Fatalf("tag push: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "source auto: promoting "+app+":master-"+commit[:7]) || !strings.Contains(stderr, "] draft release\n") ||
		!strings.Contains(stderr, "release notes created:") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if got, want := digestOf(app+":v1.2.0"), digestOf(build); got != want {
		t.Errorf("v1.2.0 is %s, want the tested build %s", got, want)
	}
	rel, _ := gh.Release("acme/app", "v1.2.0")
	if rel.Draft || !rel.Immutable || rel.MakeLatest != "true" || !strings.Contains(rel.Body, "## v1.2.0") {
		t.Errorf("release %+v: want published, immutable, the latest, with its notes", rel)
	}
	if c := gh.Calls(); c["repos/create-release"] != 1 || c["repos/update-release"] != 1 {
		t.Errorf("calls %v: want a draft created, then published", c)
	}

	// A re-run writes nothing, to the registry or to GitHub.
	reg.Counter.Reset()
	gh.ResetCalls()
	if code, stderr := tagPush("v1.2.0"); code != 0 {
		t.Fatalf("re-run: exit %d\n%s", code, stderr)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("re-run registry writes %v", w)
	}
	if c := gh.Calls(); c["repos/create-release"] != 0 || c["repos/update-release"] != 0 {
		t.Errorf("re-run GitHub calls %v, want no write", c)
	}

	// The backport v1.1.1: nothing built for its commit yet.
	code, stderr = tagPush("v1.1.1")
	short := commitOf("v1.1.1")[:7]
	if code != exitRefused {
		t.Fatalf("backport without a build: exit %d, want %d\n%s", code, exitRefused, stderr)
	}
	for _, s := range []string{"no tested image of v1.1.1", "master-" + short + " nor release-1.1-" + short, "to master should have built it", "--source " + app + "@sha256:… to release a build"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("refusal lacks %q:\n%s", s, stderr)
		}
	}
	if _, ok := gh.Release("acme/app", "v1.1.1"); ok {
		t.Error("a refused release created a GitHub release")
	}
	// The build of the push to release-1.1, tagged by the convention.
	backport, _ := pushDemoBuild(t, reg, repo, "v1.1.1")
	d, _ := name.NewDigest(backport)
	img, err := remote.Index(d)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag(app + ":release-1.1-" + short)
	if err := remote.WriteIndex(tag, img); err != nil {
		t.Fatal(err)
	}
	if code, stderr := tagPush("v1.1.1"); code != 0 {
		t.Fatalf("backport: exit %d\n%s", code, stderr)
	}
	if rel, _ := gh.Release("acme/app", "v1.1.1"); rel.Draft || rel.MakeLatest != "false" {
		t.Errorf("backport release %+v: want published, make_latest false", rel)
	}
	if got := digestOf(app + ":latest"); got != digestOf(build) {
		t.Errorf("latest moved to the backport: %s", got)
	}

	// A published immutable release that cannot take its assets fails
	// (exit 1), and a branch push cannot promote.
	if code := exitCode(&notes.ImmutableError{Tag: "v1.2.0"}); code != exitFailure {
		t.Errorf("immutable release: exit %d, want %d", code, exitFailure)
	}
	if code, _, stderr := runCLI(t, nil, "release", "--source", "auto", "--image", app, "--event-name", "push",
		"--ref", "refs/heads/master", "--sha", commit, "--sign", "none"); code != exitBadInput || !strings.Contains(stderr, "--source auto promotes the tested image of a version") {
		t.Errorf("auto on a branch push: exit %d\n%s", code, stderr)
	}
}
