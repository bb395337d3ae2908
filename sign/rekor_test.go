package sign_test

import (
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestRekor signs keyless and with a key, with a timestamp and a Rekor v1
// entry, as cosign v2 does by default; the cosign CLI verifies with the
// transparency log on (no --insecure-ignore-tlog), offline against the
// trusted root.
func TestRekor(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	is := sigstoretest.NewIssuer(t)
	fulcio := sigstoretest.StartFulcio(t, is)
	tsa := sigstoretest.StartTSA(t) // before Rekor: both want :2112
	rekor := sigstoretest.StartRekor(t)
	tr, trPath := sigstoretest.TrustedRoot(t, fulcio, tsa, rekor)
	trNoRekor, _ := sigstoretest.TrustedRoot(t, fulcio, tsa)
	identity := is.Identity("refs/tags/v1.2.3")

	idx, platforms, _ := sigstoretest.PushIndex(t, host, "acme/app", "v1.2.3")
	s, err := sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
		sign.WithTimestampAuthority(tsa.URL), sign.WithRekor(rekor.URL), sign.WithTrustedMaterial(tr))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, idx); err != nil {
		t.Fatal(err)
	}
	for _, d := range append([]name.Digest{idx}, platforms...) {
		if out, err := sigstoretest.Cosign(t, nil, "verify", "--trusted-root", trPath, "--offline",
			"--certificate-identity", identity, "--certificate-oidc-issuer", is.URL,
			"--insecure-ignore-sct", d.String()); err != nil {
			t.Fatalf("cosign verify %s with the tlog: %v\n%s", d, err, out)
		}
	}
	if out, err := sigstoretest.Cosign3(t, nil, "verify", "--trusted-root", trPath, "--offline",
		"--certificate-identity", identity, "--certificate-oidc-issuer", is.URL,
		"--insecure-ignore-sct", idx.String()); err != nil {
		t.Fatalf("cosign v3 verify with the tlog: %v\n%s", err, out)
	}
	res, err := sign.Verify(ctx, idx.String(), sign.WithTrustedMaterial(tr), sign.WithIgnoreSCT(true),
		sign.WithIdentity(sign.Identity{Subject: identity, Issuer: is.URL}))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Manifests {
		sg := m.Signatures[0]
		if sg.LogIndex == nil || sg.LoggedAt == nil || sg.SignedAt == nil {
			t.Errorf("%s: signature %+v, want a Rekor entry and a timestamp", m.Digest, sg)
		}
	}
	// A re-run (a new certificate) adds nothing.
	s2, err := sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
		sign.WithTimestampAuthority(tsa.URL), sign.WithRekor(rekor.URL), sign.WithTrustedMaterial(tr))
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Sign(ctx, idx); err != nil {
		t.Fatal(err)
	}
	if n := sigLayers(t, idx); n != 1 {
		t.Errorf("%d signatures after a re-run, want 1", n)
	}
	// Without the Rekor key in the trusted root, the entry cannot be
	// checked: refused.
	if _, err := sign.Verify(ctx, idx.String(), sign.WithTrustedMaterial(trNoRekor), sign.WithIgnoreSCT(true),
		sign.WithIdentity(sign.Identity{Subject: identity, Issuer: is.URL})); !isRefused(err) {
		t.Errorf("trusted root without the Rekor key: err = %v, want a refusal", err)
	}

	// TSA-only signatures lack the entry the default verification needs.
	plain := sigstoretest.PushImage(t, host, "acme/app", "plain")
	s3, err := sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
		sign.WithTimestampAuthority(tsa.URL), sign.WithTrustedMaterial(tr))
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.Sign(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if _, err := sign.Verify(ctx, plain.String(), sign.WithTrustedMaterial(tr), sign.WithIgnoreSCT(true),
		sign.WithIdentity(sign.Identity{Subject: identity, Issuer: is.URL})); !isRefused(err) {
		t.Errorf("no Rekor entry, tlog required: err = %v, want a refusal", err)
	}

	// Key-based, Rekor only.
	keyed := sigstoretest.PushImage(t, host, "acme/app", "keyed")
	priv, pub, _, pubPath := sigstoretest.KeyPair(t)
	ks, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithRekor(rekor.URL), sign.WithTrustedMaterial(tr))
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.Sign(ctx, keyed); err != nil {
		t.Fatal(err)
	}
	if out, err := sigstoretest.Cosign(t, nil, "verify", "--key", pubPath, "--trusted-root", trPath, "--offline", keyed.String()); err != nil {
		t.Fatalf("cosign verify --key with the tlog: %v\n%s", err, out)
	}
	if _, err := sign.Verify(ctx, keyed.String(), sign.WithPublicKey(pub), sign.WithTrustedMaterial(tr)); err != nil {
		t.Errorf("key with the tlog: %v", err)
	}
}
