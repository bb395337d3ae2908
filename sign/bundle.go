package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	intoto "github.com/in-toto/attestation/go/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	sigopts "github.com/sigstore/sigstore/pkg/signature/options"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// The bundle format, as cosign v3 writes it for `cosign sign`.
const (
	// BundleMediaType is the media type of a Sigstore bundle v0.3, the
	// referrer manifest's artifactType and its one layer's media type.
	BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// SignPredicateType is the predicate type of the in-toto statement
	// cosign v3 signs for an image signature (the predicate is empty; the
	// annotations are on the statement's subject).
	SignPredicateType = "https://sigstore.dev/cosign/sign/v1"
	intotoPayloadType = "application/vnd.in-toto+json"
)

// statement is the in-toto statement a bundle signs for d, with the
// signature annotations on its subject, as `cosign sign` v3 makes it.
func statement(d name.Digest, ann map[string]string) ([]byte, error) {
	alg, hex, ok := strings.Cut(d.DigestStr(), ":")
	if !ok {
		return nil, fmt.Errorf("digest %q has no algorithm", d.DigestStr())
	}
	sub := &intoto.ResourceDescriptor{Digest: map[string]string{alg: hex}}
	if len(ann) > 0 {
		m := map[string]any{}
		for k, v := range ann {
			m[k] = v
		}
		st, err := structpb.NewStruct(m)
		if err != nil {
			return nil, err
		}
		sub.Annotations = st
	}
	return protojson.Marshal(&intoto.Statement{
		Type:          intoto.StatementTypeUri,
		Subject:       []*intoto.ResourceDescriptor{sub},
		PredicateType: SignPredicateType,
		Predicate:     &structpb.Struct{},
	})
}

// statementAnnotations are the subject annotations of a signed statement
// for d, as a cosign payload (sigpayload.Cosign JSON) so that claims can
// compare them with a legacy payload; ok is false when the statement is
// not an image signature of d.
func statementAnnotations(st *intoto.Statement, d name.Digest) (payload []byte, ann map[string]string, ok bool) {
	if st == nil || st.GetPredicateType() != SignPredicateType || len(st.GetSubject()) != 1 {
		return nil, nil, false
	}
	alg, hex, _ := strings.Cut(d.DigestStr(), ":")
	sub := st.GetSubject()[0]
	if sub.GetDigest()[alg] != hex {
		return nil, nil, false
	}
	var anyAnn map[string]any
	if a := sub.GetAnnotations(); a != nil && len(a.GetFields()) > 0 {
		anyAnn = a.AsMap()
		ann = map[string]string{}
		for k, v := range anyAnn {
			ann[k] = fmt.Sprint(v)
		}
	}
	p, err := (&sigpayload.Cosign{Image: d, Annotations: anyAnn}).MarshalJSON()
	if err != nil {
		return nil, nil, false
	}
	return p, ann, true
}

