package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/release"
)

// assetStep is a ReleaseStep attaching SHA256SUMS through GitHub's upload
// operation, kept when an asset of that name is there (a re-run). It
// records what it saw of the release and the registry when it ran.
type assetStep struct {
	t       *testing.T
	f       fixture
	gh      *fakegithub.Server
	content []byte
	// seen: was the release a draft, and the exact tag written, at the step.
	draft, tagged []bool
}

func (a *assetStep) step() pipeline.ReleaseStep {
	return pipeline.ReleaseStep{
		Name:   "assets",
		Assets: func(release.Plan) []string { return []string{"SHA256SUMS"} },
		Run: func(ctx context.Context, plan release.Plan, rel notes.Release) error {
			cur, _ := a.gh.Release("acme/app", rel.Tag)
			a.draft = append(a.draft, cur.Draft)
			_, ok := a.f.tags(a.t)[plan.Version]
			a.tagged = append(a.tagged, ok)
			for _, as := range a.gh.Assets("acme/app", rel.Tag) {
				if as.Name == "SHA256SUMS" && bytes.Equal(as.Content, a.content) {
					return nil
				}
			}
			file := filepath.Join(a.t.TempDir(), "SHA256SUMS")
			if err := os.WriteFile(file, a.content, 0o644); err != nil {
				return err
			}
			fh, err := os.Open(file)
			if err != nil {
				return err
			}
			defer fh.Close()
			c := github.NewClient(a.gh.Client())
			c, _ = c.WithEnterpriseURLs(a.gh.URL, a.gh.URL)
			_, _, err = c.Repositories.UploadReleaseAsset(ctx, "acme", "app", rel.ID, &github.UploadOptions{Name: "SHA256SUMS"}, fh)
			return notes.AsImmutable(err, rel.Tag, "SHA256SUMS")
		},
	}
}

func (f fixture) draftConfig(t *testing.T, gh *fakegithub.Server, version string, steps ...pipeline.ReleaseStep) (pipeline.Config, *[]string) {
	t.Helper()
	src, commit := f.build(t, version, time.Unix(0, 0))
	target, _ := name.NewRepository(f.host + "/acme/app")
	var progress []string
	return pipeline.Config{
		Source: src, Targets: []name.Repository{target}, Event: event(version, commit),
		Notes: &pipeline.NotesConfig{
			Input:   notes.Input{RepoDir: f.repo.Dir, Repository: "acme/app"},
			Publish: true,
			Draft:   true,
			Options: []notes.Option{notes.WithHTTPClient(gh.Client()), notes.WithAPIURL(gh.URL)},
		},
		BeforePublish: steps,
		Progress:      func(s string) { progress = append(progress, s) },
	}, &progress
}

// TestTagPushDraftsThenPublishes: a tag push on a repository with
// immutable releases creates the release as a draft before the first tag,
// attaches the assets to the draft after the tags, and publishes it last
// with its notes and make_latest true. A re-run uploads nothing and
// only updates the notes, which stay editable.
func TestTagPushDraftsThenPublishes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	gh := fakegithub.New(t)
	gh.SetImmutableReleases("acme/app", true)
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.1.0"})
	assets := &assetStep{t: t, f: f, gh: gh, content: []byte("0123  app.tar.gz\n")}
	cfg, progress := f.draftConfig(t, gh, "v1.2.0", assets.step())
	res, err := pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The order: draft → tags → assets → notes → publish.
	var order []string
	for _, s := range *progress {
		if slices.Contains([]string{"github release", "draft release", "tags", "assets", "notes", "publish"}, s) {
			order = append(order, s)
		}
	}
	if want := []string{"github release", "draft release", "tags", "assets", "notes", "publish"}; !slices.Equal(order, want) {
		t.Errorf("steps %q, want %q", order, want)
	}
	if !slices.Equal(assets.draft, []bool{true}) || !slices.Equal(assets.tagged, []bool{true}) {
		t.Errorf("at the asset step: draft %v, tagged %v; want a draft, after the tags", assets.draft, assets.tagged)
	}
	rel, _ := gh.Release("acme/app", "v1.2.0")
	if rel.Draft || !rel.Immutable || rel.MakeLatest != "true" || rel.Prerelease || !strings.Contains(rel.Body, notes.BeginMarker+"\n## v1.2.0") {
		t.Errorf("release %+v: want published, immutable, the latest, with the notes", rel)
	}
	if res.Published == nil || res.Published.Action != "created" || res.Published.MakeLatest != "true" || res.Release == nil || res.Release.ID != rel.ID {
		t.Errorf("published %+v, release %+v", res.Published, res.Release)
	}
	calls := gh.Calls()
	if calls["repos/create-release"] != 1 || calls["repos/update-release"] != 1 || calls["repos/upload-release-asset"] != 1 {
		t.Errorf("calls %v: want one draft created, one upload, one update publishing it", calls)
	}

	// A re-run: the maintainer edited the body meanwhile; the notes are
	// written again (the body of an immutable release stays editable),
	// nothing is uploaded, nothing created or published.
	c := github.NewClient(gh.Client())
	c, _ = c.WithEnterpriseURLs(gh.URL, gh.URL)
	if _, _, err := c.Repositories.EditRelease(t.Context(), "acme", "app", rel.ID, &github.RepositoryRelease{Body: github.String("Highlights.")}); err != nil {
		t.Fatal(err)
	}
	gh.ResetCalls()
	cfg, _ = f.draftConfig(t, gh, "v1.2.0", assets.step())
	res, err = pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	calls = gh.Calls()
	if calls["repos/create-release"] != 0 || calls["repos/upload-release-asset"] != 0 || calls["repos/update-release"] != 1 {
		t.Errorf("re-run calls %v: want only the notes updated", calls)
	}
	rel, _ = gh.Release("acme/app", "v1.2.0")
	if res.Published.Action != "updated" || !strings.HasPrefix(rel.Body, "Highlights.\n\n"+notes.BeginMarker) || len(gh.Assets("acme/app", "v1.2.0")) != 1 {
		t.Errorf("re-run: %+v, body %q, assets %v", res.Published, rel.Body, gh.Assets("acme/app", "v1.2.0"))
	}
}

