package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/fulcio/pkg/api"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/oauthflow"
	"github.com/sigstore/sigstore/pkg/signature"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"
	"golang.org/x/sync/errgroup"
)

// Signer signs images by digest. It is safe for concurrent use.
type Signer struct {
	c *config

	sv signature.SignerVerifier // the cosign key, or the ephemeral keyless key

	mu       sync.Mutex
	cert     []byte // keyless: the Fulcio certificate (PEM)
	chain    []byte
	notAfter time.Time // the certificate's expiry
	id       *Identity // keyless: the certificate's identity

	refs  referrersAPI // which registries have the referrers API
	blobs blobUploads  // the bundles' blobs uploaded so far

	bgMu   sync.Mutex
	bg     sync.WaitGroup // listing checks left running (WithBackgroundChecks)
	bgErrs []error
}

// later runs check in the background, with ctx's values but not its
// cancellation (the caller's errgroup context ends when Sign returns):
// Settle waits for it and reports its error.
func (s *Signer) later(ctx context.Context) func(check func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	return func(check func(context.Context) error) {
		s.bg.Go(func() {
			if err := check(ctx); err != nil {
				s.bgMu.Lock()
				s.bgErrs = append(s.bgErrs, err)
				s.bgMu.Unlock()
			}
		})
	}
}

// Settle waits for the checks Sign left running (WithBackgroundChecks):
// that each bundle it pushed is still listed in its fallback tag after
// any concurrent writer's update. It returns their errors; a caller that
// signs with WithBackgroundChecks must call it before it reports success.
// Without WithBackgroundChecks there is nothing to wait for.
func (s *Signer) Settle(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.bg.Wait()
		close(done)
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-done:
	}
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	err := errors.Join(s.bgErrs...)
	s.bgErrs = nil
	return err
}

// New returns a Signer for a cosign key (WithKey) or keyless signing
// (WithKeyless + WithTimestampAuthority + WithTrustedMaterial).
func New(opts ...Option) (*Signer, error) {
	c, err := makeConfig(opts)
	if err != nil {
		return nil, err
	}
	s := &Signer{c: c}
	if err := c.checkRekorV2(); err != nil {
		return nil, err
	}
	switch {
	case c.key != nil && c.tokens != nil:
		return nil, badInput(errors.New("sign with a key or keyless, not both"))
	case c.key != nil:
		pass, err := c.password()
		if err != nil {
			return nil, fmt.Errorf("reading the key password: %w", err)
		}
		s.sv, err = cosign.LoadPrivateKey(c.key, pass, nil)
		if err != nil {
			return nil, badInput(fmt.Errorf("loading the cosign private key (is COSIGN_PASSWORD right?): %w", err))
		}
	case c.tokens != nil:
		if c.tsaURL == "" && c.rekorURL == "" {
			return nil, badInput(errors.New("keyless signing needs a timestamp authority or a Rekor transparency log: without either the signature stops verifying when its 10-minute certificate expires"))
		}
		if c.trusted == nil {
			return nil, badInput(errors.New("keyless signing needs trusted material (a trusted root) to check the certificate and timestamp it gets"))
		}
		if _, err := url.Parse(c.fulcioURL); err != nil {
			return nil, badInput(fmt.Errorf("parsing the Fulcio URL %q: %w", c.fulcioURL, err))
		}
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generating the ephemeral key: %w", err)
		}
		s.sv, err = signature.LoadECDSASignerVerifier(priv, crypto.SHA256)
		if err != nil {
			return nil, err
		}
	default:
		return nil, badInput(errors.New("nothing to sign with: give a key (WithKey) or keyless settings (WithKeyless)"))
	}
	return s, nil
}

// Ready says whether the signer can sign, and with what, without signing
// or contacting any server: New has already decrypted the key, or checked
// the keyless settings and the trusted material; a keyless token source
// that is a TokenChecker is asked whether it has a token (the GitHub
// Actions OIDC variables, a given identity token). A dry run calls it so
// that a wrong key password or a missing `id-token: write` fails before
// the real run.
func (s *Signer) Ready() (string, error) {
	if s.c.tokens == nil {
		return "key loaded", nil
	}
	what := "keyless token source set"
	if tc, ok := s.c.tokens.(TokenChecker); ok {
		var err error
		if what, err = tc.CheckToken(); err != nil {
			return "", err
		}
	}
	return what + ", trusted root loaded", nil
}

