package provenance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"

	"github.com/sonicsaas/sonic-release/sign"
)

// ownAttestations is implemented by *sign.Signer: the attestations of an
// image it made itself.
type ownAttestations interface {
	OwnAttestations(ctx context.Context, d name.Digest, atts oci.Signatures) ([][]byte, error)
}

// attached reports whether the image d already carries an attestation
// whose statement is exactly stmt and, when the signer can tell
// (ownAttestations), that it signed: a re-run of the same workflow run
// makes the same statement and adds nothing, while another signer's copy
// of the statement does not count.
func attached(ctx context.Context, d name.Digest, stmt []byte, s Signer, c *config) (bool, error) {
	ropts, err := c.remoteOpts(ctx, d.Registry)
	if err != nil {
		return false, err
	}
	se, err := ociremote.SignedEntity(d, ociremote.WithRemoteOptions(ropts...))
	if err != nil {
		return false, fmt.Errorf("reading the image %s: %w", d, err)
	}
	atts, err := se.Attestations()
	if err != nil {
		return false, fmt.Errorf("reading the attestations of %s: %w", d, err)
	}
	var payloads [][]byte
	if own, ok := s.(ownAttestations); ok {
		if payloads, err = own.OwnAttestations(ctx, d, atts); err != nil {
			return false, fmt.Errorf("checking the attestations of %s: %w", d, err)
		}
	} else {
		list, err := atts.Get()
		if err != nil {
			return false, fmt.Errorf("reading the attestations of %s: %w", d, err)
		}
		for _, a := range list {
			if p, err := a.Payload(); err == nil {
				payloads = append(payloads, p)
			}
		}
	}
	for _, p := range payloads {
		var env struct {
			PayloadType string `json:"payloadType"`
			Payload     string `json:"payload"`
		}
		if json.Unmarshal(p, &env) != nil || env.PayloadType != PayloadType {
			continue
		}
		if got, err := base64.StdEncoding.DecodeString(env.Payload); err == nil && bytes.Equal(got, stmt) {
			return true, nil
		}
	}
	return false, nil
}

// bundleSigner is implemented by *sign.Signer: the signature format it
// writes (the provenance is stored in the same formats as the image
// signature) and the bundles of an image it made itself.
type bundleSigner interface {
	SignatureFormat() sign.Format
	OwnBundles(ctx context.Context, d name.Digest, ropts ...remote.Option) ([][]byte, error)
}

// missingAt is an image that lacks the provenance in cosign's .att
// layout (legacy), as a bundle referrer (bundle), or both.
type missingAt struct {
	ref            name.Digest
	legacy, bundle bool
}

// bundled reports whether the image d already has, as a referrer, a
// sigstore bundle of exactly stmt that s signed.
func bundled(ctx context.Context, d name.Digest, stmt []byte, s bundleSigner, c *config) (bool, error) {
	ropts, err := c.remoteOpts(ctx, d.Registry)
	if err != nil {
		return false, err
	}
	payloads, err := s.OwnBundles(ctx, d, ropts...)
	if err != nil {
		return false, fmt.Errorf("checking the attestation bundles of %s: %w", d, err)
	}
	return slices.ContainsFunc(payloads, func(p []byte) bool { return bytes.Equal(p, stmt) }), nil
}

// attachBundle stores the sigstore bundle (JSON) of the provenance as a
// referrer of the image d, as `cosign attest` v3 does (artifactType and
// layer application/vnd.dev.sigstore.bundle.v0.3+json, the predicate type
// annotated), on the sha256-<hex> fallback tag where the registry has no
// referrers API: where cosign verify-attestation (v3, and v2 with
// --new-bundle-format) looks once the image has a signature bundle, and
// what `gh attestation verify --bundle-from-oci` reads.
//
// A signer that pushes bundles itself (bundlePusher: *sign.Signer) does it
// through its registry access, which knows what the release read and
// wrote; otherwise sign.PushBundle with the options given.
func attachBundle(ctx context.Context, d name.Digest, bundleJSON []byte, s Signer, c *config) error {
	ropts, err := c.remoteOpts(ctx, d.Registry)
	if err != nil {
		return err
	}
	if bp, ok := s.(bundlePusher); ok {
		_, err = bp.PushBundle(ctx, d, bundleJSON, PredicateType, ropts...)
	} else {
		_, err = sign.PushBundle(ctx, d, bundleJSON, PredicateType, c.Log, ropts...)
	}
	if err != nil {
		return fmt.Errorf("pushing the provenance bundle of %s: %w", d, err)
	}
	return nil
}

// attestationAttacher is implemented by *sign.Signer.
type attestationAttacher interface {
	AttachAttestation(ctx context.Context, d name.Digest, att oci.Signature, ropts ...remote.Option) error
}

// bundlePusher is implemented by *sign.Signer.
type bundlePusher interface {
	PushBundle(ctx context.Context, d name.Digest, bundleJSON []byte, predicateType string, ropts ...remote.Option) (name.Digest, error)
}

// attach adds the envelope e to the image d in cosign's attestation
// layout: a layer of the sha256-<digest>.att manifest, with the
// certificate, the timestamp over the envelope and the Rekor entry as
// cosign's annotations, and the predicate type as `cosign attest` writes
// it.
func attach(ctx context.Context, d name.Digest, e *sign.Envelope, s Signer, c *config) error {
	opts := []static.Option{
		static.WithLayerMediaType(types.MediaType("application/vnd.dsse.envelope.v1+json")),
		// The envelope is the layer; its copy on the manifest lets a re-run
		// check it without downloading the layer (sign.EnvelopeAnnotation).
		static.WithAnnotations(map[string]string{"predicateType": PredicateType, sign.EnvelopeAnnotation: string(e.JSON)}),
	}
	if e.Cert != nil {
		opts = append(opts, static.WithCertChain(e.Cert, e.Chain))
	}
	if e.TimestampEnvelope != nil {
		opts = append(opts, static.WithRFC3161Timestamp(bundle.TimestampToRFC3161Timestamp(e.TimestampEnvelope)))
	}
	if e.Rekor != nil {
		opts = append(opts, static.WithBundle(bundle.EntryToBundle(e.Rekor)))
	}
	att, err := static.NewAttestation(e.JSON, opts...)
	if err != nil {
		return err
	}
	ropts, err := c.remoteOpts(ctx, d.Registry)
	if err != nil {
		return err
	}
	if aa, ok := s.(attestationAttacher); ok {
		// Through the signer's registry access too: one read of the .att
		// tag, one-request blob uploads.
		if err := aa.AttachAttestation(ctx, d, att, ropts...); err != nil {
			return fmt.Errorf("writing the attestation of %s: %w", d, err)
		}
		return nil
	}
	rOpts := []ociremote.Option{ociremote.WithRemoteOptions(ropts...)}
	se, err := ociremote.SignedEntity(d, rOpts...)
	if err != nil {
		return fmt.Errorf("reading the image %s: %w", d, err)
	}
	newSE, err := mutate.AttachAttestationToEntity(se, att)
	if err != nil {
		return err
	}
	if err := ociremote.WriteAttestations(d.Repository, newSE, rOpts...); err != nil {
		return fmt.Errorf("pushing the attestation of %s: %w", d, err)
	}
	return nil
}
