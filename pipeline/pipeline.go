// Package pipeline runs a whole release job in the order of the design:
// plan → copy and immutable tags → sign → floating tags → notes. It composes
// the release, sign (through release.Signer) and notes packages and adds no
// registry or GitHub logic of its own; `sonic-release release` and
// `sonic-release demo` both run it, so the demo takes the same code path as a
// real release.
package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
	"github.com/sonicsaas/sonic-release/tagging"
)

// Config is one release job.
type Config struct {
	Source  release.Source
	Targets []name.Repository
	Event   tagging.Event
	Policy  tagging.Policy
	// Release are the registry options (keychain, transport, jobs, logger).
	Release []release.Option
	// Signer signs each digest between the immutable and the floating
	// tags; nil releases unsigned.
	Signer release.Signer
	// Signing is the identity the notes tell operators to verify.
	Signing notes.Signing
	// Notes, when set, makes the release notes of a version release.
	Notes *NotesConfig
	// DryRun plans (and drafts the notes) without writing anything.
	DryRun bool
	// Progress, when set, is told as each step starts: "plan", "tags"
	// (copy, immutable tags), "sign REPO@DIGEST", "floating tags",
	// "read-back", "notes", "publish".
	Progress func(step string)
}

// NotesConfig says how the notes of a release are made and published.
type NotesConfig struct {
	// Input is notes.Input without Version and Image, which the pipeline
	// fills in from the event and the plan.
	Input notes.Input
	// Migrations analyses the migrations of the release; nil skips them.
	Migrations func(ctx context.Context) (*migrations.Report, error)
	// Upgrades makes the upgrade and rollback table of the release
	// (migrations.AnalyzeUpgrades); nil leaves it out.
	Upgrades func(ctx context.Context) (*migrations.Upgrades, error)
	// TagVariable is the operators' pin variable (notes.DefaultTagVariable).
	TagVariable string
	// Publish writes the notes into the GitHub release of the tag.
	Publish bool
	// CreateRelease creates a missing GitHub release when publishing.
	CreateRelease bool
	Options       []notes.Option
}

// Result is what a job did (or, in a dry run, would do).
type Result struct {
	Plan      release.Plan         `json:"plan"`
	Applied   *release.Result      `json:"result,omitempty"`
	Notes     *notes.Notes         `json:"notes,omitempty"`
	Markdown  string               `json:"markdown,omitempty"`
	Published *notes.PublishResult `json:"published,omitempty"`
	Signed    bool                 `json:"signed"`
}

// progressSigner reports each signature as a step.
type progressSigner struct {
	s        release.Signer
	progress func(string)
}

func (p progressSigner) Sign(ctx context.Context, d name.Digest) error {
	p.progress("sign " + d.String())
	return p.s.Sign(ctx, d)
}

// identifier is a signer that knows its keyless identity once it signed.
type identifier interface {
	Identity() (sign.Identity, bool)
}

// Run runs the job. The plan is returned even when a later step fails, so
// the caller can show what was planned. The caller closes Result.Plan.
func Run(ctx context.Context, cfg Config) (Result, error) {
	progress := cfg.Progress
	if progress == nil {
		progress = func(string) {}
	}
	progress("plan")
	plan, err := release.BuildPlan(ctx, cfg.Source, cfg.Targets, cfg.Event, cfg.Policy, cfg.Release...)
	res := Result{Plan: plan, Signed: cfg.Signer != nil}
	if err != nil {
		return res, err
	}
	if !cfg.DryRun {
		opts := append(append([]release.Option(nil), cfg.Release...), release.WithStepHook(progress))
		if cfg.Signer != nil {
			opts = append(opts, release.WithSigner(progressSigner{cfg.Signer, progress}))
		}
		progress("tags")
		applied, err := release.Apply(ctx, plan, opts...)
		res.Applied = &applied
		if err != nil {
			return res, err
		}
		// The identity keyless signing really got, for the verify command.
		if id, ok := cfg.Signer.(identifier); ok && cfg.Signing.Key == "" {
			if got, ok := id.Identity(); ok {
				cfg.Signing.Identity, cfg.Signing.Issuer = got.Subject, got.Issuer
			}
		}
	}
	if cfg.Notes == nil || plan.Event != string(tagging.EventRelease) || plan.Version == "" {
		return res, nil
	}
	in := cfg.Notes.Input
	// The git tag as the repository spells it: "1.2.3" is released as
	// v1.2.3 in the registry, but git and GitHub know it as 1.2.3.
	tag := cfg.Event.Tag
	if tag == "" {
		tag = plan.Version
	}
	in.Version = tag
	if cfg.Notes.Migrations != nil {
		rep, err := cfg.Notes.Migrations(ctx)
		if err != nil {
			return res, fmt.Errorf("analysing the migrations of %s: %w", plan.Version, err)
		}
		in.Migrations = rep
	}
	if cfg.Notes.Upgrades != nil {
		u, err := cfg.Notes.Upgrades(ctx)
		if err != nil {
			return res, fmt.Errorf("analysing the upgrades to %s: %w", plan.Version, err)
		}
		in.Upgrades = u
	}
	progress("notes")
	in.Image = Image(plan, cfg.Signing, cfg.Notes.TagVariable)
	n, err := notes.Build(ctx, in, cfg.Notes.Options...)
	if err != nil {
		return res, fmt.Errorf("writing the notes of %s: %w", plan.Version, err)
	}
	res.Notes = n
	res.Markdown = notes.Markdown(n)
	if cfg.Notes.Publish && !cfg.DryRun {
		progress("publish")
		pub, err := notes.Publish(ctx, notes.PublishInput{
			Repository: in.Repository,
			Tag:        tag,
			Markdown:   res.Markdown,
			Create:     cfg.Notes.CreateRelease,
			RepoDir:    in.RepoDir,
		}, cfg.Notes.Options...)
		if err != nil {
			return res, err
		}
		res.Published = &pub
	}
	return res, nil
}

// Image describes the released image for the notes: the first target (the
// primary registry, GHCR), its tags in the plan and its platforms.
func Image(plan release.Plan, s notes.Signing, tagVariable string) *notes.Image {
	if len(plan.Targets) == 0 || plan.Digest == "" {
		return nil
	}
	t := plan.Targets[0]
	img := &notes.Image{Repository: t.Repository, Digest: plan.Digest, TagVariable: tagVariable, Signing: s}
	for _, tp := range t.Tags {
		if tp.Op != release.OpSkip && tp.Op != release.OpConflict {
			img.Tags = append(img.Tags, tp.Tag)
		}
	}
	for _, p := range plan.Platforms {
		img.Platforms = append(img.Platforms, notes.Platform{Platform: p.Platform, Digest: p.Digest})
	}
	sort.SliceStable(img.Platforms, func(i, j int) bool { return strings.Compare(img.Platforms[i].Platform, img.Platforms[j].Platform) < 0 })
	return img
}