// Sign signs the manifest d and, when d is an index, each of its platform
// manifests, in d's repository. A manifest that already carries the same
// signature payload from the same signer is left as it is.
func (s *Signer) Sign(ctx context.Context, d name.Digest) error {
	return s.SignAnnotated(ctx, d, nil)
}

// SignAnnotated is Sign with annotations for this call added to those of
// WithAnnotations (ann wins on a shared key): what is known only per
// release, such as its migration verdict. They are claims the signer makes
// once per manifest, when it first signs it: a manifest that already has
// a signature from the same signer with the same image and annotations
// and any value for ann's keys is left as it is, even when the values
// differ (a re-run after a newer previous release was published, or with
// another classifier). A second signature would add a contradicting claim,
// and `cosign verify -a` accepts an image when any one signature matches;
// a signature is never rewritten. A differing value is logged (warning)
// with both values. A signature from the same signer without any of ann's
// keys (made before they existed) gets the annotated one next to it.
//
// Sign and SignAnnotated add nothing when a signature from the same signer
// already claims all that the new one would (the same payload, or the same
// image and annotations plus others): a re-run without the per-release
// annotations leaves the annotated signature alone.
func (s *Signer) SignAnnotated(ctx context.Context, d name.Digest, ann map[string]string) error {
	for k := range ann {
		if k == "" {
			return badInput(errors.New("an annotation has an empty key"))
		}
	}
	f, err := s.c.signFormat()
	if err != nil {
		return err
	}
	ropts, err := s.c.registryOpts(ctx, d.Registry)
	if err != nil {
		return err
	}
	// One puller and pusher for the call (those of WithRegistryOptions
	// when it gives them): one ping and token, not one per request.
	puller, err := remote.NewPuller(ropts...)
	if err != nil {
		return err
	}
	pusher, err := remote.NewPusher(ropts...)
	if err != nil {
		return err
	}
	ropts = append(slices.Clip(ropts), remote.Reuse(puller), remote.Reuse(pusher))
	ts, err := targets(ctx, d, ropts, s.c.known)
	if err != nil {
		return err
	}
	// The index and its platform images are signed at once.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.c.jobs)
	for _, t := range ts {
		g.Go(func() error {
			if err := s.signFormats(gctx, f, t, ann, ropts); err != nil {
				return fmt.Errorf("signing %q: %w", t.digest, err)
			}
			return nil
		})
	}
	return g.Wait()
}

func (s *Signer) payload(d name.Digest, extra map[string]string) ([]byte, error) {
	var ann map[string]any
	if len(s.c.annotations)+len(extra) > 0 {
		ann = map[string]any{}
		for _, m := range []map[string]string{s.c.annotations, extra} {
			for k, v := range m {
				ann[k] = v
			}
		}
	}
	return (&sigpayload.Cosign{Image: d, Annotations: ann}).MarshalJSON()
}

// claims compares an existing signature payload old with a new one p,
// whose annotations of this call are extra. It reports whether old claims
// what p would, in the sense of SignAnnotated: the same image, every
// annotation of p outside extra with the same value, and every key of
// extra present (when extra has any) with the same value or, if the
// first claim stands, another one; differs lists those keys as
// "key: old value, not new value".
func claims(old, p []byte, extra map[string]string) (ok bool, differs []string) {
	var o, n sigpayload.SimpleContainerImage
	if json.Unmarshal(old, &o) != nil || json.Unmarshal(p, &n) != nil || o.Critical != n.Critical {
		return false, nil
	}
	// Values are strings here; another tool may have written any JSON.
	str := func(v any) (string, bool) { s, ok := v.(string); return s, ok }
	hasExtra := len(extra) == 0
	for k, v := range n.Optional {
		nv, _ := str(v)
		ov, isString := str(o.Optional[k])
		_, present := o.Optional[k]
		_, perCall := extra[k]
		switch {
		case perCall && present:
			hasExtra = true
			if !isString || ov != nv {
				differs = append(differs, fmt.Sprintf("%s: %v, not %s", k, o.Optional[k], nv))
			}
		case perCall:
			// A claim the old signature does not make: it counts only if
			// it makes the others (hasExtra).
		case !present || !isString || ov != nv:
			return false, nil
		}
	}
	if !hasExtra {
		return false, nil
	}
	slices.Sort(differs)
	return true, differs
}

