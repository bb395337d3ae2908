package sign

import (
	"errors"

	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
)

// WithRekorV2 makes the log of WithRekor a Rekor v2 log (rekor-tiles):
// bundles are recorded there
// through sigstore-go. Rekor v2 gives no integrated timestamp, so it needs
// WithTimestampAuthority, and it cannot hold a legacy signature's entry
// (cosign's legacy bundle is a Rekor v1 signed entry timestamp): the
// legacy signature, if written, is then timestamped only. The default is
// Rekor v1, the public-good default.
func WithRekorV2(v2 bool) Option {
	return func(c *config) error {
		c.rekorV2 = v2
		return nil
	}
}

// checkRekorV2 refuses a Rekor v2 setting without what it needs.
func (c *config) checkRekorV2() error {
	if !c.rekorV2 {
		return nil
	}
	if c.rekorURL == "" {
		return badInput(errors.New("a Rekor v2 log needs its URL"))
	}
	if f, _ := c.signFormat(); f == FormatLegacy {
		return badInput(errors.New("a Rekor v2 log holds only Sigstore bundles: with the legacy signature format (the default) nothing would be recorded; sign in the bundle format too"))
	}
	if c.tsaURL == "" {
		return badInput(errors.New("a Rekor v2 log gives no timestamp: signing into it needs a timestamp authority"))
	}
	return nil
}

// rekorForBundle is the transparency log a bundle is recorded in.
func (s *Signer) rekorForBundle() sgsign.Transparency {
	v := uint32(1)
	if s.c.rekorV2 {
		v = 2
	}
	return sgsign.NewRekor(&sgsign.RekorOptions{BaseURL: s.c.rekorURL, Version: v, Retries: 2})
}