// signBundle signs d in the bundle format and pushes the bundle as a
// referrer of d, unless a bundle from this signer already claims what
// this one would (see SignAnnotated).
func (s *Signer) signBundle(ctx context.Context, t target, extra map[string]string) error {
	d := t.digest
	log := s.c.Log.With("digest", d.String(), "format", FormatBundle)
	if s.c.tokens != nil {
		if err := s.certificate(ctx); err != nil {
			return err
		}
	}
	ann := map[string]string{}
	for _, m := range []map[string]string{s.c.annotations, extra} {
		for k, v := range m {
			ann[k] = v
		}
	}
	payload, err := s.payload(d, extra)
	if err != nil {
		return err
	}
	vc, err := s.bundleCheck()
	if err != nil {
		return err
	}
	// The run's registry access (its ping, token and connections).
	ropts, err := s.c.registryOpts(ctx, d.Registry)
	if err != nil {
		return err
	}
	tr, err := s.c.registryTransport(ctx, d.Registry)
	if err != nil {
		return err
	}
	found, err := listBundles(ctx, d, ropts, true, &s.refs, tr)
	if err != nil {
		return fmt.Errorf("reading existing bundles: %w", err)
	}
	for _, old := range found {
		_, st, err := vc.verify(old.bundle, d)
		if err != nil {
			continue // another signer's, or not valid: not ours to count
		}
		oldPayload, _, ok := statementAnnotations(st, d)
		if !ok {
			continue
		}
		same, differs := bytes.Equal(oldPayload, payload), []string(nil)
		if !same {
			if same, differs = claims(oldPayload, payload, extra); !same {
				continue
			}
		}
		if len(differs) > 0 {
			log.Warn("a bundle from this signer is already there with other values; it is left as it is (the first claim stands)",
				"differs", strings.Join(differs, "; "), "referrer", old.manifest.String())
		} else {
			log.Info("already signed, nothing to add", "referrer", old.manifest.String())
		}
		return nil
	}

	st, err := statement(d, ann)
	if err != nil {
		return err
	}
	kp, err := newKeypair(s.sv)
	if err != nil {
		return err
	}
	opts := sgsign.BundleOptions{Context: ctx}
	if s.c.tokens != nil {
		s.mu.Lock()
		cert := s.cert
		s.mu.Unlock()
		opts.CertificateProvider = fixedCert(cert)
	}
	if s.c.tsaURL != "" {
		opts.TimestampAuthorities = append(opts.TimestampAuthorities, sgsign.NewTimestampAuthority(&sgsign.TimestampAuthorityOptions{
			URL: s.c.tsaURL, Transport: s.c.HTTP.Transport, Retries: 2,
		}))
	}
	if s.c.rekorURL != "" {
		opts.TransparencyLogs = append(opts.TransparencyLogs, s.rekorForBundle())
	}
	pb, err := sgsign.Bundle(&sgsign.DSSEData{Data: st, PayloadType: intotoPayloadType}, kp, opts)
	if err != nil {
		return fmt.Errorf("signing the bundle: %w", err)
	}
	raw, err := protojson.Marshal(pb)
	if err != nil {
		return err
	}
	b, err := parseBundle(raw)
	if err != nil {
		return err
	}
	// Check our own bundle before it is published, as for the legacy one.
	if _, _, err := vc.verify(b, d); err != nil {
		return fmt.Errorf("the new bundle does not verify against the trusted material: %w", err)
	}
	bp := bundlePush{api: &s.refs, tr: tr, blobs: &s.blobs}
	if f, _ := s.c.signFormat(); f == FormatBoth && s.c.bgChecks {
		bp.later = s.later(ctx)
	}
	if t.desc.Digest != (v1.Hash{}) {
		bp.subject = &t.desc
	}
	ref, err := pushBundle(ctx, d, raw, SignPredicateType, s.c.Log, ropts, bp)
	if err != nil {
		return fmt.Errorf("pushing the bundle: %w", err)
	}
	log.Info("signed", "keyless", s.c.tokens != nil, "timestamp", s.c.tsaURL != "", "rekor", s.c.rekorURL != "", "referrer", ref.String())
	return nil
}

// PushBundle stores bundleJSON as a referrer of d like the package's
// PushBundle, through the signer's registry access (WithRegistryOptions,
// WithRegistryTransport) and what it knows already: whether the registry
// has the referrers API, the blobs it uploaded, and d's descriptor from a
// manifest WithKnownManifests gives (otherwise a HEAD). The check that
// the referrer stays listed runs before it returns, whatever
// WithBackgroundChecks says. Provenance uses it for its bundle. ropts are
// the caller's registry options (its credentials); the signer's own come
// after them.
func (s *Signer) PushBundle(ctx context.Context, d name.Digest, bundleJSON []byte, predicateType string, ropts ...remote.Option) (name.Digest, error) {
	more, err := s.c.registryOpts(ctx, d.Registry)
	if err != nil {
		return name.Digest{}, err
	}
	ropts = append(slices.Clip(ropts), more...)
	bp := bundlePush{api: &s.refs, blobs: &s.blobs}
	if bp.tr, err = s.c.registryTransport(ctx, d.Registry); err != nil {
		return name.Digest{}, err
	}
	if raw, mt, ok := knownManifest(d, s.c.known); ok {
		h, n, _ := v1.SHA256(bytes.NewReader(raw))
		bp.subject = &v1.Descriptor{MediaType: mt, Digest: h, Size: n}
	}
	return pushBundle(ctx, d, bundleJSON, predicateType, s.c.Log, ropts, bp)
}

