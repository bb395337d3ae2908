package sign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/sigstore/cosign/v2/pkg/cosign"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	rekorclient "github.com/sigstore/rekor/pkg/client"
	"github.com/sigstore/rekor/pkg/generated/models"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/encoding/protojson"
)

// BlobBundleSuffix is what the name of a blob's signature bundle adds to
// the blob's: SHA256SUMS.sigstore.json.
const BlobBundleSuffix = ".sigstore.json"

// SignBlob signs blob (a file such as SHA256SUMS) with the signer's key
// or keyless certificate and returns its Sigstore bundle (JSON, bundle
// v0.3): what `cosign sign-blob --new-bundle-format --bundle FILE` writes.
// It holds the signature over the blob's SHA-256 digest, the certificate
// (keyless) or the key's hint, the RFC 3161 timestamp
// (WithTimestampAuthority) and the Rekor entry (WithRekor), so that
// `cosign verify-blob --bundle FILE BLOB` (v2.6 and v3) checks it with
// nothing else from the network than the trusted root.
func (s *Signer) SignBlob(ctx context.Context, blob []byte) ([]byte, error) {
	if s.c.tokens != nil {
		if err := s.certificate(ctx); err != nil {
			return nil, err
		}
	}
	raw, err := s.sv.SignMessage(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("signing the blob: %w", err)
	}
	var hint string
	var rawCert []byte
	s.mu.Lock()
	certPEM := s.cert
	s.mu.Unlock()
	if certPEM != nil {
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM(certPEM)
		if err != nil || len(certs) == 0 {
			return nil, fmt.Errorf("reading the signing certificate: %v", err)
		}
		rawCert = certs[0].Raw
	} else {
		pub, err := s.sv.PublicKey()
		if err != nil {
			return nil, err
		}
		if hint, err = keyHint(pub); err != nil {
			return nil, err
		}
	}
	var ts []byte
	if s.c.tsaURL != "" {
		if ts, err = timestampSignature(ctx, s.c.HTTP, s.c.tsaURL, raw); err != nil {
			return nil, err
		}
	}
	var entry *models.LogEntryAnon
	if s.c.rekorURL != "" {
		if entry, err = s.tlogEntry(ctx, blob, raw); err != nil {
			return nil, err
		}
	}
	b, err := cbundle.MakeProtobufBundle(hint, rawCert, entry, ts)
	if err != nil {
		return nil, fmt.Errorf("making the bundle: %w", err)
	}
	digest := sha256.Sum256(blob)
	b.Content = &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
		MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: digest[:]},
		Signature:     raw,
	}}
	out, err := protojson.Marshal(b)
	if err != nil {
		return nil, err
	}
	// Check our own bundle before it is published, as for an image: the
	// certificate chains to the trusted Fulcio CA, the timestamp to the
	// trusted TSA, the Rekor entry to the log. A key without trusted
	// material has nothing to check against but itself.
	if s.c.trusted != nil {
		co, err := s.checkOpts()
		if err != nil {
			return nil, err
		}
		var sb sgbundle.Bundle
		if err := sb.UnmarshalJSON(out); err != nil {
			return nil, fmt.Errorf("reading the new bundle: %w", err)
		}
		if _, err := cosign.VerifyNewBundle(ctx, co, sgverify.WithArtifact(bytes.NewReader(blob)), &sb); err != nil {
			return nil, fmt.Errorf("the new blob signature does not verify against the trusted material: %w", err)
		}
	}
	s.c.Log.Info("signed a blob", "sha256", fmt.Sprintf("%x", digest), "keyless", s.c.tokens != nil, "timestamp", len(ts) > 0, "rekor", entry != nil)
	return out, nil
}

// tlogEntry records the signature raw of payload in Rekor (a hashedrekord
// entry) and returns the entry with its inclusion proof.
func (s *Signer) tlogEntry(ctx context.Context, payload, raw []byte) (*models.LogEntryAnon, error) {
	rc, err := rekorclient.GetRekorClient(s.c.rekorURL, rekorclient.WithUserAgent("sonic-release"))
	if err != nil {
		return nil, fmt.Errorf("Rekor URL %q: %w", s.c.rekorURL, err)
	}
	s.mu.Lock()
	signer := s.cert
	s.mu.Unlock()
	if signer == nil {
		pub, err := s.sv.PublicKey()
		if err != nil {
			return nil, err
		}
		if signer, err = cryptoutils.MarshalPublicKeyToPEM(pub); err != nil {
			return nil, err
		}
	}
	h := sha256.New()
	h.Write(payload)
	entry, err := cosign.TLogUpload(ctx, rc, raw, h, signer)
	if err != nil {
		return nil, fmt.Errorf("uploading the signature to Rekor %s: %w", s.c.rekorURL, err)
	}
	if entry == nil || entry.LogIndex == nil {
		return nil, errors.New("Rekor returned no entry")
	}
	s.c.Log.Info("recorded in the transparency log", "rekor", s.c.rekorURL, "index", *entry.LogIndex)
	return entry, nil
}