func (s *Signer) signOne(ctx context.Context, d name.Digest, extra map[string]string, ropts []remote.Option) error {
	log := s.c.Log.With("digest", d.String())
	h, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return err
	}
	payload, err := s.payload(d, extra)
	if err != nil {
		return err
	}
	if s.c.tokens != nil {
		if err := s.certificate(ctx); err != nil {
			return err
		}
	}
	co, err := s.checkOpts()
	if err != nil {
		return err
	}
	// One request: the signature manifest, if any. Its layers (the
	// payloads) are not downloaded to find out whether d is signed.
	tag, existing, err := signatureImage(d, ropts, ociremote.SignatureTag)
	if err != nil {
		return fmt.Errorf("reading existing signatures: %w", err)
	}
	list, err := existing.Get()
	if err != nil {
		return fmt.Errorf("reading existing signatures: %w", err)
	}
	if s.alreadySigned(ctx, list, payload, extra, h, co, log) {
		return nil
	}

	raw, err := s.sv.SignMessage(bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("signing the payload: %w", err)
	}
	var sopts []static.Option
	s.mu.Lock()
	if s.cert != nil {
		sopts = append(sopts, static.WithCertChain(s.cert, s.chain))
	}
	s.mu.Unlock()
	if s.c.tsaURL != "" {
		resp, err := timestampSignature(ctx, s.c.HTTP, s.c.tsaURL, raw)
		if err != nil {
			return err
		}
		sopts = append(sopts, static.WithRFC3161Timestamp(bundle.TimestampToRFC3161Timestamp(resp)))
	}
	if s.c.rekorURL != "" && !s.c.rekorV2 { // a Rekor v2 log holds only bundles (rekorv2.go)
		b, err := s.upload(ctx, payload, raw)
		if err != nil {
			return err
		}
		sopts = append(sopts, static.WithBundle(b))
	}
	sig, err := static.NewSignature(payload, base64.StdEncoding.EncodeToString(raw), sopts...)
	if err != nil {
		return err
	}
	// Check our own signature before it is published: the certificate
	// chains to the trusted Fulcio CA and the timestamp to the trusted TSA.
	if _, err := cosign.VerifyImageSignature(ctx, sig, h, co); err != nil {
		return fmt.Errorf("the new signature does not verify against the trusted material: %w", err)
	}
	// What cosign's WriteSignatures writes: the signatures there plus this one.
	sigs, err := mutate.AppendSignatures(existing, false, sig)
	if err != nil {
		return err
	}
	tr, err := s.c.registryTransport(ctx, d.Registry)
	if err != nil {
		return err
	}
	if err := writeSignatures(ctx, tag, sig, sigs, ropts, tr); err != nil {
		return fmt.Errorf("pushing the signature: %w", err)
	}
	log.Info("signed", "keyless", s.c.tokens != nil, "timestamp", s.c.tsaURL != "", "rekor", s.c.rekorURL != "")
	return nil
}

// alreadySigned reports whether list, the signatures of the manifest h,
// holds one of this signer that claims what payload does (SignAnnotated).
// A signature whose layer digest is the payload's digest carries this very
// payload: it is verified with the payload in hand and its layer
// annotations (signature, certificate, bundle, timestamp), without
// downloading anything, which is what a re-run finds. Only when no layer
// is the payload are the others' payloads downloaded, to compare their
// claims (the same image and annotations with other per-call values, or
// with more annotations).
func (s *Signer) alreadySigned(ctx context.Context, list []oci.Signature, payload []byte, extra map[string]string, h v1.Hash, co *cosign.CheckOpts, log *slog.Logger) bool {
	want, _, err := v1.SHA256(bytes.NewReader(payload))
	if err != nil {
		return false
	}
	var others []oci.Signature
	for _, old := range list {
		if dg, err := old.Digest(); err != nil || dg != want {
			others = append(others, old)
			continue
		}
		if _, err := cosign.VerifyImageSignature(ctx, knownPayload{old, payload}, h, co); err == nil {
			log.Info("already signed, nothing to add")
			return true
		}
	}
	for _, old := range others {
		p, err := old.Payload()
		if err != nil {
			continue
		}
		same, differs := bytes.Equal(p, payload), []string(nil)
		if !same {
			if same, differs = claims(p, payload, extra); !same {
				continue
			}
		}
		// Only a signature of this signer counts: another signer's
		// claims are its own.
		if _, err := cosign.VerifyImageSignature(ctx, knownPayload{old, p}, h, co); err != nil {
			continue
		}
		if len(differs) > 0 {
			log.Warn("a signature from this signer is already there with other values; it is left as it is (the first claim stands; delete the signature tag to sign again)",
				"differs", strings.Join(differs, "; "))
		} else {
			log.Info("already signed, nothing to add")
		}
		return true
	}
	return false
}