// TestBackportDraftIsNotLatest: a backport below a published release and
// a draft the maintainer marked pre-release are published with
// make_latest false; the pre-release gets its exact tag only.
func TestBackportDraftIsNotLatest(t *testing.T) {
	t.Parallel()
	f := setup(t)
	gh := fakegithub.New(t)
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.2.0"})
	cfg, _ := f.draftConfig(t, gh, "v1.1.1")
	res, err := pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	if rel, _ := gh.Release("acme/app", "v1.1.1"); rel.Draft || rel.MakeLatest != "false" || rel.Prerelease {
		t.Errorf("backport release %+v: want published, make_latest false", rel)
	}

	f = setup(t)
	gh = fakegithub.New(t)
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.2.0", Draft: true, Prerelease: true, Body: "Preview."})
	cfg, _ = f.draftConfig(t, gh, "v1.2.0")
	res, err = pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := gh.Release("acme/app", "v1.2.0")
	if rel.Draft || rel.MakeLatest != "false" || !rel.Prerelease || !strings.HasPrefix(rel.Body, "Preview.") || gh.Calls()["repos/create-release"] != 0 {
		t.Errorf("maintainer's pre-release draft %+v: want it published, not latest", rel)
	}
	if res.Published == nil || res.Published.Action != "published" {
		t.Errorf("published %+v: want the maintainer's draft published", res.Published)
	}
	if got := res.Plan.AppliedTags(); len(got) != 1 || !strings.HasSuffix(got[0], ":v1.2.0") {
		t.Errorf("tags %v: a pre-release gets its exact tag only", got)
	}
}

// TestImmutablePublishedReleaseRefusesAssets: a release already published
// and immutable (the workflow ran on release: published) cannot take the
// assets: the job fails before writing anything, saying what to change.
func TestImmutablePublishedReleaseRefusesAssets(t *testing.T) {
	t.Parallel()
	f := setup(t)
	gh := fakegithub.New(t)
	gh.SetImmutableReleases("acme/app", true)
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.2.0", Body: "Highlights."})
	assets := &assetStep{t: t, f: f, gh: gh, content: []byte("x\n")}
	cfg, _ := f.draftConfig(t, gh, "v1.2.0", assets.step())
	cfg.Notes.Draft = false
	f.reg.Counter.Reset()
	res, err := pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	ie, ok := errors.AsType[*notes.ImmutableError](err)
	if !ok || !slices.Equal(ie.Assets, []string{"SHA256SUMS"}) {
		t.Fatalf("err = %v, want a *notes.ImmutableError for SHA256SUMS", err)
	}
	for _, s := range []string{"published and immutable", "push: tags", "draft", "release a new version"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error lacks %q: %v", s, err)
		}
	}
	if w := f.reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("registry writes %v, want none", w)
	}
	if calls := gh.Calls(); calls["repos/upload-release-asset"] != 0 || calls["repos/update-release"] != 0 || len(assets.draft) != 0 {
		t.Errorf("calls %v, step runs %d: want nothing written", calls, len(assets.draft))
	}

	// An upload GitHub refuses as immutable is the same error.
	id := gh.AddRelease("acme/app", fakegithub.Release{TagName: "v9.0.0"})
	err = assets.step().Run(t.Context(), release.Plan{}, notes.Release{ID: id, Tag: "v9.0.0"})
	if _, ok := errors.AsType[*notes.ImmutableError](err); !ok || !strings.Contains(err.Error(), "Cannot upload assets to an immutable release") {
		t.Errorf("refused upload: %v, want a *notes.ImmutableError quoting GitHub", err)
	}
}
