package main

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/cosign/v2/pkg/oci"

	"github.com/sonicsaas/sonic-release/sign"
)

// pendingSigner is a signer being built in the background: decrypting a
// cosign key (scrypt) takes hundreds of milliseconds of CPU, which the
// plan's registry reads and the copy of the blobs overlap. release.Apply
// asks Ready before it writes the first tag, so a wrong key password still
// stops a release before any tag, with the error the signer's
// construction returned.
type pendingSigner struct {
	done chan struct{}
	s    *sign.Signer
	err  error
}

// startSigner runs build (and the signer's Ready check) in a goroutine.
func startSigner(build func() (*sign.Signer, error)) *pendingSigner {
	p := &pendingSigner{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if p.s, p.err = build(); p.err == nil {
			if _, err := p.s.Ready(); err != nil {
				p.err = fmt.Errorf("signing is not possible: %w", err)
			}
		}
	}()
	return p
}

func (p *pendingSigner) wait() (*sign.Signer, error) {
	<-p.done
	return p.s, p.err
}

// Ready waits for the signer and says whether it can sign.
func (p *pendingSigner) Ready() (string, error) {
	s, err := p.wait()
	if err != nil {
		return "", err
	}
	return s.Ready()
}

func (p *pendingSigner) Sign(ctx context.Context, d name.Digest) error {
	s, err := p.wait()
	if err != nil {
		return err
	}
	return s.Sign(ctx, d)
}

// AttachAttestation waits for the signer and attaches an attestation
// through its registry access (the provenance's .att).
func (p *pendingSigner) AttachAttestation(ctx context.Context, d name.Digest, att oci.Signature, ropts ...remote.Option) error {
	s, err := p.wait()
	if err != nil {
		return err
	}
	return s.AttachAttestation(ctx, d, att, ropts...)
}

// PushBundle waits for the signer and pushes a bundle through its
// registry access (the provenance's bundle).
func (p *pendingSigner) PushBundle(ctx context.Context, d name.Digest, bundleJSON []byte, predicateType string, ropts ...remote.Option) (name.Digest, error) {
	s, err := p.wait()
	if err != nil {
		return name.Digest{}, err
	}
	return s.PushBundle(ctx, d, bundleJSON, predicateType, ropts...)
}

// Settle waits for the signer's background checks (sign.WithBackgroundChecks).
func (p *pendingSigner) Settle(ctx context.Context) error {
	s, err := p.wait()
	if err != nil {
		return err
	}
	return s.Settle(ctx)
}

func (p *pendingSigner) SignAnnotated(ctx context.Context, d name.Digest, ann map[string]string) error {
	s, err := p.wait()
	if err != nil {
		return err
	}
	return s.SignAnnotated(ctx, d, ann)
}

// Identity is the keyless identity once the signer has signed.
func (p *pendingSigner) Identity() (sign.Identity, bool) {
	s, err := p.wait()
	if err != nil {
		return sign.Identity{}, false
	}
	return s.Identity()
}

// SignDSSE waits for the signer and signs a DSSE envelope (provenance).
func (p *pendingSigner) SignDSSE(ctx context.Context, payloadType string, payload []byte) (*sign.Envelope, error) {
	s, err := p.wait()
	if err != nil {
		return nil, err
	}
	return s.SignDSSE(ctx, payloadType, payload)
}

// SignatureFormat waits for the signer and says the format it writes,
// which the provenance is stored in too.
func (p *pendingSigner) SignatureFormat() sign.Format {
	s, err := p.wait()
	if err != nil {
		return sign.FormatLegacy
	}
	return s.SignatureFormat()
}

// OwnBundles waits for the signer and lists the statements of the bundles
// of d that it signed (the provenance's re-run check).
func (p *pendingSigner) OwnBundles(ctx context.Context, d name.Digest, ropts ...remote.Option) ([][]byte, error) {
	s, err := p.wait()
	if err != nil {
		return nil, err
	}
	return s.OwnBundles(ctx, d, ropts...)
}

// OwnAttestations waits for the signer and lists the .att attestations
// of d that it signed (the provenance's re-run check).
func (p *pendingSigner) OwnAttestations(ctx context.Context, d name.Digest, atts oci.Signatures) ([][]byte, error) {
	s, err := p.wait()
	if err != nil {
		return nil, err
	}
	return s.OwnAttestations(ctx, d, atts)
}

// SignBlob waits for the signer and signs a blob (the air-gap bundle).
func (p *pendingSigner) SignBlob(ctx context.Context, blob []byte) ([]byte, error) {
	s, err := p.wait()
	if err != nil {
		return nil, err
	}
	return s.SignBlob(ctx, blob)
}
