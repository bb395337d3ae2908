package sign

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	rekorclient "github.com/sigstore/rekor/pkg/client"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// Envelope is a DSSE envelope signed by a Signer (an in-toto attestation),
// with what a verifier needs next to it.
type Envelope struct {
	// JSON is the envelope: {"payloadType", "payload", "signatures"}.
	JSON []byte
	// PayloadType and Payload are what was signed (over DSSE's PAE).
	PayloadType string
	Payload     []byte
	// Signature is the raw signature over PAE(PayloadType, Payload).
	Signature []byte
	// Cert and Chain are the keyless signer's Fulcio certificate and its
	// chain (PEM); nil when signed with a key.
	Cert, Chain []byte
	// PublicKey is the signer's public key.
	PublicKey crypto.PublicKey
	// TimestampSignature is an RFC 3161 timestamp over Signature (what a
	// sigstore bundle carries), TimestampEnvelope one over JSON (what
	// cosign's attestation layer carries); nil without
	// WithTimestampAuthority.
	TimestampSignature, TimestampEnvelope []byte
	// Rekor is the transparency-log entry of the envelope (a dsse
	// entry: cosign reads it in the .att layout, sigstore-go in a
	// bundle, which takes no intoto v0.0.1 entry), nil without WithRekor.
	Rekor *models.LogEntryAnon
}

// SignDSSE signs payload as a DSSE envelope of payloadType
// ("application/vnd.in-toto+json" for an in-toto statement) with the
// signer's key or keyless certificate, timestamps it and records it in
// Rekor as the signer is configured to. It pushes nothing.
func (s *Signer) SignDSSE(ctx context.Context, payloadType string, payload []byte) (*Envelope, error) {
	if payloadType == "" || len(payload) == 0 {
		return nil, badInput(errors.New("a DSSE envelope needs a payload type and a payload"))
	}
	if s.c.tokens != nil {
		if err := s.certificate(ctx); err != nil {
			return nil, err
		}
	}
	raw, err := s.sv.SignMessage(bytes.NewReader(dsse.PAE(payloadType, payload)))
	if err != nil {
		return nil, fmt.Errorf("signing the envelope: %w", err)
	}
	env, err := json.Marshal(dsse.Envelope{
		PayloadType: payloadType,
		Payload:     base64.StdEncoding.EncodeToString(payload),
		Signatures:  []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(raw)}},
	})
	if err != nil {
		return nil, err
	}
	pub, err := s.sv.PublicKey()
	if err != nil {
		return nil, err
	}
	e := &Envelope{JSON: env, PayloadType: payloadType, Payload: payload, Signature: raw, PublicKey: pub}
	s.mu.Lock()
	e.Cert, e.Chain = s.cert, s.chain
	s.mu.Unlock()
	if s.c.tsaURL != "" {
		if e.TimestampSignature, err = timestampSignature(ctx, s.c.HTTP, s.c.tsaURL, raw); err != nil {
			return nil, err
		}
		if e.TimestampEnvelope, err = timestampSignature(ctx, s.c.HTTP, s.c.tsaURL, env); err != nil {
			return nil, err
		}
	}
	if s.c.rekorURL != "" {
		rc, err := rekorclient.GetRekorClient(s.c.rekorURL, rekorclient.WithUserAgent("sonic-release"))
		if err != nil {
			return nil, fmt.Errorf("Rekor URL %q: %w", s.c.rekorURL, err)
		}
		signer := e.Cert
		if signer == nil {
			if signer, err = cryptoutils.MarshalPublicKeyToPEM(pub); err != nil {
				return nil, err
			}
		}
		if e.Rekor, err = cosign.TLogUploadDSSEEnvelope(ctx, rc, env, signer); err != nil {
			return nil, fmt.Errorf("uploading the attestation to Rekor %s: %w", s.c.rekorURL, err)
		}
		s.c.Log.Info("attestation recorded in the transparency log", "rekor", s.c.rekorURL, "index", *e.Rekor.LogIndex)
	}
	return e, nil
}

