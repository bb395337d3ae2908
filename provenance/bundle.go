package provenance

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/rekor/pkg/tle"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sonicsaas/sonic-release/sign"
)

// BundleMediaType is the sigstore bundle version written: v0.3, the one
// GitHub's attestations API and `gh attestation verify` take.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// Bundle is the sigstore bundle (JSON) of a signed envelope: the DSSE
// envelope, the keyless certificate (or a hint of the public key), the
// RFC 3161 timestamp over the signature and the Rekor entry, when there
// are.
func Bundle(e *sign.Envelope) ([]byte, error) {
	vm := &protobundle.VerificationMaterial{}
	switch {
	case e.Cert != nil:
		blk, _ := pem.Decode(e.Cert)
		if blk == nil {
			return nil, errors.New("the signing certificate is not PEM")
		}
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: blk.Bytes}}
	default:
		der, err := cryptoutils.MarshalPublicKeyToDER(e.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("the signer's public key: %w", err)
		}
		h := sha256.Sum256(der)
		vm.Content = &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: base64.StdEncoding.EncodeToString(h[:])}}
	}
	if e.TimestampSignature != nil {
		vm.TimestampVerificationData = &protobundle.TimestampVerificationData{
			Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: e.TimestampSignature}},
		}
	}
	if e.Rekor != nil {
		entry, err := tle.GenerateTransparencyLogEntry(*e.Rekor)
		if err != nil {
			return nil, fmt.Errorf("the Rekor entry of the attestation: %w", err)
		}
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{entry}
	}
	b := &protobundle.Bundle{
		MediaType:            BundleMediaType,
		VerificationMaterial: vm,
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     e.Payload,
			PayloadType: e.PayloadType,
			Signatures:  []*protodsse.Signature{{Sig: e.Signature}},
		}},
	}
	return protojson.Marshal(b)
}
