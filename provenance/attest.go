package provenance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
	"github.com/sonicsaas/sonic-release/internal/option"
	"github.com/sonicsaas/sonic-release/sign"
)

// Signer signs a DSSE envelope: *sign.Signer, keyless or with a key.
type Signer interface {
	SignDSSE(ctx context.Context, payloadType string, payload []byte) (*sign.Envelope, error)
}

func makeConfig(opts []Option) (*config, error) {
	return option.Apply(&config{Common: option.Defaults()}, opts)
}

// Result is what Attest did.
type Result struct {
	// Statement is the in-toto statement (JSON).
	Statement []byte `json:"-"`
	// Attached lists the images (repo@digest) the attestation was added
	// to; Present those that already carried the same statement.
	Attached []string `json:"attached,omitempty"`
	Present  []string `json:"present,omitempty"`
	// AttestationID is the id GitHub gave the attestation, 0 when it was
	// not submitted (or was already there).
	AttestationID int64 `json:"attestation_id,omitempty"`
	// Bundle is the sigstore bundle (JSON), nil when nothing was signed.
	Bundle json.RawMessage `json:"-"`
	// GitHubRefused says why GitHub refused to store the attestation
	// (no `attestations: write`) when that is not an error
	// (WithGitHubAttestationsIfAllowed).
	GitHubRefused string `json:"github_refused,omitempty"`
}

// Attest makes the SLSA provenance of the image digest d (sha256:…)
// released in repos (the primary repository first, then its mirrors) by
// the build b, signs it with s and attaches it to the image in every
// repository that does not carry the same statement yet: in cosign's
// .att layout and, when s signs images in a format with bundles
// (*sign.Signer with sign.FormatBundle or sign.FormatBoth), also as a
// sigstore bundle referrer as `cosign attest` v3 stores it; with
// WithGitHubAttestations it also stores it through GitHub's attestations
// API unless GitHub already has an attestation with the same statement.
// Nothing is signed when every place already has it.
func Attest(ctx context.Context, d string, repos []name.Repository, b Build, s Signer, opts ...Option) (Result, error) {
	subjects, err := ImageSubjects(d, repos...)
	if err != nil {
		return Result{}, err
	}
	return attest(ctx, subjects, repos, b, s, opts)
}

// AttestFiles makes the SLSA provenance of files (release archives,
// their checksums.txt: FileSubjects) built by b and signs it with s; with
// WithGitHubAttestations it stores it through GitHub's attestations API
// (then `gh attestation verify FILE --repo OWNER/REPO` finds it), unless
// GitHub already has the same statement for the first subject. The bundle
// is in Result.Bundle, for a file next to the release's assets.
func AttestFiles(ctx context.Context, subjects []Subject, b Build, s Signer, opts ...Option) (Result, error) {
	if len(subjects) == 0 {
		return Result{}, inputerr.New(errors.New("nothing to attest: no file subjects"))
	}
	return attest(ctx, subjects, nil, b, s, opts)
}

// attest signs the statement of subjects, attaches it to the image in
// each of repos (all of the same digest, the subjects') that lacks it and
// stores it on GitHub when configured and missing there.
func attest(ctx context.Context, subjects []Subject, repos []name.Repository, b Build, s Signer, opts []Option) (Result, error) {
	c, err := makeConfig(opts)
	if err != nil {
		return Result{}, err
	}
	if s == nil {
		return Result{}, inputerr.New(errors.New("the provenance is signed like the image: a signer is needed"))
	}
	stmt, err := Statement(b, subjects...)
	if err != nil {
		return Result{}, err
	}
	d := "sha256:" + subjects[0].Digest["sha256"]
	res := Result{Statement: stmt}
	bs, bundles := s.(bundleSigner)
	bundles = bundles && bs.SignatureFormat().Bundles()
	// What each repository and GitHub already hold, all read at once:
	// independent round trips.
	var gh *client
	if c.repository != "" {
		if gh, err = newClient(c); err != nil {
			return res, err
		}
	}
	checks := make([]missingAt, len(repos))
	submit := false
	g, gctx := errgroup.WithContext(ctx)
	for i, r := range repos {
		checks[i].ref = r.Digest(d)
		g.Go(func() error {
			ok, err := attached(gctx, checks[i].ref, stmt, s, c)
			checks[i].legacy = !ok
			return err
		})
		if bundles {
			g.Go(func() error {
				ok, err := bundled(gctx, checks[i].ref, stmt, bs, c)
				checks[i].bundle = !ok
				return err
			})
		}
	}
	if gh != nil {
		g.Go(func() error {
			have, err := gh.list(gctx, d, PredicateType)
			switch {
			case err == nil:
				submit = !hasStatement(have, stmt)
			case c.ifAllowed && isRefused(err):
				// Reading needs `attestations: read`; try to write anyway.
				submit = true
			default:
				return err
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	var missing []missingAt
	for _, m := range checks {
		if !m.legacy && !m.bundle {
			res.Present = append(res.Present, m.ref.String())
			continue
		}
		missing = append(missing, m)
	}
	if len(missing) == 0 && !submit && len(repos) > 0 {
		c.Log.Info("the provenance is already attached", "digest", d)
		return res, nil
	}
	env, err := s.SignDSSE(ctx, PayloadType, stmt)
	if err != nil {
		return res, fmt.Errorf("signing the provenance: %w", err)
	}
	if res.Bundle, err = Bundle(env); err != nil {
		return res, err
	}
	// Every place that lacks it gets it at once: the .att and the bundle
	// referrer of each image, GitHub's attestation.
	g, gctx = errgroup.WithContext(ctx)
	for _, m := range missing {
		if m.legacy {
			g.Go(func() error { return attach(gctx, m.ref, env, s, c) })
		}
		if m.bundle {
			g.Go(func() error { return attachBundle(gctx, m.ref, res.Bundle, s, c) })
		}
	}
	var ghErr error
	if submit {
		g.Go(func() error {
			res.AttestationID, ghErr = gh.create(gctx, res.Bundle)
			if ghErr != nil && c.ifAllowed && isRefused(ghErr) {
				return nil // reported below, not an error
			}
			return ghErr
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	for _, m := range missing {
		res.Attached = append(res.Attached, m.ref.String())
		c.Log.Info("provenance attached", "image", m.ref.String(), "att", m.legacy, "bundle", m.bundle)
	}
	switch {
	case ghErr != nil:
		res.GitHubRefused = ghErr.Error()
		c.Log.Warn("GitHub did not store the provenance", "err", ghErr)
	case submit:
		c.Log.Info("provenance stored in GitHub's attestations", "repository", c.repository, "id", res.AttestationID)
	}
	return res, nil
}

func isRefused(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Refused()
}

// hasStatement reports whether one of the attestations is a bundle of
// stmt.
func hasStatement(atts []Attestation, stmt []byte) bool {
	for _, a := range atts {
		var b protobundle.Bundle
		if protojson.Unmarshal(a.Bundle, &b) != nil {
			continue
		}
		if env := b.GetDsseEnvelope(); env != nil && env.GetPayloadType() == PayloadType && bytes.Equal(env.GetPayload(), stmt) {
			return true
		}
	}
	return false
}
