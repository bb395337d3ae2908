package pipeline_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

type fixture struct {
	host string
	reg  *registrytest.Server
	repo *demo.Repo
}

func setup(t *testing.T) fixture {
	t.Helper()
	reg := registrytest.NewMemory(t)
	r, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return fixture{host: reg.Host, reg: reg, repo: r}
}

// build pushes the CI build of version by digest and returns it as a source.
func (f fixture) build(t *testing.T, version string, at time.Time) (release.Source, string) {
	t.Helper()
	var commit string
	for _, r := range f.repo.Releases {
		if r.Version == version {
			commit = r.Commit
		}
	}
	idx, err := demo.Image(version, commit, at)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	ref, err := name.NewDigest(f.host + "/ci/app@" + d.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	return release.RegistrySource(ref), commit
}

func event(version, commit string) tagging.Event {
	v, _ := tagging.ParseVersion(version)
	return tagging.Event{Kind: tagging.EventRelease, Version: v, SHA: commit, DefaultBranch: "master"}
}

func (f fixture) tags(t *testing.T) map[string]string {
	t.Helper()
	repo, _ := name.NewRepository(f.host + "/acme/app")
	out := map[string]string{}
	tags, err := remote.List(repo, remote.WithContext(t.Context()))
	if err != nil {
		return out
	}
	for _, tag := range tags {
		d, err := remote.Head(repo.Tag(tag), remote.WithContext(t.Context()))
		if err != nil {
			t.Fatal(err)
		}
		out[tag] = d.Digest.String()
	}
	return out
}

func TestDryRunWritesNothingAndDraftsTheNotes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	src, commit := f.build(t, "v1.2.0", time.Unix(0, 0))
	f.reg.Counter.Reset()
	target, _ := name.NewRepository(f.host + "/acme/app")
	res, err := pipeline.Run(t.Context(), pipeline.Config{
		Source: src, Targets: []name.Repository{target}, Event: event("v1.2.0", commit),
		Signer:  failingSigner{}, // never called in a dry run
		Signing: notes.Signing{Key: "cosign.pub"},
		Notes:   &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir}, Publish: true},
		DryRun:  true,
	})
	defer res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	if w := f.reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("dry run sent write requests: %v", w)
	}
	if res.Applied != nil || res.Published != nil {
		t.Errorf("dry run applied %+v, published %+v", res.Applied, res.Published)
	}
	if len(res.Plan.Platforms) != 2 {
		t.Errorf("platforms %+v, want linux/amd64 and linux/arm64 (attestation left out)", res.Plan.Platforms)
	}
	for _, s := range []string{"## v1.2.0", res.Plan.Digest, "cosign verify --key cosign.pub", "linux/arm64"} {
		if !strings.Contains(res.Markdown, s) {
			t.Errorf("notes lack %q:\n%s", s, res.Markdown)
		}
	}
	if got := f.tags(t); len(got) != 0 {
		t.Errorf("tags after a dry run: %v", got)
	}
}

type failingSigner struct{}

func (failingSigner) Sign(context.Context, name.Digest) error {
	return errors.New("the signing service is down")
}

func TestSigningFailureLeavesFloatingTags(t *testing.T) {
	t.Parallel()
	f := setup(t)
	target, _ := name.NewRepository(f.host + "/acme/app")
	src, commit := f.build(t, "v1.1.0", time.Unix(0, 0))
	res, err := pipeline.Run(t.Context(), pipeline.Config{Source: src, Targets: []name.Repository{target}, Event: event("v1.1.0", commit)})
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	before := f.tags(t)

	src, commit = f.build(t, "v1.2.0", time.Unix(0, 0))
	res, err = pipeline.Run(t.Context(), pipeline.Config{Source: src, Targets: []name.Repository{target}, Event: event("v1.2.0", commit), Signer: failingSigner{},
		Notes: &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir}}})
	res.Plan.Close()
	if err == nil || !strings.Contains(err.Error(), "the signing service is down") {
		t.Fatalf("err = %v, want the signing failure", err)
	}
	after := f.tags(t)
	for _, tag := range []string{"latest", "v1", "v1.1"} {
		if after[tag] != before[tag] {
			t.Errorf("%s moved from %s to %s although signing failed", tag, before[tag], after[tag])
		}
	}
	if after["v1.2"] != "" {
		t.Errorf("v1.2 was created although signing failed")
	}
	if after["v1.2.0"] != res.Plan.Digest {
		t.Errorf("the exact tag v1.2.0 = %q, want %s (it is written before signing)", after["v1.2.0"], res.Plan.Digest)
	}
	if res.Notes != nil {
		t.Errorf("notes were written for a failed release")
	}
}

// TestTagWithoutV releases a repository whose tags have no "v" (GitHub's
// example payloads use 0.0.1): the registry gets v1.3.0, while git and the
// GitHub release are looked up as 1.3.0.
func TestTagWithoutV(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cmd := exec.Command("git", "-C", f.repo.Dir, "-c", "tag.gpgsign=false", "tag", "-a", "1.3.0", "-m", "1.3.0", "master")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	idx, err := demo.Image("1.3.0", f.repo.Head, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	ref, _ := name.NewDigest(f.host + "/ci/app@" + d.String())
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	ev, err := tagging.ParseEvent(tagging.EventInput{Ref: "refs/tags/1.3.0", SHA: f.repo.Head})
	if err != nil {
		t.Fatal(err)
	}
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "1.3.0", Name: "1.3.0", PublishedAt: time.Now()})
	target, _ := name.NewRepository(f.host + "/acme/app")
	res, err := pipeline.Run(t.Context(), pipeline.Config{
		Source: release.RegistrySource(ref), Targets: []name.Repository{target}, Event: ev,
		Notes: &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir, Repository: "acme/app"}, Publish: true,
			Options: []notes.Option{notes.WithHTTPClient(gh.Client()), notes.WithAPIURL(gh.URL)}},
	})
	defer res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := f.tags(t); got["v1.3.0"] != d.String() || got["latest"] != d.String() || got["1.3.0"] != "" {
		t.Errorf("registry tags %v", got)
	}
	if res.Notes.Previous != "v1.2.0" || !strings.Contains(res.Markdown, "## 1.3.0") || !strings.Contains(res.Markdown, "SONICSAAS_IMAGE_TAG=v1.3.0") {
		t.Errorf("notes (previous %q):\n%s", res.Notes.Previous, res.Markdown)
	}
	if rel, _ := gh.Release("acme/app", "1.3.0"); !strings.Contains(rel.Body, "sonic-release:begin") {
		t.Errorf("release 1.3.0 body %q", rel.Body)
	}
}
