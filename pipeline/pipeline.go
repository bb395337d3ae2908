// Package pipeline runs a whole release job in the order of the design:
// plan → draft release → copy and immutable tags → sign → floating tags →
// release assets → notes → publish the release. It composes
// the release, sign (through release.Signer) and notes packages and adds no
// registry or GitHub logic of its own; `sonic-release release` and
// `sonic-release demo` both run it, so the demo takes the same code path as a
// real release.
package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/migrations/report"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/provenance"
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
	// AirGap, when set, attaches the air-gapped bundle to the release.
	AirGap *AirGapConfig
	// DryRun plans (and drafts the notes) without writing anything.
	DryRun bool
	// Provenance, when set, attests the signed digest (provenance.go).
	Provenance *ProvenanceConfig
	// BeforePublish are steps on the GitHub release of a version, run
	// after the signatures and before the notes (ReleaseStep): assets go
	// on while the release is still a draft.
	BeforePublish []ReleaseStep
	// Progress, when set, is told as each step starts: "github release",
	// "plan", "migrations", "draft release", "tags" (copy, immutable tags),
	// "sign REPO@DIGEST", "floating tags", "provenance" (which runs while
	// the floating tags go up and are read back), "read-back", each
	// ReleaseStep, "notes", "publish". It is called from one goroutine at a
	// time.
	Progress func(step string)
}

// AnalyzeFunc analyses the migrations of the clone at repoDir from the
// release from (empty: to is the first release) to the release to, over
// the range the notes chose: migrations.Analyzer.Analyze. The pipeline
// takes it as a function of report types, so that it does not link the
// parser.
type AnalyzeFunc func(ctx context.Context, repoDir, from, to string) (report.Report, error)

// UpgradesFunc makes the upgrade and rollback table of the version tag to
// from the migrations folder dir (the report's):
// migrations.Analyzer.Upgrades.
type UpgradesFunc func(ctx context.Context, repoDir, to, dir string) (report.Upgrades, error)

// NotesConfig says how the notes of a release are made and published.
type NotesConfig struct {
	// Input is notes.Input without Version and Image, which the pipeline
	// fills in from the event and the plan.
	Input notes.Input
	// Migrations analyses the migrations of the release (migrations.Analyzer)
	// over the notes' range; nil skips them (Input.Migrations, if set, is
	// then the report, and must cover the notes' range).
	Migrations AnalyzeFunc
	// ContinueOnMigrationError makes notes whose migration analysis failed
	// anyway, saying so in place of the migrations (and published when
	// Publish is set). Without it a failed analysis fails the notes step
	// with a *MigrationsError, and nothing is published: notes without
	// their migrations must not look complete.
	ContinueOnMigrationError bool
	// Upgrades makes the upgrade and rollback table of the release
	// (migrations.Analyzer.Upgrades) whenever the
	// migrations are analysed; nil leaves it out.
	Upgrades UpgradesFunc
	// TagVariable is the operators' pin variable (notes.DefaultTagVariable).
	TagVariable string
	// Publish writes the notes into the GitHub release of the tag.
	Publish bool
	// CreateRelease creates a missing GitHub release when publishing.
	CreateRelease bool
	// Draft makes the GitHub release as a draft: the release of the tag
	// (the maintainer's draft, or a draft it creates before the first tag
	// is written) is published last, by the request that writes the
	// notes, with make_latest. The order that works with GitHub's
	// immutable releases. A published release gets its notes only.
	Draft   bool
	Options []notes.Option
}

// Result is what a job did (or, in a dry run, would do).
type Result struct {
	Plan      release.Plan         `json:"plan"`
	Applied   *release.Result      `json:"result,omitempty"`
	Notes     *notes.Notes         `json:"notes,omitempty"`
	Markdown  string               `json:"markdown,omitempty"`
	Published *notes.PublishResult `json:"published,omitempty"`
	// Release is the GitHub release the job found or drafted, when it
	// works on one (NotesConfig.Draft, BeforePublish).
	Release *notes.Release `json:"release,omitempty"`
	Signed  bool           `json:"signed"`
	// Migrations is the verdict of the migration analysis, which runs
	// right after the plan and goes on the signatures; nil when no
	// analysis is configured (NotesConfig.Migrations) or for a push.
	Migrations *Migrations `json:"migrations,omitempty"`
	// Provenance is what the provenance step did (nil: it did not run).
	Provenance *provenance.Result `json:"provenance,omitempty"`
	// AirGap is the air-gapped bundle (Config.AirGap).
	AirGap *AirGapResult `json:"airgap,omitempty"`
}

// progressSigner reports each signature as a step, and adds the
// release's annotations (the migration verdict) when the signer takes
// them.
type progressSigner struct {
	s        release.Signer
	progress func(string)
	ann      map[string]string
	mu       *sync.Mutex // Apply signs the targets concurrently
}

// Ready says whether the signer can sign, when it can tell (Apply asks
// before the first tag; the CLI's signer decrypts its key meanwhile).
func (p progressSigner) Ready() (string, error) {
	if r, ok := p.s.(interface{ Ready() (string, error) }); ok {
		return r.Ready()
	}
	return "", nil
}

