package sign

import (
	"context"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	intoto "github.com/in-toto/attestation/go/v1"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// bundleVerifier checks Sigstore bundles of image signatures with
// sigstore-go, with the same settings as the legacy check.
type bundleVerifier struct {
	tm          root.TrustedMaterial
	key         bool
	hasTSA      bool
	requireTlog bool
	requireSCT  bool
	identities  []verify.CertificateIdentity
	annotations map[string]string
}

// bundleVerifier builds the bundle check of c: its public key or
// identities, trusted material, annotations and log and SCT settings.
func (c *config) bundleVerifier() (*bundleVerifier, error) {
	v := &bundleVerifier{requireTlog: !c.ignoreTlog, requireSCT: !c.ignoreSCT, annotations: c.annotations}
	var tms root.TrustedMaterialCollection
	if c.trusted != nil {
		tms = append(tms, c.trusted)
		v.hasTSA = len(c.trusted.TimestampingAuthorities()) > 0
	}
	switch {
	case c.publicKey != nil:
		pub, err := cryptoutils.UnmarshalPEMToPublicKey(c.publicKey)
		if err != nil {
			return nil, badInput(fmt.Errorf("reading the public key: %w", err))
		}
		sv, err := signature.LoadVerifier(pub, crypto.SHA256)
		if err != nil {
			return nil, badInput(fmt.Errorf("loading the public key: %w", err))
		}
		key := root.NewExpiringKey(sv, time.Time{}, time.Time{})
		tms = append(tms, root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil }))
		v.key, v.requireSCT = true, false
	case len(c.identities) > 0:
		for _, id := range c.identities {
			san, err := verify.NewSANMatcher(id.Subject, id.SubjectRegexp)
			if err != nil {
				return nil, badInput(fmt.Errorf("certificate identity: %w", err))
			}
			iss, err := verify.NewIssuerMatcher(id.Issuer, id.IssuerRegexp)
			if err != nil {
				return nil, badInput(fmt.Errorf("certificate OIDC issuer: %w", err))
			}
			ci, err := verify.NewCertificateIdentity(san, iss, certificate.Extensions{
				GithubWorkflowRepository: c.workflow.Repository,
				GithubWorkflowRef:        c.workflow.Ref,
				GithubWorkflowTrigger:    c.workflow.Trigger,
				GithubWorkflowSHA:        c.workflow.SHA,
				GithubWorkflowName:       c.workflow.Name,
			})
			if err != nil {
				return nil, badInput(err)
			}
			v.identities = append(v.identities, ci)
		}
	default:
		return nil, badInput(errors.New("nothing to verify against: give a public key or a certificate identity and OIDC issuer"))
	}
	v.tm = tms
	return v, nil
}

// verifySigned checks that b is signed by an accepted signer, with a
// verified timestamp where one is needed, over a statement about d; it
// does not look at the statement's predicate.
func (v *bundleVerifier) verifySigned(b *bundle.Bundle, d name.Digest) (*verify.VerificationResult, error) {
	var vopts []verify.VerifierOption
	if v.requireTlog {
		vopts = append(vopts, verify.WithTransparencyLog(1))
	}
	if v.requireSCT {
		vopts = append(vopts, verify.WithSignedCertificateTimestamps(1))
	}
	ts, _ := b.Timestamps()
	switch {
	case !v.key, v.requireTlog:
		// A keyless signature must carry a verified timestamp (TSA or
		// log), or it stops verifying when its certificate expires.
		vopts = append(vopts, verify.WithObserverTimestamps(1))
	case len(ts) > 0 && v.hasTSA:
		vopts = append(vopts, verify.WithSignedTimestamps(1))
	default:
		vopts = append(vopts, verify.WithNoObserverTimestamps())
	}
	sev, err := verify.NewVerifier(v.tm, vopts...)
	if err != nil {
		return nil, err
	}
	alg, hx, _ := strings.Cut(d.DigestStr(), ":")
	sum, err := hex.DecodeString(hx)
	if err != nil {
		return nil, err
	}
	var popts []verify.PolicyOption
	if v.key {
		popts = append(popts, verify.WithKey())
	}
	for _, id := range v.identities {
		popts = append(popts, verify.WithCertificateIdentity(id))
	}
	return sev.Verify(b, verify.NewPolicy(verify.WithArtifactDigest(alg, sum), popts...))
}

