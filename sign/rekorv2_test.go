package sign_test

import (
	"context"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestRekorV2 signs keyless with a timestamp into a Rekor v2 log
// (rekor-tiles on loopback) through sigstore-go; cosign v3.1.3 (and v2.6.5
// with --new-bundle-format) verifies the bundle with the transparency log
// required (inclusion proof and signed
// checkpoint, offline against the trusted root), and refuses it when the
// trusted root lacks the log's key.
func TestRekorV2(t *testing.T) {
	ctx := context.Background()
	k := startKeyless(t)
	rekor := sigstoretest.StartRekorV2(t)
	tr, trPath := sigstoretest.TrustedRoot(t, k.fulcio, k.tsa, rekor)
	identity := k.is.Identity("")

	idx, platforms, _ := sigstoretest.PushIndex(t, k.host, "acme/app", "v1.2.3")
	s, err := sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: k.is.ActionsURL, RequestToken: k.is.ActionsRequestToken}, k.fulcio.URL),
		sign.WithTimestampAuthority(k.tsa.URL), sign.WithRekor(rekor.URL), sign.WithRekorV2(true), sign.WithTrustedMaterial(tr),
		sign.WithAnnotations(testAnnotations), sign.WithSignatureFormat(sign.FormatBoth))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, idx); err != nil {
		t.Fatal(err)
	}
	verify := []string{"verify", "--trusted-root", trPath, "--certificate-identity", identity, "--certificate-oidc-issuer", k.is.URL,
		"--insecure-ignore-sct", "--use-signed-timestamps", "-a", "org.opencontainers.image.version=1.2.3"}
	for _, d := range append(platforms, idx) {
		if out, err := sigstoretest.Cosign3(t, nil, append(verify, d.String())...); err != nil {
			t.Fatalf("cosign v3 verify %s with the Rekor v2 entry: %v\n%s", d, err, out)
		}
	}
	// cosign v2.6.5 too (sigstore-go v1.1.4 inside verifies the entry).
	if out, err := sigstoretest.Cosign(t, nil, append(append(verify, "--new-bundle-format"), idx.String())...); err != nil {
		t.Fatalf("cosign v2 verify --new-bundle-format with the Rekor v2 entry: %v\n%s", err, out)
	}
	_, trNoRekor := sigstoretest.TrustedRoot(t, k.fulcio, k.tsa)
	noRekor := append([]string{}, verify...)
	noRekor[2] = trNoRekor
	if out, err := sigstoretest.Cosign3(t, nil, append(noRekor, idx.String())...); err == nil {
		t.Fatalf("cosign v3 verified without the Rekor v2 key in the trusted root:\n%s", out)
	}

	// Ours: the bundle with its verified log entry; the legacy signature
	// (timestamp only: a Rekor v2 log holds no legacy entry) is refused
	// when the log is required.
	res, err := sign.Verify(ctx, idx.String(), sign.WithTrustedMaterial(tr), sign.WithIgnoreSCT(true),
		sign.WithIdentity(sign.Identity{Subject: identity, Issuer: k.is.URL}))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Manifests {
		if len(m.Signatures) != 1 || m.Signatures[0].Format != "bundle" || m.Signatures[0].LogIndex == nil || m.Signatures[0].SignedAt == nil {
			t.Errorf("%s: signatures %+v, want one bundle with a log entry and a timestamp", m.Digest, m.Signatures)
		}
	}
	if _, err := sign.Verify(ctx, idx.String(), sign.WithTrustedMaterial(tr), sign.WithIgnoreSCT(true), sign.WithSignatureFormat(sign.FormatLegacy),
		sign.WithIdentity(sign.Identity{Subject: identity, Issuer: k.is.URL})); !isRefused(err) {
		t.Errorf("legacy signature with the log required: err = %v, want a refusal", err)
	}
	// A re-run adds nothing.
	if err := s.Sign(ctx, idx); err != nil {
		t.Fatal(err)
	}
	if n := referrerCount(t, idx); n != 1 {
		t.Errorf("%d bundles after a re-run, want 1", n)
	}

	// Rekor v2 gives no timestamp of its own: without a TSA, refused.
	if _, err := sign.New(sign.WithKeyless(sign.StaticToken(k.is.Token(nil)), k.fulcio.URL), sign.WithRekor(rekor.URL), sign.WithRekorV2(true),
		sign.WithTrustedMaterial(tr), sign.WithSignatureFormat(sign.FormatBundle)); err == nil {
		t.Error("Rekor v2 without a timestamp authority was accepted")
	}
	// Nor in the legacy format (the default): nothing would be logged.
	if _, err := sign.New(sign.WithKeyless(sign.StaticToken(k.is.Token(nil)), k.fulcio.URL), sign.WithRekor(rekor.URL), sign.WithRekorV2(true),
		sign.WithTimestampAuthority(k.tsa.URL), sign.WithTrustedMaterial(tr)); err == nil {
		t.Error("Rekor v2 with the legacy format only was accepted")
	}
}