// Settle waits for what the signer left running, when it can
// (release.Apply calls it last).
func (p progressSigner) Settle(ctx context.Context) error {
	if s, ok := p.s.(interface{ Settle(context.Context) error }); ok {
		return s.Settle(ctx)
	}
	return nil
}

func (p progressSigner) Sign(ctx context.Context, d name.Digest) error {
	p.mu.Lock()
	p.progress("sign " + d.String())
	p.mu.Unlock()
	if as, ok := p.s.(annotatingSigner); ok && len(p.ann) > 0 {
		return as.SignAnnotated(ctx, d, p.ann)
	}
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
	ag, err := attachAirGap(&cfg)
	if err != nil {
		return Result{}, err
	}
	waitRelease := findRelease(ctx, cfg, progress)
	progress("plan")
	plan, err := release.BuildPlan(ctx, cfg.Source, cfg.Targets, cfg.Event, cfg.Policy, cfg.Release...)
	gh, ghErr := waitRelease()
	if err == nil && ghErr == nil && gh != nil && gh.rel != nil && gh.rel.Prerelease && !cfg.Event.Prerelease {
		// The maintainer's draft is a pre-release: plan it as one (the
		// rare case pays for a second plan; every other run saves the
		// GitHub round trip on its critical path).
		cfg.Event.Prerelease = true
		plan.Close()
		plan, err = release.BuildPlan(ctx, cfg.Source, cfg.Targets, cfg.Event, cfg.Policy, cfg.Release...)
	}
	if ghErr != nil {
		plan.Close()
		return Result{}, ghErr
	}
	res := Result{Plan: plan, Signed: cfg.Signer != nil}
	if err != nil {
		return res, err
	}
	// The notes' range and the migration analysis come right after the
	// plan: the verdict goes on the signatures, the report into the notes.
	var in *notes.Input
	if cfg.Notes != nil && plan.Event == string(tagging.EventRelease) && plan.Version != "" {
		// The git tag as the repository spells it: "1.2.3" is released as
		// v1.2.3 in the registry, but git and GitHub know it as 1.2.3.
		tag := cmp.Or(cfg.Event.Tag, plan.Version)
		if cfg.Notes.Migrations != nil {
			progress("migrations")
		}
		prepared, err := prepareNotes(ctx, *cfg.Notes, tag)
		if err != nil {
			return res, fmt.Errorf("writing the notes of %s: %w", plan.Version, err)
		}
		in = &prepared
		res.Migrations = verdictOf(*cfg.Notes, prepared)
	}
	if err := gh.check(ctx, plan); err != nil {
		return res, err
	}
	// The notes' commits and pull requests (the clone's log, GitHub's
	// listing) are read while the image is tagged, signed and attested:
	// they depend on none of it. Only the image goes in at the notes step,
	// which is where a failure to read them fails the job, as before; a
	// job that fails earlier cancels them and publishes nothing.
	early := startNotes(ctx, cfg.Notes, in)
	defer early.stop()
	if !cfg.DryRun {
		if err := gh.create(ctx, cfg.Event.Prerelease, progress); err != nil {
			return res, err
		}
		att, err := prepareProvenance(ctx, cfg, plan)
		if err != nil {
			return res, err
		}
		defer att.stop()
		opts := append(append([]release.Option(nil), cfg.Release...), release.WithStepHook(func(step string) {
			progress(step)
			if step == "floating tags" || step == "read-back" {
				att.start() // every signature is written
			}
		}))
		if cfg.Signer != nil {
			opts = append(opts, release.WithSigner(progressSigner{cfg.Signer, progress, res.Migrations.Annotations(), &sync.Mutex{}}))
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
		if err := att.wait(&res); err != nil {
			return res, err
		}
		if err := gh.run(ctx, plan, progress); err != nil {
			return res, err
		}
	}
	if gh != nil {
		res.Release = gh.rel
	}
	if in == nil {
		return res, nil
	}
	progress("notes")
	in.Image = Image(plan, cfg.Signing, cfg.Notes.TagVariable)
	provenanceNotes(in.Image, cfg, res)
	if err := ag.section(ctx, cfg, &res, in); err != nil {
		return res, err
	}
	n, err := early.wait()
	if err == nil {
		err = n.SetImage(in.Image)
	}
	if err != nil {
		return res, fmt.Errorf("writing the notes of %s: %w", plan.Version, err)
	}
	res.Notes = n
	res.Markdown = notes.Markdown(n)
	if cfg.Notes.Publish && !cfg.DryRun {
		progress("publish")
		pub, err := notes.Publish(ctx, notes.PublishInput{
			Repository: in.Repository,
			Tag:        in.Version,
			Markdown:   res.Markdown,
			Create:     cfg.Notes.CreateRelease,
			RepoDir:    in.RepoDir,
			// The draft is published last, with its notes.
			PublishDraft: gh != nil && gh.draft,
			Prerelease:   cfg.Event.Prerelease,
			Yanked:       plan.Targets[0].Yanked,
		}, cfg.Notes.Options...)
		if err != nil {
			return res, err
		}
		pub = gh.published(pub)
		res.Published = &pub
	}
	return res, nil
}

// earlyNotes are notes being built, without their image, while the
// release goes on (startNotes).
type earlyNotes struct {
	done   chan struct{}
	n      *notes.Notes
	err    error
	cancel context.CancelFunc
}

// startNotes starts building the notes of in without its image; nil when
// the job makes none.
func startNotes(ctx context.Context, nc *NotesConfig, in *notes.Input) *earlyNotes {
	if in == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &earlyNotes{done: make(chan struct{}), cancel: cancel}
	bare := *in
	bare.Image = nil
	go func() {
		defer close(e.done)
		e.n, e.err = notes.Build(ctx, bare, nc.Options...)
	}()
	return e
}

// wait returns the notes once built.
func (e *earlyNotes) wait() (*notes.Notes, error) {
	<-e.done
	return e.n, e.err
}

// stop cancels the notes if they are still being built and waits for
// them: nothing of a job runs after it returns.
func (e *earlyNotes) stop() {
	if e == nil {
		return
	}
	e.cancel()
	<-e.done
}

// beforePublish lists the steps that run on the GitHub release of a
// version between the signatures and the notes, while a draft still takes
// assets (the order: draft → tags → sign → these → notes → publish).
func beforePublish(cfg Config) []ReleaseStep {
	steps := slices.Clone(cfg.BeforePublish)
	// The air-gapped bundle's step is in cfg.BeforePublish already
	// (attachAirGap).
	return steps
}

// Notes builds the notes of version (the git tag) with the released image
// img (nil for none): it chooses the range once (notes.ResolveRange),
// analyses the migrations over that range with nc.Migrations, and builds
// the notes of the same range, so the migration verdicts and the changes
// are about the same commits. It does not publish.
func Notes(ctx context.Context, nc NotesConfig, version string, img *notes.Image) (*notes.Notes, error) {
	in, err := prepareNotes(ctx, nc, version)
	if err != nil {
		return nil, err
	}
	in.Image = img
	return notes.Build(ctx, in, nc.Options...)
}

// prepareNotes is the first half of Notes: the range, chosen once, and the
// migration analysis over it. The release runs it right after the plan, so
// the verdict is known before anything is signed.
func prepareNotes(ctx context.Context, nc NotesConfig, version string) (notes.Input, error) {
	in := nc.Input
	in.Version = version
	rng, err := notes.ResolveRange(ctx, in, nc.Options...)
	if err != nil {
		return in, err
	}
	in.Range = &rng
	if nc.Migrations != nil {
		rep, err := nc.Migrations(ctx, in.RepoDir, rng.From, rng.To)
		switch {
		case err == nil:
			in.Migrations = &rep
		case ctx.Err() != nil || !nc.ContinueOnMigrationError:
			return in, &MigrationsError{Version: version, Err: err}
		default:
			in.MigrationsError = err.Error()
		}
	}
	// The upgrade and rollback table, when the migrations of a tagged
	// release are known: the same folder as the report's.
	if nc.Upgrades != nil && in.Migrations != nil && in.Head == "" {
		u, err := nc.Upgrades(ctx, in.RepoDir, version, in.Migrations.Dir)
		switch {
		case err == nil:
			in.Upgrades = &u
		case ctx.Err() != nil || !nc.ContinueOnMigrationError:
			return in, &MigrationsError{Version: version, Err: fmt.Errorf("the upgrade table: %w", err)}
		}
	}
	return in, nil
}

// MigrationsError is a migration analysis that failed, so the notes were
// not made (NotesConfig.ContinueOnMigrationError makes them anyway).
type MigrationsError struct {
	Version string
	Err     error
}

func (e *MigrationsError) Error() string {
	// One line: the cause may quote file names of the repository.
	msg := fmt.Sprintf("analysing the migrations of %s: %v: the notes cannot say whether the previous release can run against them", e.Version, e.Err)
	return strings.Join(strings.Fields(msg), " ")
}

func (e *MigrationsError) Unwrap() error { return e.Err }

// BadInput is false whatever the cause: a release whose migrations cannot
// be analysed fails (the CLI exits 1), even where the cause is a ref the
// clone lacks.
func (e *MigrationsError) BadInput() bool { return false }

// Image describes the released image for the notes: the first target (the
// primary registry, GHCR), its tags in the plan and its platforms.
func Image(plan release.Plan, s notes.Signing, tagVariable string) *notes.Image {
	if len(plan.Targets) == 0 || plan.Digest == "" {
		return nil
	}
	t := plan.Targets[0]
	img := &notes.Image{Repository: t.Repository, Digest: plan.Digest, Tags: t.AppliedTags(), TagVariable: tagVariable, Signing: s}
	for _, p := range plan.Platforms {
		img.Platforms = append(img.Platforms, notes.Platform{Platform: p.Platform, Digest: p.Digest})
	}
	sort.SliceStable(img.Platforms, func(i, j int) bool { return strings.Compare(img.Platforms[i].Platform, img.Platforms[j].Platform) < 0 })
	return img
}