// verify checks that b is a valid signature of d by an accepted signer,
// with the required annotations, and returns it described and its
// statement.
func (v *bundleVerifier) verify(b *bundle.Bundle, d name.Digest) (Signature, *intoto.Statement, error) {
	out := Signature{Format: string(FormatBundle), Key: v.key}
	res, err := v.verifySigned(b, d)
	if err != nil {
		return out, nil, err
	}
	payload, ann, ok := statementAnnotations(res.Statement, d)
	if !ok || payload == nil {
		return out, nil, fmt.Errorf("the bundle is not an image signature (predicate type %s) of %s", SignPredicateType, d.DigestStr())
	}
	for k, want := range v.annotations {
		if got, ok := ann[k]; !ok || got != want {
			return out, nil, fmt.Errorf("missing or different annotation %s=%s", k, want)
		}
	}
	out.Annotations = ann
	for _, vt := range res.VerifiedTimestamps {
		at := vt.Timestamp.UTC()
		switch vt.Type {
		case "TimestampAuthority":
			if out.SignedAt == nil {
				out.SignedAt = &at
			}
		case "Tlog":
			if out.LoggedAt == nil {
				out.LoggedAt = &at
			}
		}
	}
	if v.requireTlog {
		if es, err := b.TlogEntries(); err == nil && len(es) > 0 {
			i := es[0].LogIndex()
			out.LogIndex = &i
			if out.LoggedAt == nil && !es[0].IntegratedTime().IsZero() && es[0].IntegratedTime().Unix() > 0 {
				at := es[0].IntegratedTime().UTC()
				out.LoggedAt = &at
			}
		}
	}
	if res.Signature != nil && res.Signature.Certificate != nil {
		out.Subject = res.Signature.Certificate.SubjectAlternativeName
		out.Issuer = res.Signature.Certificate.Issuer
	}
	return out, res.Statement, nil
}

// verifyBundles verifies the bundles that refer to t.
func (c *config) verifyBundles(ctx context.Context, t target) (Manifest, error) {
	m := Manifest{Digest: t.digest.DigestStr(), Platform: t.platform}
	v, err := c.bundleVerifier()
	if err != nil {
		return m, err
	}
	found, err := listBundles(ctx, t.digest, c.remoteOpts(ctx), false, nil, nil)
	if err != nil {
		return m, fmt.Errorf("verifying %s: reading its bundles: %w", t.digest, err)
	}
	if len(found) == 0 {
		return m, &VerifyError{Ref: t.digest.String(), Reason: fmt.Errorf("no signature bundle (no referrer of type %s)", BundleMediaType)}
	}
	var reasons []string
	for _, f := range found {
		sig, _, err := v.verify(f.bundle, t.digest)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("%s: %v", f.manifest.DigestStr(), err))
			continue
		}
		m.Signatures = append(m.Signatures, sig)
	}
	if len(m.Signatures) == 0 {
		return m, &VerifyError{Ref: t.digest.String(), Reason: fmt.Errorf("no bundle verifies: %s", strings.Join(reasons, "; "))}
	}
	return m, nil
}

// verifyTarget verifies t in the formats c asks for (any by default) and
// marks each accepted signature with its format.
func (c *config) verifyTarget(ctx context.Context, t target, co *cosign.CheckOpts) (Manifest, error) {
	f := c.verifyFormat()
	m := Manifest{Digest: t.digest.DigestStr(), Platform: t.platform}
	var refusals []error
	if f.legacy() {
		lm, err := verifyOne(ctx, t, co, c.publicKey != nil)
		switch {
		case err == nil:
			for _, s := range lm.Signatures {
				s.Format = string(FormatLegacy)
				m.Signatures = append(m.Signatures, s)
			}
		case !isRefusal(err) || f == FormatBoth:
			return m, err
		default:
			refusals = append(refusals, fmt.Errorf("legacy .sig: %w", unwrapVerify(err)))
		}
	}
	if f.bundle() {
		bm, err := c.verifyBundles(ctx, t)
		switch {
		case err == nil:
			m.Signatures = append(m.Signatures, bm.Signatures...)
		case !isRefusal(err) || f == FormatBoth:
			return m, err
		default:
			refusals = append(refusals, fmt.Errorf("bundle: %w", unwrapVerify(err)))
		}
	}
	if len(m.Signatures) == 0 {
		return m, &VerifyError{Ref: t.digest.String(), Reason: oneLine(refusals)}
	}
	return m, nil
}

func isRefusal(err error) bool {
	var ve *VerifyError
	return errors.As(err, &ve)
}

func unwrapVerify(err error) error {
	var ve *VerifyError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return err
}

// oneLine joins errors with "; " (errors.Join uses newlines, and a
// verification error is one line of output).
type oneLine []error

func (e oneLine) Error() string {
	parts := make([]string, len(e))
	for i, err := range e {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (e oneLine) Unwrap() []error { return e }
