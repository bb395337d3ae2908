package provenance_test

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/provenance"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestAttestRekor records the keyless attestation in a loopback Rekor v1
// (as the CLI does by default): cosign v3 verifies the registry's
// attestation with its transparency-log entry required, and the bundle's
// entry verifies with sigstore-go.
func TestAttestRekor(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	is := sigstoretest.NewIssuer(t)
	fulcio := sigstoretest.StartFulcio(t, is)
	tsa := sigstoretest.StartTSA(t)
	rekor := sigstoretest.StartRekor(t)
	tr, trPath := sigstoretest.TrustedRoot(t, fulcio, tsa, rekor)
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.3")
	s, err := sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
		sign.WithTimestampAuthority(tsa.URL), sign.WithRekor(rekor.URL), sign.WithTrustedMaterial(tr))
	if err != nil {
		t.Fatal(err)
	}
	res, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sigstoretest.Cosign3(t, nil, "verify-attestation", "--type", "slsaprovenance1", "--trusted-root", trPath,
		"--certificate-identity", is.Identity("refs/tags/v1.2.3"), "--certificate-oidc-issuer", is.URL,
		"--insecure-ignore-sct", d.String())
	if err != nil {
		t.Fatalf("cosign v3.1.3 verify-attestation (transparency log required): %v\n%s", err, out)
	}

	// A re-run finds its attestation, the Rekor entry checked offline.
	if again, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s); err != nil || len(again.Present) != 1 {
		t.Fatalf("re-run: attached %v, present %v, %v", again.Attached, again.Present, err)
	}

	var b bundle.Bundle
	if err := b.UnmarshalJSON(res.Bundle); err != nil {
		t.Fatal(err)
	}
	v, err := verify.NewVerifier(tr, verify.WithTransparencyLog(1), verify.WithSignedTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	id, err := verify.NewShortCertificateIdentity(is.URL, "", "", `^https://github\.com/acme/app/`)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := hex.DecodeString(strings.TrimPrefix(d.DigestStr(), "sha256:"))
	if _, err := v.Verify(&b, verify.NewPolicy(verify.WithArtifactDigest("sha256", h), verify.WithCertificateIdentity(id))); err != nil {
		t.Fatalf("sigstore-go refuses the bundle's Rekor entry: %v", err)
	}
}
