package pipeline

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/provenance"
	"github.com/sonicsaas/sonic-release/release"
)

// ProvenanceConfig makes the SLSA build provenance of the released digest
// right after it is signed (provenance.Attest): attached to the image in
// every target repository and, with provenance.WithGitHubAttestations,
// stored through GitHub's attestations API.
type ProvenanceConfig struct {
	// Build is the GitHub Actions run (the CLI reads it from the runner's
	// environment).
	Build provenance.Build
	// Signer signs the statement like the image: the release's signer
	// (*sign.Signer).
	Signer provenance.Signer
	// Repository is owner/name, for the notes' `gh attestation verify
	// --repo`; empty leaves that command out.
	Repository string
	Options    []provenance.Option
}

// attestation is the provenance step of a release (provenance.Attest of
// the signed digest in every target). Run starts it once every signature
// is written, as Apply moves on to the floating tags (or, without any, to
// the read-back), so that it runs while they go up: the provenance
// belongs to the signing step (DESIGN.md, the order of a release) and
// needs nothing of the floating tags. Without either step it starts after
// Apply.
type attestation struct {
	digest   string
	run      func(ctx context.Context) (provenance.Result, error)
	progress func(string)
	ctx      context.Context
	cancel   context.CancelFunc
	once     sync.Once
	done     chan struct{}
	res      provenance.Result
	err      error
}

// prepareProvenance makes the provenance step of a release: nil in a dry
// run, without a ProvenanceConfig, or when every target was skipped.
func prepareProvenance(ctx context.Context, cfg Config, plan release.Plan) (*attestation, error) {
	pc := cfg.Provenance
	if pc == nil || cfg.DryRun || plan.Digest == "" || plan.Skip != "" {
		return nil, nil
	}
	var repos []name.Repository
	for _, t := range plan.Targets {
		r, err := name.NewRepository(t.Repository)
		if err != nil {
			return nil, err
		}
		repos = append(repos, r)
	}
	ctx, cancel := context.WithCancel(ctx)
	return &attestation{
		digest: plan.Digest, progress: cfg.Progress, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		run: func(ctx context.Context) (provenance.Result, error) {
			return provenance.Attest(ctx, plan.Digest, repos, pc.Build, pc.Signer, pc.Options...)
		},
	}, nil
}

// start starts the step, once; the caller's goroutine reports it.
func (a *attestation) start() {
	if a == nil {
		return
	}
	a.once.Do(func() {
		if a.progress != nil {
			a.progress("provenance")
		}
		go func() {
			defer close(a.done)
			a.res, a.err = a.run(a.ctx)
		}()
	})
}

// wait starts the step if it has not started and puts its result in res.
func (a *attestation) wait(res *Result) error {
	if a == nil {
		return nil
	}
	a.start()
	<-a.done
	if a.err != nil {
		return fmt.Errorf("attesting the build provenance of %s: %w", a.digest, a.err)
	}
	res.Provenance = &a.res
	return nil
}

// stop cancels the step if it is running and waits for it (a job that
// failed meanwhile); a step never started never starts.
func (a *attestation) stop() {
	if a == nil {
		return
	}
	a.once.Do(func() { close(a.done) })
	a.cancel()
	<-a.done
}

// provenanceNotes tells the notes how to verify the provenance, when the
// release has one.
func provenanceNotes(img *notes.Image, cfg Config, res Result) {
	if img == nil || res.Provenance == nil || cfg.Provenance == nil {
		return
	}
	img.Provenance = &notes.Provenance{Repository: cfg.Provenance.Repository}
}
