package sign_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocimutate "github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

var testAnnotations = map[string]string{
	"org.opencontainers.image.version":  "1.2.3",
	"org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
	"dev.sonicsaas.repository":          "acme/app",
	"dev.sonicsaas.workflow-ref":        "acme/app/.github/workflows/release.yml@refs/tags/v1.2.3",
}

// cosignCLIs are the cosign releases that must accept our signatures.
var cosignCLIs = map[string]func(testing.TB, []string, ...string) (string, error){
	"cosign v2.6.5": sigstoretest.Cosign,
	"cosign v3.1.3": sigstoretest.Cosign3,
}

func TestKeySignVerifiedByCosignCLI(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.3")
	priv, pub, _, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)

	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(testAnnotations))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got := sigTags(t, d.Repository); !slices.Equal(got, []string{sigTag(d)}) {
		t.Fatalf("signature tags = %v, want [%s]", got, sigTag(d))
	}

	for name, cosign := range cosignCLIs {
		out, err := cosign(t, nil, "verify", "--key", pubPath, "--insecure-ignore-tlog=true",
			"--trusted-root", trPath, "-a", "org.opencontainers.image.version=1.2.3", d.String())
		if err != nil {
			t.Fatalf("%s verify: %v\n%s", name, err, out)
		}
		if !strings.Contains(out, d.DigestStr()) {
			t.Errorf("%s verify output does not name the digest:\n%s", name, out)
		}
	}
	// cosign v3 checks the annotation, so a wrong value must fail (cosign
	// v2 does not on a bundle: TestCosignV2BundleIgnoresAnnotations).
	if out, err := sigstoretest.Cosign3(t, nil, "verify", "--key", pubPath, "--insecure-ignore-tlog=true",
		"--trusted-root", trPath, "-a", "org.opencontainers.image.version=9.9.9", d.String()); err == nil {
		t.Errorf("cosign verify accepted a wrong annotation:\n%s", out)
	}

	// Our own verifier, by tag.
	res, err := sign.Verify(ctx, d.Context().Tag("v1.2.3").String(), sign.WithRequireTransparencyLog(false), sign.WithPublicKey(pub),
		sign.WithAnnotations(map[string]string{"org.opencontainers.image.version": "1.2.3"}))
	if err != nil {
		t.Fatal(err)
	}
	// The default format is both: one signature of each.
	if res.Digest != d.DigestStr() || len(res.Manifests) != 1 || len(res.Manifests[0].Signatures) != 2 {
		t.Fatalf("result = %+v", res)
	}
	if got := res.Manifests[0].Signatures[0].Annotations["dev.sonicsaas.repository"]; got != "acme/app" {
		t.Errorf("annotation repository = %q", got)
	}

	// A second run adds no signature.
	if err := s.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n := sigLayers(t, d); n != 1 {
		t.Errorf("after a re-run: %d signatures, want 1", n)
	}
	// Another signer (a different key) adds its own.
	priv2, _, _, _ := sigstoretest.KeyPair(t)
	s2, err := sign.New(sign.WithKey(priv2, sigstoretest.Password), sign.WithAnnotations(testAnnotations))
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n := sigLayers(t, d); n != 2 {
		t.Errorf("after a second key: %d signatures, want 2", n)
	}
}

func TestVerifyAcceptsCosignCLISignature(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.0.0")
	_, pub, privPath, _ := sigstoretest.KeyPair(t)
	out, err := sigstoretest.Cosign(t, []string{"COSIGN_PASSWORD=s3cret"}, "sign", "--key", privPath, "--tlog-upload=false",
		"--yes", "-a", "org.opencontainers.image.version=1.0.0", d.String())
	if err != nil {
		t.Fatalf("cosign sign: %v\n%s", err, out)
	}
	res, err := sign.Verify(ctx, d.String(), sign.WithRequireTransparencyLog(false), sign.WithPublicKey(pub),
		sign.WithAnnotations(map[string]string{"org.opencontainers.image.version": "1.0.0"}))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Manifests[0].Signatures[0].Key {
		t.Errorf("result = %+v", res)
	}
	_, err = sign.Verify(ctx, d.String(), sign.WithRequireTransparencyLog(false), sign.WithPublicKey(pub),
		sign.WithAnnotations(map[string]string{"org.opencontainers.image.version": "2.0.0"}))
	if !isRefused(err) {
		t.Errorf("wrong annotation: err = %v, want a refusal", err)
	}
}