// OwnAttestations returns the payloads (DSSE envelopes) of the attestations
// of the image d, in cosign's .att layout (atts: oci.SignedEntity's
// Attestations), that this signer made and that verify against its key,
// or its keyless identity and the trusted material: what a re-run may
// count as already done. A keyless signer gets its certificate first.
func (s *Signer) OwnAttestations(ctx context.Context, d name.Digest, atts oci.Signatures) ([][]byte, error) {
	h, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return nil, err
	}
	if s.c.tokens != nil {
		if err := s.certificate(ctx); err != nil {
			return nil, err
		}
	}
	co, err := s.checkOpts()
	if err != nil {
		return nil, err
	}
	// The payload is an in-toto statement about d, not a cosign payload.
	co.ClaimVerifier = cosign.IntotoSubjectClaimVerifier
	list, err := atts.Get()
	if err != nil {
		return nil, fmt.Errorf("reading the attestations of %s: %w", d, err)
	}
	for i, a := range list {
		list[i] = envelopeCopy(a)
	}
	checked, _, err := cosign.VerifyImageAttestation(ctx, listedSignatures{atts, list}, h, co)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, nil // none of this signer's
	}
	var out [][]byte
	for _, a := range checked {
		if p, err := a.Payload(); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// EnvelopeAnnotation carries, on a layer of cosign's .att manifest, a
// copy of the layer itself (the DSSE envelope JSON), as provenance
// writes it: a re-run checks its attestations from the manifest it reads
// anyway. The copy is used only when it hashes to the layer's digest, so
// it is byte for byte what cosign downloads. It is our own key: cosign
// ignores it.
const EnvelopeAnnotation = "dev.sonicsaas.envelope"

// envelopeCopy is a with its payload from EnvelopeAnnotation when that is
// the layer itself, else a as it is (its payload downloaded when read).
func envelopeCopy(a oci.Signature) oci.Signature {
	ann, err := a.Annotations()
	if err != nil || ann[EnvelopeAnnotation] == "" {
		return a
	}
	copied := []byte(ann[EnvelopeAnnotation])
	h, _, err := v1.SHA256(bytes.NewReader(copied))
	if dg, derr := a.Digest(); err != nil || derr != nil || h != dg {
		return a
	}
	return knownPayload{a, copied}
}

// listedSignatures is sigs whose Get returns list (the same signatures,
// some with their payload known).
type listedSignatures struct {
	oci.Signatures
	list []oci.Signature
}

func (l listedSignatures) Get() ([]oci.Signature, error) { return l.list, nil }

// AttachAttestation adds att to the attestations of d in cosign's .att
// layout (what ociremote.WriteAttestations writes: the attestations there
// plus att), through the signer's registry access: one read of the .att
// tag, att's layer and the new config in one or two requests each
// (WithRegistryTransport), then the manifest. ropts are the caller's
// registry options (its credentials); the signer's own come after them.
func (s *Signer) AttachAttestation(ctx context.Context, d name.Digest, att oci.Signature, ropts ...remote.Option) error {
	more, err := s.c.registryOpts(ctx, d.Registry)
	if err != nil {
		return err
	}
	ropts = append(slices.Clip(ropts), more...)
	tag, existing, err := signatureImage(d, ropts, ociremote.AttestationTag)
	if err != nil {
		return fmt.Errorf("reading the attestations of %s: %w", d, err)
	}
	atts, err := mutate.AppendSignatures(existing, false, att)
	if err != nil {
		return err
	}
	tr, err := s.c.registryTransport(ctx, d.Registry)
	if err != nil {
		return err
	}
	return writeSignatures(ctx, tag, att, atts, ropts, tr)
}

// OwnBundles returns the payloads (in-toto statements) of the DSSE
// Sigstore bundles that refer to the image d (by the referrers API or the
// fallback tag, read with ropts) that this signer made and that verify
// against its key, or its keyless identity and the trusted material:
// the bundle-format counterpart of OwnAttestations, what a re-run may
// count as already done. A keyless signer gets its certificate first.
func (s *Signer) OwnBundles(ctx context.Context, d name.Digest, ropts ...remote.Option) ([][]byte, error) {
	if s.c.tokens != nil {
		if err := s.certificate(ctx); err != nil {
			return nil, err
		}
	}
	vc, err := s.bundleCheck()
	if err != nil {
		return nil, err
	}
	// The signer's registry access too (WithRegistryOptions,
	// WithRegistryTransport): its ping, token and referrers API answer.
	more, err := s.c.registryOpts(ctx, d.Registry)
	if err != nil {
		return nil, err
	}
	tr, err := s.c.registryTransport(ctx, d.Registry)
	if err != nil {
		return nil, err
	}
	found, err := listBundles(ctx, d, append(append(slices.Clip(ropts), more...), remote.WithContext(ctx)), true, &s.refs, tr)
	if err != nil {
		return nil, fmt.Errorf("reading the bundles of %s: %w", d, err)
	}
	var out [][]byte
	for _, f := range found {
		if _, err := vc.verifySigned(f.bundle, d); err != nil {
			continue // another signer's, or not valid: not ours to count
		}
		if env := f.bundle.GetDsseEnvelope(); env != nil {
			out = append(out, env.GetPayload())
		}
	}
	return out, nil
}