// signatureImage reads, in one request, cosign's signature image of d
// under the tag tagOf names (ociremote.SignatureTag: .sig, or
// AttestationTag: .att); empty when there is none.
func signatureImage(d name.Digest, ropts []remote.Option, tagOf func(name.Reference, ...ociremote.Option) (name.Tag, error)) (name.Tag, oci.Signatures, error) {
	rOpts := []ociremote.Option{ociremote.WithRemoteOptions(ropts...)}
	tag, err := tagOf(d, rOpts...)
	if err != nil {
		return name.Tag{}, nil, err
	}
	sigs, err := ociremote.Signatures(tag, rOpts...)
	return tag, sigs, err
}

// knownPayload is a signature from a registry whose payload is known
// (its layer digest is the payload's digest, or it was downloaded once):
// verifying it reads no blob.
type knownPayload struct {
	ociSignature
	payload []byte
}

// ociSignature names the embedded oci.Signature apart from its Signature
// method.
type ociSignature = oci.Signature

func (k knownPayload) Payload() ([]byte, error) { return k.payload, nil }

// writeSignatures pushes sigs, the signature image of tag with the new
// signature sig as its last layer: the new layer and the new config go up
// at once, then the manifest. The layers already in the signature image
// are in the repository: they are not checked again. With tr, an
// authenticated transport, each new blob goes up in one or two requests
// (postBlob).
func writeSignatures(ctx context.Context, tag name.Tag, sig oci.Signature, sigs oci.Signatures, ropts []remote.Option, tr http.RoundTripper) error {
	p, err := remote.NewPusher(ropts...) // the shared one with remote.Reuse
	if err != nil {
		return err
	}
	cfg, err := partial.ConfigLayer(sigs)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, l := range []v1.Layer{sig, cfg} {
		g.Go(func() error {
			if tr != nil {
				if done, err := postBlob(gctx, tr, tag.Repository, l); done || err != nil {
					return err
				}
			}
			return p.Upload(gctx, tag.Repository, l)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return p.Put(ctx, tag, sigs)
}

// postBlob uploads the small blob l to repo in one request, the OCI
// distribution spec's monolithic POST (?digest=, the body with it), or in
// two when the registry answers it with an upload session (202): a PUT of
// the body to the session. done is false when the registry refused both
// (the caller uploads the usual way).
func postBlob(ctx context.Context, tr http.RoundTripper, repo name.Repository, l v1.Layer) (done bool, err error) {
	d, err := l.Digest()
	if err != nil {
		return false, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return false, err
	}
	body, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return false, err
	}
	client := &http.Client{Transport: tr}
	send := func(method string, u *url.URL) (*http.Response, error) {
		q := u.Query()
		q.Set("digest", d.String())
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		return client.Do(req)
	}
	u := &url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/blobs/uploads/"}
	// Any failure falls back to the usual upload, which starts by checking
	// whether the blob is there (a PUT that committed but lost its answer).
	resp, err := send(http.MethodPost, u)
	if err != nil {
		return false, ctx.Err()
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated:
		return true, nil
	case http.StatusAccepted:
		loc, err := u.Parse(resp.Header.Get("Location"))
		if err != nil || resp.Header.Get("Location") == "" {
			return false, nil
		}
		put, err := send(http.MethodPut, loc)
		if err != nil {
			return false, ctx.Err()
		}
		defer put.Body.Close()
		return put.StatusCode == http.StatusCreated, nil
	}
	return false, nil
}

// checkOpts verifies a signature by this signer: its key, or its
// certificate identity with the trusted material.
func (s *Signer) checkOpts() (*cosign.CheckOpts, error) {
	co := &cosign.CheckOpts{
		ClaimVerifier: cosign.SimpleClaimVerifier,
		// The Rekor entry is checked offline, when the trusted material
		// can check it.
		IgnoreTlog:          s.c.rekorURL == "" || s.c.rekorV2 || s.c.trusted == nil || len(s.c.trusted.RekorLogs()) == 0,
		Offline:             true,
		UseSignedTimestamps: s.c.tsaURL != "",
		TrustedMaterial:     s.c.trusted,
		IgnoreSCT:           true, // the SCT is the verifier's concern; a private Fulcio may have no CT log
	}
	if s.c.tokens == nil {
		co.SigVerifier = s.sv
		if s.c.tsaURL != "" && s.c.trusted == nil {
			// A key-signed timestamp is checked only with a trusted TSA.
			co.UseSignedTimestamps = false
		}
		return co, nil
	}
	s.mu.Lock()
	id := s.id
	s.mu.Unlock()
	co.Identities = []cosign.Identity{{Subject: id.Subject, Issuer: id.Issuer}}
	return co, nil
}

// upload records the signature in Rekor and returns the entry as
// cosign's bundle.
func (s *Signer) upload(ctx context.Context, payload, raw []byte) (*bundle.RekorBundle, error) {
	entry, err := s.tlogEntry(ctx, payload, raw)
	if err != nil {
		return nil, err
	}
	return bundle.EntryToBundle(entry), nil
}

// certRenewal is how long before its expiry a certificate is replaced:
// a long release (many repositories) outlives Fulcio's 10 minutes.
const certRenewal = 2 * time.Minute

// certificate gets a Fulcio certificate for the ephemeral key, and a new
// one (with a fresh token) when the current one is about to expire.
func (s *Signer) certificate(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cert != nil && time.Until(s.notAfter) > certRenewal {
		return nil
	}
	tok, err := s.c.tokens.Token(ctx)
	if err != nil {
		return err
	}
	sub, err := tokenSubject(tok)
	if err != nil {
		return badInput(fmt.Errorf("reading the identity token: %w", err))
	}
	pub, err := s.sv.PublicKey()
	if err != nil {
		return err
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return err
	}
	proof, err := s.sv.SignMessage(strings.NewReader(sub))
	if err != nil {
		return err
	}
	u, _ := url.Parse(s.c.fulcioURL)
	resp, err := api.NewClient(u, api.WithUserAgent("sonic-release")).SigningCert(api.CertificateRequest{
		PublicKey:          api.Key{Content: pubPEM},
		SignedEmailAddress: proof,
	}, tok)
	if err != nil {
		return fmt.Errorf("getting a signing certificate from Fulcio %s (is the token's audience \"sigstore\" and its issuer known to Fulcio?): %w", s.c.fulcioURL, err)
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(resp.CertPEM)
	if err != nil || len(certs) == 0 {
		return fmt.Errorf("reading the Fulcio certificate: %v", err)
	}
	id, err := certIdentity(certs[0])
	if err != nil {
		return err
	}
	s.cert, s.chain, s.notAfter, s.id = resp.CertPEM, resp.ChainPEM, certs[0].NotAfter, &id
	s.c.Log.Info("got a signing certificate", "subject", id.Subject, "issuer", id.Issuer, "not_after", certs[0].NotAfter)
	return nil
}

// Identity returns the keyless signer's certificate identity, once Sign
// has obtained a certificate, and false for key-based signing.
func (s *Signer) Identity() (Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.id == nil {
		return Identity{}, false
	}
	return *s.id, true
}

// tokenSubject reads the subject (sub, or a verified email) of a JWT
// without verifying it: Fulcio verifies the token; the subject is only
// signed as proof of possession of the key.
func tokenSubject(jwt string) (string, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", errors.New("the identity token is not a JWT")
	}
	claims, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", fmt.Errorf("the identity token is not a JWT: %w", err)
	}
	return oauthflow.SubjectFromUnverifiedToken(claims)
}