func TestKeyVerifyRejects(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	priv, pub, _, _ := sigstoretest.KeyPair(t)
	_, otherPub, _, _ := sigstoretest.KeyPair(t)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	signed := sigstoretest.PushImage(t, host, "acme/app", "signed")
	if err := s.Sign(ctx, signed); err != nil {
		t.Fatal(err)
	}
	unsigned := sigstoretest.PushImage(t, host, "acme/app", "unsigned")

	// The tag moves to another (unsigned) image after signing.
	tampered := sigstoretest.PushImage(t, host, "acme/app", "tampered")
	if err := s.Sign(ctx, tampered); err != nil {
		t.Fatal(err)
	}
	sigstoretest.PushImage(t, host, "acme/app", "tampered")

	// Image "copied" gets the signature manifest of "signed": a signature
	// for another digest.
	copied := sigstoretest.PushImage(t, host, "acme/app", "copied")
	sigDesc, err := remote.Get(signed.Context().Tag(sigTag(signed)))
	if err != nil {
		t.Fatal(err)
	}
	sigImg, err := sigDesc.Image()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(copied.Context().Tag(sigTag(copied)), sigImg); err != nil {
		t.Fatal(err)
	}

	// Image "forged" gets a payload naming it, with the signature bytes of
	// "signed": the signature does not match the payload.
	forged := sigstoretest.PushImage(t, host, "acme/app", "forged")
	sigs, err := sigImg.Layers()
	if err != nil || len(sigs) != 1 {
		t.Fatalf("signature layers: %v, %v", sigs, err)
	}
	m, err := sigImg.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	b64 := m.Layers[0].Annotations["dev.cosignproject.cosign/signature"]
	payload, err := (&sigpayload.Cosign{Image: forged}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	fake, err := static.NewSignature(payload, b64)
	if err != nil {
		t.Fatal(err)
	}
	se, err := ociremote.SignedEntity(forged)
	if err != nil {
		t.Fatal(err)
	}
	if se, err = ocimutate.AttachSignatureToEntity(se, fake); err != nil {
		t.Fatal(err)
	}
	if err := ociremote.WriteSignatures(forged.Repository, se); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		ref  string
		key  []byte
	}{
		{"payload does not match the signature", forged.String(), pub},
		{"wrong key", signed.String(), otherPub},
		{"unsigned", unsigned.String(), pub},
		{"tag moved to another image", signed.Context().Tag("tampered").String(), pub},
		{"signature of another digest", copied.String(), pub},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sign.Verify(ctx, tt.ref, sign.WithRequireTransparencyLog(false), sign.WithPublicKey(tt.key))
			if err == nil {
				t.Fatal("verification passed")
			}
			if !isRefused(err) {
				t.Fatalf("err = %v (%T), want a refusal", err, err)
			}
			t.Logf("refused: %v", err)
		})
	}
	if _, err := sign.Verify(ctx, signed.String(), sign.WithRequireTransparencyLog(false), sign.WithPublicKey(pub)); err != nil {
		t.Errorf("the signed image: %v", err)
	}
}

func TestSignIndex(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	idx, platforms, att := sigstoretest.PushIndex(t, host, "acme/app", "v2.0.0")
	priv, pub, _, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(testAnnotations))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, idx); err != nil {
		t.Fatal(err)
	}
	want := []string{sigTag(idx), sigTag(platforms[0]), sigTag(platforms[1])}
	slices.Sort(want)
	got := sigTags(t, idx.Repository)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("signature tags = %v, want %v (none for the attestation %s)", got, want, att.DigestStr())
	}
	for _, d := range append([]name.Digest{idx}, platforms...) {
		if out, err := sigstoretest.Cosign(t, nil, "verify", "--key", pubPath, "--insecure-ignore-tlog=true", "--trusted-root", trPath, d.String()); err != nil {
			t.Errorf("cosign verify %s: %v\n%s", d, err, out)
		}
	}
	res, err := sign.Verify(ctx, idx.Context().Tag("v2.0.0").String(), sign.WithRequireTransparencyLog(false), sign.WithPublicKey(pub))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Manifests) != 3 || res.Manifests[1].Platform != "linux/amd64" || res.Manifests[2].Platform != "linux/arm64" {
		t.Errorf("manifests = %+v", res.Manifests)
	}
	// Re-run: nothing added anywhere.
	if err := s.Sign(ctx, idx); err != nil {
		t.Fatal(err)
	}
	for _, d := range append([]name.Digest{idx}, platforms...) {
		if n := sigLayers(t, d); n != 1 {
			t.Errorf("%s: %d signatures after a re-run, want 1", d.DigestStr(), n)
		}
	}
	// An index signed by cosign without --recursive: the platform images
	// are unsigned, so the index as a whole is refused.
	_, pub2, privPath, _ := sigstoretest.KeyPair(t)
	idx2, _, _ := sigstoretest.PushIndex(t, host, "acme/app", "v2.0.1")
	if out, err := sigstoretest.Cosign(t, []string{"COSIGN_PASSWORD=s3cret"}, "sign", "--key", privPath, "--tlog-upload=false", "--yes", idx2.String()); err != nil {
		t.Fatalf("cosign sign: %v\n%s", err, out)
	}
	if _, err := sign.Verify(ctx, idx2.String(), sign.WithRequireTransparencyLog(false), sign.WithPublicKey(pub2)); !isRefused(err) {
		t.Errorf("index with unsigned platform images: err = %v, want a refusal", err)
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	priv, _, _, _ := sigstoretest.KeyPair(t)
	tests := []struct {
		name string
		opts []sign.Option
	}{
		{"nothing", nil},
		{"wrong password", []sign.Option{sign.WithKey(priv, func() ([]byte, error) { return []byte("nope"), nil })}},
		{"not a key", []sign.Option{sign.WithKey([]byte("hello"), sigstoretest.Password)}},
		{"keyless without TSA", []sign.Option{sign.WithKeyless(sign.StaticToken("x"), "http://127.0.0.1:1")}},
		{"key and keyless", []sign.Option{sign.WithKey(priv, sigstoretest.Password), sign.WithKeyless(sign.StaticToken("x"), "http://127.0.0.1:1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sign.New(tt.opts...)
			var b interface{ BadInput() bool }
			if err == nil || !errorsAs(err, &b) {
				t.Fatalf("err = %v, want bad input", err)
			}
		})
	}
}
