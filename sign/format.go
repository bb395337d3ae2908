package sign

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// Format is where and how signatures are stored: cosign's legacy
// "sha256-<hex>.sig" tag, the standard Sigstore bundle as an OCI 1.1
// referrer of the image, or both.
type Format string

const (
	// FormatLegacy is cosign's signature tag (sha256-<hex>.sig), what
	// cosign v2 writes and every verifier reads, Kyverno's default too.
	FormatLegacy Format = "legacy"
	// FormatBundle is the Sigstore bundle (protobuf-specs v0.3 JSON,
	// application/vnd.dev.sigstore.bundle.v0.3+json) of a DSSE in-toto
	// statement, stored as an OCI 1.1 referrer whose subject is the image
	// (the sha256-<hex> fallback tag on a registry without the referrers
	// API, such as GHCR), exactly as cosign v3 writes it.
	FormatBundle Format = "bundle"
	// FormatBoth writes both, so that every verifier in use accepts the
	// image signature: the default of Sign. For Verify it requires both.
	FormatBoth Format = "both"
	// FormatAny is the default of Verify: a valid signature in either
	// format is enough. Sign does not accept it.
	FormatAny Format = "any"
)

// ParseFormat reads a format name (legacy, bundle, both or any).
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatLegacy, FormatBundle, FormatBoth, FormatAny:
		return f, nil
	}
	return "", badInput(fmt.Errorf("unknown signature format %q: want legacy, bundle, both or any", s))
}

// WithSignatureFormat chooses the signature format. Sign writes legacy,
// bundle or both (the default); Verify looks for legacy, bundle, both
// (each must verify) or any (the default: either is enough).
func WithSignatureFormat(f Format) Option {
	return func(c *config) error {
		if _, err := ParseFormat(string(f)); err != nil {
			return err
		}
		c.format = f
		return nil
	}
}

// signFormat is the format Sign writes.
func (c *config) signFormat() (Format, error) {
	switch c.format {
	case "":
		return FormatBoth, nil
	case FormatAny:
		return "", badInput(errors.New("signing needs a signature format of legacy, bundle or both, not any"))
	}
	return c.format, nil
}

// verifyFormat is the format Verify looks for.
func (c *config) verifyFormat() Format {
	if c.format == "" {
		return FormatAny
	}
	return c.format
}

func (f Format) legacy() bool { return f != FormatBundle }
func (f Format) bundle() bool { return f != FormatLegacy }

// signFormats signs the target t in format f: the legacy signature, the
// bundle, or both at once (they are separate artifacts: neither reads
// the other, and the call returns only when both are written).
func (s *Signer) signFormats(ctx context.Context, f Format, t target, extra map[string]string, ropts []remote.Option) error {
	g, gctx := errgroup.WithContext(ctx)
	if f.legacy() {
		g.Go(func() error { return s.signOne(gctx, t.digest, extra, ropts) })
	}
	if f.bundle() {
		g.Go(func() error { return s.signBundle(gctx, t, extra) })
	}
	return g.Wait()
}

// SignatureFormat is the format the signer writes (WithSignatureFormat,
// or the default): what else it signs, such as the provenance, is
// stored in the same formats.
func (s *Signer) SignatureFormat() Format {
	f, err := s.c.signFormat()
	if err != nil {
		return FormatLegacy
	}
	return f
}

// Bundles reports whether f includes the bundle format.
func (f Format) Bundles() bool { return f == FormatBundle || f == FormatBoth }
