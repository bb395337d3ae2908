package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
)

// TestVerifyAfterCertificateExpiry checks that a keyless signature keeps
// verifying after its certificate expired because of its RFC 3161
// timestamp, and that one without a timestamp is then refused. Fulcio's
// certificates live 10 minutes, so the certificate here comes from a test
// CA (in the trusted root like Fulcio's) and lives 3 seconds; the
// timestamp comes from the real timestamp authority.
func TestVerifyAfterCertificateExpiry(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	tsa := sigstoretest.StartTSA(t)
	const subject = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"
	const issuer = "https://token.actions.githubusercontent.com"

	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test fulcio"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)

	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	san, _ := url.Parse(subject)
	issuerV2, _ := asn1.Marshal(issuer)
	notAfter := time.Now().Add(3 * time.Second)
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2), NotBefore: time.Now().Add(-time.Minute), NotAfter: notAfter,
		URIs: []*url.URL{san}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, Value: []byte(issuer)},
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, Value: issuerV2},
		},
	}, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	leafPEM, _ := cryptoutils.MarshalCertificateToPEM(leaf)
	caPEM, _ := cryptoutils.MarshalCertificateToPEM(ca)
	sv, _ := signature.LoadECDSASignerVerifier(leafKey, crypto.SHA256)

	n := len(tsa.Chain)
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{&root.FulcioCertificateAuthority{Root: ca, ValidityPeriodStart: time.Now().Add(-time.Hour)}}, nil,
		[]root.TimestampingAuthority{&root.SigstoreTimestampingAuthority{Leaf: tsa.Chain[0], Intermediates: tsa.Chain[1 : n-1], Root: tsa.Chain[n-1], ValidityPeriodStart: time.Now().Add(-time.Hour)}}, nil)
	if err != nil {
		t.Fatal(err)
	}

	// signAndPush signs d with the short-lived certificate, with or
	// without a timestamp.
	signAndPush := func(d name.Digest, withTimestamp bool) {
		payload, err := (&sigpayload.Cosign{Image: d}).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := sv.SignMessage(bytes.NewReader(payload))
		if err != nil {
			t.Fatal(err)
		}
		opts := []static.Option{static.WithCertChain(leafPEM, caPEM)}
		if withTimestamp {
			resp, err := timestampSignature(ctx, http.DefaultClient, tsa.URL, raw)
			if err != nil {
				t.Fatal(err)
			}
			opts = append(opts, static.WithRFC3161Timestamp(bundle.TimestampToRFC3161Timestamp(resp)))
		}
		sig, err := static.NewSignature(payload, base64.StdEncoding.EncodeToString(raw), opts...)
		if err != nil {
			t.Fatal(err)
		}
		se, err := ociremote.SignedEntity(d)
		if err != nil {
			t.Fatal(err)
		}
		se, err = mutate.AttachSignatureToEntity(se, sig)
		if err != nil {
			t.Fatal(err)
		}
		if err := ociremote.WriteSignatures(d.Repository, se); err != nil {
			t.Fatal(err)
		}
	}
	stamped := sigstoretest.PushImage(t, host, "acme/app", "stamped")
	bare := sigstoretest.PushImage(t, host, "acme/app", "bare")
	signAndPush(stamped, true)
	signAndPush(bare, false)

	verify := func(d name.Digest) (Result, error) {
		return Verify(ctx, d.String(), WithTrustedMaterial(tr), WithIgnoreSCT(true), WithRequireTransparencyLog(false),
			WithIdentity(Identity{Subject: subject, Issuer: issuer}))
	}
	// While the certificate is valid, the bare signature is still refused:
	// it would break in a few minutes.
	if _, err := verify(bare); err == nil {
		t.Error("a keyless signature without a timestamp was accepted")
	}
	time.Sleep(time.Until(notAfter) + 1500*time.Millisecond)
	if time.Now().Before(leaf.NotAfter.Add(time.Second)) {
		t.Fatal("the certificate has not expired yet")
	}
	res, err := verify(stamped)
	if err != nil {
		t.Fatalf("after expiry, with a timestamp: %v", err)
	}
	at := res.Manifests[0].Signatures[0].SignedAt
	if at == nil || at.Before(leaf.NotBefore) || at.After(leaf.NotAfter) {
		t.Errorf("timestamp %v, want inside the certificate's validity %v–%v", at, leaf.NotBefore, leaf.NotAfter)
	}
	// The cosign CLI agrees.
	js, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	trPath := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(trPath, js, 0o644); err != nil {
		t.Fatal(err)
	}
	cosignArgs := []string{"verify", "--trusted-root", trPath, "--certificate-identity", subject, "--certificate-oidc-issuer", issuer,
		"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct"}
	if out, err := sigstoretest.Cosign(t, nil, append(cosignArgs, stamped.String())...); err != nil {
		t.Errorf("cosign verify after expiry, with a timestamp: %v\n%s", err, out)
	}
	if out, err := sigstoretest.Cosign(t, nil, append(cosignArgs, bare.String())...); err == nil {
		t.Errorf("cosign verify after expiry, without a timestamp: accepted\n%s", out)
	}
	if _, err := verify(bare); err == nil {
		t.Error("after expiry, without a timestamp: accepted")
	} else {
		t.Logf("without a timestamp: %v", err)
	}
}
