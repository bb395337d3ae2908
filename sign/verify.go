package sign

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"
)

// Result is a successful verification.
type Result struct {
	Reference string     `json:"reference"` // as given
	Digest    string     `json:"digest"`    // the verified digest of the reference
	Manifests []Manifest `json:"manifests"` // the index (first) and each platform image
}

// Manifest is one verified manifest and the signatures that passed.
type Manifest struct {
	Digest     string      `json:"digest"`
	Platform   string      `json:"platform,omitempty"`
	Signatures []Signature `json:"signatures"`
}

// Signature is one accepted signature.
type Signature struct {
	// Keyless: the certificate identity; empty for a key.
	Subject string `json:"subject,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	// Key: true when verified with the public key.
	Key bool `json:"key,omitempty"`
	// SignedAt is the time of the verified RFC 3161 timestamp, if any.
	SignedAt *time.Time `json:"signedAt,omitempty"`
	// LogIndex and LoggedAt locate the verified Rekor entry, if any.
	LogIndex    *int64            `json:"logIndex,omitempty"`
	LoggedAt    *time.Time        `json:"loggedAt,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Format is where it was found: legacy (the .sig tag) or bundle.
	Format string `json:"format,omitempty"`
}

// Verify checks that ref (a tag or digest) and, for an index, every
// platform image carry a valid cosign signature from the given public key
// (WithPublicKey) or keyless identity (WithIdentity, WithTrustedMaterial),
// with the annotations of WithAnnotations, and a verified Rekor entry
// unless WithRequireTransparencyLog(false). A keyless signature must carry
// a verified timestamp or Rekor entry, so that it still verifies after its
// certificate expired. Failures are *VerifyError.
func Verify(ctx context.Context, ref string, opts ...Option) (Result, error) {
	c, err := makeConfig(opts)
	if err != nil {
		return Result{}, err
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return Result{}, badInput(fmt.Errorf("parsing image reference %q: %w", ref, err))
	}
	co, err := c.verifyCheckOpts(ctx)
	if err != nil {
		return Result{}, err
	}
	ts, err := targets(ctx, r, c.reg.Fixed, nil)
	if err != nil {
		return Result{}, err
	}
	res := Result{Reference: ref, Digest: ts[0].digest.DigestStr()}
	for _, t := range ts {
		m, err := c.verifyTarget(ctx, t, co)
		if err != nil {
			return Result{}, err
		}
		res.Manifests = append(res.Manifests, m)
	}
	return res, nil
}

func (c *config) verifyCheckOpts(ctx context.Context) (*cosign.CheckOpts, error) {
	co := &cosign.CheckOpts{
		RegistryClientOpts: []ociremote.Option{ociremote.WithRemoteOptions(c.remoteOpts(ctx)...)},
		ClaimVerifier:      cosign.SimpleClaimVerifier,
		TrustedMaterial:    c.trusted,
		IgnoreTlog:         c.ignoreTlog,
		IgnoreSCT:          c.ignoreSCT,
		Offline:            true,
		// Timestamps are verified when the trust material has a TSA.
		UseSignedTimestamps:          c.trusted != nil && len(c.trusted.TimestampingAuthorities()) > 0,
		CertGithubWorkflowRepository: c.workflow.Repository,
		CertGithubWorkflowRef:        c.workflow.Ref,
		CertGithubWorkflowTrigger:    c.workflow.Trigger,
		CertGithubWorkflowSha:        c.workflow.SHA,
		CertGithubWorkflowName:       c.workflow.Name,
	}
	if !c.ignoreTlog && c.trusted == nil {
		return nil, &TrustError{TransparencyLog: true}
	}
	if len(c.annotations) > 0 {
		co.Annotations = map[string]any{}
		for k, v := range c.annotations {
			co.Annotations[k] = v
		}
	}
	switch {
	case c.publicKey != nil && len(c.identities) > 0:
		return nil, badInput(errors.New("verify with a public key or a certificate identity, not both"))
	case c.publicKey != nil:
		pub, err := cryptoutils.UnmarshalPEMToPublicKey(c.publicKey)
		if err != nil {
			return nil, badInput(fmt.Errorf("reading the public key: %w", err))
		}
		co.SigVerifier, err = signature.LoadVerifier(pub, crypto.SHA256)
		if err != nil {
			return nil, badInput(fmt.Errorf("loading the public key: %w", err))
		}
	case len(c.identities) > 0:
		if c.trusted == nil {
			return nil, &TrustError{}
		}
		for _, id := range c.identities {
			co.Identities = append(co.Identities, cosign.Identity{
				Subject: id.Subject, SubjectRegExp: id.SubjectRegexp,
				Issuer: id.Issuer, IssuerRegExp: id.IssuerRegexp,
			})
		}
	default:
		return nil, badInput(errors.New("nothing to verify against: give a public key or a certificate identity and OIDC issuer"))
	}
	return co, nil
}

