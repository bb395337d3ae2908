package pipeline

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/provenance"
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

// attestProvenance runs the provenance step of a release whose tags and
// signatures are in place: nothing in a dry run, without a
// ProvenanceConfig, or when every target was skipped.
func attestProvenance(ctx context.Context, cfg Config, res *Result) error {
	pc, plan := cfg.Provenance, res.Plan
	if pc == nil || cfg.DryRun || plan.Digest == "" || plan.Skip != "" {
		return nil
	}
	var repos []name.Repository
	for _, t := range plan.Targets {
		r, err := name.NewRepository(t.Repository)
		if err != nil {
			return err
		}
		repos = append(repos, r)
	}
	if cfg.Progress != nil {
		cfg.Progress("provenance")
	}
	got, err := provenance.Attest(ctx, plan.Digest, repos, pc.Build, pc.Signer, pc.Options...)
	if err != nil {
		return fmt.Errorf("attesting the build provenance of %s: %w", plan.Digest, err)
	}
	res.Provenance = &got
	return nil
}

// provenanceNotes tells the notes how to verify the provenance, when the
// release has one.
func provenanceNotes(img *notes.Image, cfg Config, res Result) {
	if img == nil || res.Provenance == nil || cfg.Provenance == nil {
		return
	}
	img.Provenance = &notes.Provenance{Repository: cfg.Provenance.Repository}
}
