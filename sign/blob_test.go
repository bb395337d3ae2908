package sign_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// writeBlob writes SHA256SUMS-like content and its bundle into a new
// directory and returns their paths.
func writeBlob(t *testing.T, blob, bundle []byte) (string, string) {
	t.Helper()
	dir := t.TempDir()
	bp, bundlePath := filepath.Join(dir, "SHA256SUMS"), filepath.Join(dir, "SHA256SUMS"+sign.BlobBundleSuffix)
	if err := os.WriteFile(bp, blob, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bundlePath, bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	return bp, bundlePath
}

var blob = []byte("0f343b0931126a20f133d67c2b018a3b3b7e0e6e0a5f3c5e5c4d0c8c0d2b1a0e  app_v1.2.3_linux-amd64.tar.gz\n")

func TestSignBlobWithKeyVerifiedByCosignCLI(t *testing.T) {
	priv, _, _, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SignBlob(context.Background(), blob)
	if err != nil {
		t.Fatal(err)
	}
	bp, bundlePath := writeBlob(t, blob, b)
	for name, cosign := range cosignCLIs {
		if out, err := cosign(t, nil, "verify-blob", "--key", pubPath, "--bundle", bundlePath,
			"--trusted-root", trPath, "--insecure-ignore-tlog", bp); err != nil {
			t.Fatalf("%s verify-blob: %v\n%s", name, err, out)
		}
	}
	// Another blob, or another key, fails.
	other, _ := writeBlob(t, append([]byte("x"), blob...), b)
	if out, err := sigstoretest.Cosign(t, nil, "verify-blob", "--key", pubPath, "--bundle", bundlePath,
		"--trusted-root", trPath, "--insecure-ignore-tlog", other); err == nil {
		t.Errorf("verify-blob accepted a changed blob:\n%s", out)
	}
	_, _, _, otherPub := sigstoretest.KeyPair(t)
	if out, err := sigstoretest.Cosign(t, nil, "verify-blob", "--key", otherPub, "--bundle", bundlePath,
		"--trusted-root", trPath, "--insecure-ignore-tlog", bp); err == nil {
		t.Errorf("verify-blob accepted another key:\n%s", out)
	}
}

// TestSignBlobKeyless signs keyless with a timestamp and a Rekor entry,
// as the release does by default; the cosign CLI verifies offline
// against the trusted root, with the transparency log on.
func TestSignBlobKeyless(t *testing.T) {
	ctx := context.Background()
	is := sigstoretest.NewIssuer(t)
	fulcio := sigstoretest.StartFulcio(t, is)
	tsa := sigstoretest.StartTSA(t) // before Rekor: both want :2112
	rekor := sigstoretest.StartRekor(t)
	tr, trPath := sigstoretest.TrustedRoot(t, fulcio, tsa, rekor)
	identity := is.Identity("refs/tags/v1.2.3")
	s, err := sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
		sign.WithTimestampAuthority(tsa.URL), sign.WithRekor(rekor.URL), sign.WithTrustedMaterial(tr))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	bp, bundlePath := writeBlob(t, blob, b)
	for name, cosign := range cosignCLIs {
		if out, err := cosign(t, nil, "verify-blob", "--bundle", bundlePath, "--trusted-root", trPath, "--offline",
			"--certificate-identity", identity, "--certificate-oidc-issuer", is.URL,
			"--insecure-ignore-sct", bp); err != nil {
			t.Fatalf("%s verify-blob: %v\n%s", name, err, out)
		}
	}
	if out, err := sigstoretest.Cosign(t, nil, "verify-blob", "--bundle", bundlePath, "--trusted-root", trPath, "--offline",
		"--certificate-identity", is.Identity("refs/heads/main"), "--certificate-oidc-issuer", is.URL,
		"--insecure-ignore-sct", bp); err == nil {
		t.Errorf("verify-blob accepted another identity:\n%s", out)
	}

	// A signer whose trusted material lacks the timestamp authority it
	// uses finds out before anything is published.
	noTSA, _ := sigstoretest.TrustedRoot(t, fulcio, nil)
	s, err = sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
		sign.WithTimestampAuthority(tsa.URL), sign.WithTrustedMaterial(noTSA))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignBlob(ctx, blob); err == nil || !strings.Contains(err.Error(), "does not verify against the trusted material") {
		t.Errorf("signing with an untrusted timestamp authority: %v", err)
	}

	// With a timestamp and no Rekor entry (--tlog-upload=false): the
	// timestamp proves the signature was made while the certificate was
	// valid.
	s, err = sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
		sign.WithTimestampAuthority(tsa.URL), sign.WithTrustedMaterial(tr))
	if err != nil {
		t.Fatal(err)
	}
	if b, err = s.SignBlob(ctx, blob); err != nil {
		t.Fatal(err)
	}
	bp, bundlePath = writeBlob(t, blob, b)
	for name, cosign := range cosignCLIs {
		if out, err := cosign(t, nil, "verify-blob", "--bundle", bundlePath, "--trusted-root", trPath,
			"--certificate-identity", identity, "--certificate-oidc-issuer", is.URL,
			"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct", bp); err != nil {
			t.Fatalf("%s verify-blob (timestamp only): %v\n%s", name, err, out)
		}
	}
}
