package pipeline

import (
	"cmp"
	"context"
	"slices"

	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

// ReleaseStep runs on the GitHub release of a version after the image is
// signed and before the notes are written and the release published, while
// a draft still takes assets: release assets (the air-gapped bundle) are
// attached here. Steps run when the job publishes notes into the GitHub
// release (NotesConfig.Publish); a dry run does not run them.
type ReleaseStep struct {
	// Name is the progress step, such as "assets".
	Name string
	// Assets names the assets the step attaches for the plan. A published
	// immutable release that lacks any of them fails the job before
	// anything is written (*notes.ImmutableError): GitHub would refuse
	// them. Nil attaches none.
	Assets func(plan release.Plan) []string
	// Run does the step on the release.
	Run func(ctx context.Context, plan release.Plan, rel notes.Release) error
}

// githubRelease is the GitHub release a job works on, when it publishes
// notes into one and either makes it as a draft or attaches assets.
type githubRelease struct {
	nc    *NotesConfig
	tag   string
	steps []ReleaseStep
	// draft: the release is found or created as a draft before anything
	// is written and published last.
	draft bool
	rel   *notes.Release
	// created: this run created the draft.
	created bool
}

// findRelease starts reading the release of the version's tag, drafts
// included, and returns the function that waits for it. A draft the
// maintainer marked pre-release makes the event one (exact tag only, never
// the latest): Run re-plans then. The release is nil when the job has no
// release to work on.
func findRelease(ctx context.Context, cfg Config, progress func(string)) func() (*githubRelease, error) {
	nc := cfg.Notes
	steps := beforePublish(cfg)
	if nc == nil || !nc.Publish || cfg.Event.Kind != tagging.EventRelease || (!nc.Draft && len(steps) == 0) {
		return func() (*githubRelease, error) { return nil, nil }
	}
	progress("github release")
	g := &githubRelease{
		nc: nc, steps: steps,
		tag:   cmp.Or(cfg.Event.Tag, cfg.Event.Version.String()),
		draft: nc.Draft || nc.CreateRelease,
	}
	// The lookup runs while the caller plans: it is a GitHub round trip
	// (or a page of them) that nothing but a pre-release draft depends on.
	type found struct {
		rel *notes.Release
		err error
	}
	ch := make(chan found, 1)
	go func() {
		rel, err := notes.FindRelease(ctx, nc.Input.Repository, g.tag, nc.Options...)
		ch <- found{rel, err}
	}()
	return func() (*githubRelease, error) {
		f := <-ch
		if f.err != nil {
			return nil, f.err
		}
		g.rel = f.rel
		return g, nil
	}
}

// check refuses, before anything is written, a release that cannot take
// what the steps attach: a published immutable release lacking assets, or
// no release at all when none may be created.
func (g *githubRelease) check(ctx context.Context, plan release.Plan) error {
	if g == nil {
		return nil
	}
	if g.rel == nil {
		if !g.draft {
			return &notes.NoReleaseError{Tag: g.tag}
		}
		return nil
	}
	if g.rel.Draft || !g.rel.Immutable {
		return nil
	}
	var want []string
	for _, s := range g.steps {
		if s.Assets != nil {
			want = append(want, s.Assets(plan)...)
		}
	}
	if len(want) == 0 {
		return nil
	}
	have, err := notes.ReleaseAssets(ctx, g.nc.Input.Repository, g.rel.ID, g.nc.Options...)
	if err != nil {
		return err
	}
	var missing []string
	for _, name := range want {
		if !slices.ContainsFunc(have, func(a notes.Asset) bool { return a.Name == name }) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return &notes.ImmutableError{Tag: g.tag, Assets: missing}
	}
	return nil
}

// create makes the missing release a draft, before the first tag is
// written.
func (g *githubRelease) create(ctx context.Context, prerelease bool, progress func(string)) error {
	if g == nil || g.rel != nil {
		return nil
	}
	progress("draft release")
	rel, err := notes.CreateDraft(ctx, g.nc.Input.Repository, g.tag, prerelease, g.nc.Options...)
	g.rel, g.created = rel, err == nil
	return err
}

// published reports what publishing did: a draft this run created and
// published is a release "created", as one created published would be.
func (g *githubRelease) published(pub notes.PublishResult) notes.PublishResult {
	if g != nil && g.created && pub.Action == "published" {
		pub.Action = "created"
	}
	return pub
}

// run runs the steps on the release.
func (g *githubRelease) run(ctx context.Context, plan release.Plan, progress func(string)) error {
	if g == nil || g.rel == nil {
		return nil
	}
	for _, s := range g.steps {
		progress(s.Name)
		if err := s.Run(ctx, plan, *g.rel); err != nil {
			return err
		}
	}
	return nil
}