// bundleCheck verifies a bundle by this signer: its key, or its
// certificate identity with the trusted material.
func (s *Signer) bundleCheck() (*bundleVerifier, error) {
	c := &config{trusted: s.c.trusted, ignoreSCT: true, ignoreTlog: s.c.rekorURL == "" || s.c.trusted == nil || len(s.c.trusted.RekorLogs()) == 0}
	if s.c.tokens == nil {
		pub, err := s.sv.PublicKey()
		if err != nil {
			return nil, err
		}
		if c.publicKey, err = cryptoutils.MarshalPublicKeyToPEM(pub); err != nil {
			return nil, err
		}
	} else {
		s.mu.Lock()
		id := s.id
		s.mu.Unlock()
		c.identities = []Identity{*id}
	}
	return c.bundleVerifier()
}

// fixedCert is the certificate provider of a Signer's Fulcio certificate
// (DER), which certificate() already obtained for the signing key.
type fixedCert []byte

func (f fixedCert) GetCertificate(context.Context, sgsign.Keypair, *sgsign.CertificateProviderOptions) ([]byte, error) {
	b, _ := pem.Decode(f)
	if b == nil {
		return nil, errors.New("no signing certificate")
	}
	return b.Bytes, nil
}

// keypair adapts a signature.SignerVerifier (the cosign key or the
// ephemeral keyless key) to sigstore-go's Keypair, as cosign v3 does: the
// hint is base64(sha256(DER public key)).
type keypair struct {
	sv     signature.SignerVerifier
	pub    crypto.PublicKey
	hint   []byte
	keyAlg string
	alg    signature.AlgorithmDetails
}

func newKeypair(sv signature.SignerVerifier) (*keypair, error) {
	pub, err := sv.PublicKey()
	if err != nil {
		return nil, err
	}
	hint, err := keyHint(pub)
	if err != nil {
		return nil, err
	}
	k := &keypair{sv: sv, pub: pub, hint: []byte(hint)}
	switch pub.(type) {
	case *ecdsa.PublicKey:
		k.keyAlg = "ECDSA"
	case *rsa.PublicKey:
		k.keyAlg = "RSA"
	case ed25519.PublicKey:
		k.keyAlg = "ED25519"
	default:
		return nil, fmt.Errorf("unsupported key type %T", pub)
	}
	if k.alg, err = signature.GetDefaultAlgorithmDetails(pub); err != nil {
		return nil, err
	}
	return k, nil
}

// keyHint is a public key's hint in a Sigstore bundle, as cosign writes
// it: base64(sha256(DER public key)).
func keyHint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

func (k *keypair) GetHashAlgorithm() protocommon.HashAlgorithm { return k.alg.GetProtoHashType() }
func (k *keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	return k.alg.GetSignatureAlgorithm()
}
func (k *keypair) GetHint() []byte                { return k.hint }
func (k *keypair) GetKeyAlgorithm() string        { return k.keyAlg }
func (k *keypair) GetPublicKey() crypto.PublicKey { return k.pub }
func (k *keypair) GetPublicKeyPem() (string, error) {
	b, err := cryptoutils.MarshalPublicKeyToPEM(k.pub)
	return string(b), err
}

func (k *keypair) SignData(ctx context.Context, data []byte) ([]byte, []byte, error) {
	opts := []signature.SignOption{sigopts.WithContext(ctx)}
	var digest []byte
	if h := k.alg.GetHashType(); h != 0 {
		hh := h.New()
		hh.Write(data)
		digest = hh.Sum(nil)
		opts = append(opts, sigopts.WithDigest(digest))
	}
	sig, err := k.sv.SignMessage(bytes.NewReader(data), opts...)
	if err != nil {
		return nil, nil, err
	}
	return sig, digest, nil
}