func verifyOne(ctx context.Context, t target, co *cosign.CheckOpts, key bool) (Manifest, error) {
	m := Manifest{Digest: t.digest.DigestStr(), Platform: t.platform}
	sigs, _, err := cosign.VerifyImageSignatures(ctx, t.digest, co)
	if err != nil {
		if refused(err) {
			return m, &VerifyError{Ref: t.digest.String(), Reason: err}
		}
		return m, fmt.Errorf("verifying %s: %w", t.digest, err)
	}
	for _, s := range sigs {
		info, err := describe(s, co, key)
		if err != nil {
			continue
		}
		m.Signatures = append(m.Signatures, info)
	}
	if len(m.Signatures) == 0 {
		return m, &VerifyError{Ref: t.digest.String(), Reason: errors.New(
			"no signature carries a verified timestamp or transparency-log entry: it would stop verifying once its certificate expires")}
	}
	return m, nil
}

// describe reports an accepted signature; keyless ones without a verified
// timestamp or bundle are rejected (cosign only falls back to the current
// time for those, which works for 10 minutes).
func describe(s oci.Signature, co *cosign.CheckOpts, key bool) (Signature, error) {
	var out Signature
	if p, err := s.Payload(); err == nil {
		var sci sigpayload.SimpleContainerImage
		if err := jsonUnmarshal(p, &sci); err == nil && len(sci.Optional) > 0 {
			out.Annotations = map[string]string{}
			for k, v := range sci.Optional {
				out.Annotations[k] = fmt.Sprint(v)
			}
		}
	}
	if co.UseSignedTimestamps {
		if ts, err := cosign.VerifyRFC3161Timestamp(s, co); err == nil && ts != nil {
			t := ts.Time.UTC()
			out.SignedAt = &t
		}
	}
	if b, err := s.Bundle(); err == nil && b != nil && !co.IgnoreTlog {
		// VerifyImageSignatures checked the entry offline.
		i, at := b.Payload.LogIndex, time.Unix(b.Payload.IntegratedTime, 0).UTC()
		out.LogIndex, out.LoggedAt = &i, &at
	}
	if key {
		out.Key = true
		return out, nil
	}
	cert, err := s.Cert()
	if err != nil || cert == nil {
		return out, errors.New("no certificate")
	}
	id, err := certIdentity(cert)
	if err != nil {
		return out, err
	}
	out.Subject, out.Issuer = id.Subject, id.Issuer
	if out.SignedAt == nil && out.LoggedAt == nil {
		return out, errors.New("no timestamp")
	}
	return out, nil
}

// refused tells a verification failure from an operational error.
func refused(err error) bool {
	var (
		vf  *cosign.VerificationFailure
		nm  *cosign.ErrNoMatchingSignatures
		ns  *cosign.ErrNoSignaturesFound
		nc  *cosign.ErrNoCertificateFoundOnSignature
		ve  *cosign.VerificationError
		tnf *cosign.ErrImageTagNotFound
	)
	return errors.As(err, &vf) || errors.As(err, &nm) || errors.As(err, &ns) ||
		errors.As(err, &nc) || errors.As(err, &ve) || errors.As(err, &tnf)
}
