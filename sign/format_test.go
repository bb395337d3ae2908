package sign_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// interop is the setting of the interop matrix: one registry (without the
// referrers API, like GHCR), Fulcio, TSA, a key pair.
type interop struct {
	*keylessStack
	priv, pub         []byte
	privPath, pubPath string
	scPath            string // cosign signing config (Fulcio + TSA)
	n                 int
}

func startInterop(t *testing.T) *interop {
	k := startKeyless(t)
	it := &interop{keylessStack: k}
	it.priv, it.pub, it.privPath, it.pubPath = sigstoretest.KeyPair(t)
	it.scPath = filepath.Join(t.TempDir(), "signing_config.json")
	start := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	if out, err := sigstoretest.Cosign(t, nil, "signing-config", "create",
		"--fulcio", "url="+k.fulcio.URL+",api-version=1,start-time="+start+",operator=local",
		"--tsa", "url="+k.tsa.URL+",api-version=1,start-time="+start+",operator=local", "--tsa-config", "ANY",
		"--out", it.scPath); err != nil {
		t.Fatalf("cosign signing-config create: %v\n%s", err, out)
	}
	return it
}

// image pushes a fresh image to sign.
func (it *interop) image(t *testing.T) name.Digest {
	it.n++
	return sigstoretest.PushImage(t, it.host, fmt.Sprintf("acme/app%d", it.n), "v1.2.3")
}

func (it *interop) token(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(it.is.Token(nil)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// sign signs d as signer ("ours", "cosign v2", "cosign v3") in format
// ("legacy", "bundle"), with the key or keyless, TSA timestamp, no log.
func (it *interop) sign(t *testing.T, signer, format string, keyless bool, d name.Digest) {
	t.Helper()
	if signer == "ours" {
		opts := []sign.Option{sign.WithTimestampAuthority(it.tsa.URL), sign.WithTrustedMaterial(it.tr),
			sign.WithAnnotations(testAnnotations), sign.WithSignatureFormat(sign.Format(format))}
		if keyless {
			opts = append(opts, sign.WithKeyless(sign.StaticToken(it.is.Token(nil)), it.fulcio.URL))
		} else {
			opts = append(opts, sign.WithKey(it.priv, sigstoretest.Password))
		}
		s, err := sign.New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Sign(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		return
	}
	args := []string{"sign", "--yes", "--tlog-upload=false", "-a", "org.opencontainers.image.version=1.2.3"}
	run := sigstoretest.Cosign
	if signer == "cosign v3" {
		run = sigstoretest.Cosign3
		args = append(args, "--new-bundle-format="+fmt.Sprint(format == "bundle"), "--use-signing-config=false", "--trusted-root", it.trPath)
		if keyless {
			args = append(args, "--fulcio-url", it.fulcio.URL, "--identity-token", it.token(t), "--insecure-skip-verify")
		} else {
			args = append(args, "--key", it.privPath)
		}
		args = append(args, "--timestamp-server-url", it.tsa.URL)
	} else {
		switch {
		case format == "bundle" && keyless:
			args = append(args, "--new-bundle-format", "--signing-config", it.scPath, "--trusted-root", it.trPath,
				"--identity-token", it.token(t), "--insecure-skip-verify")
		case format == "bundle":
			args = append(args, "--new-bundle-format", "--key", it.privPath, "--timestamp-server-url", it.tsa.URL, "--trusted-root", it.trPath)
		case keyless:
			args = append(args, "--fulcio-url", it.fulcio.URL, "--identity-token", it.token(t), "--trusted-root", it.trPath,
				"--insecure-skip-verify", "--timestamp-server-url", it.tsa.URL)
		default:
			args = append(args, "--key", it.privPath, "--timestamp-server-url", it.tsa.URL)
		}
	}
	out, err := run(t, []string{"COSIGN_PASSWORD=" + sigstoretest.KeyPassword}, append(args, d.String())...)
	if err != nil {
		t.Fatalf("%s sign (%s): %v\n%s", signer, format, err, out)
	}
}

// verify verifies d as verifier, expecting format; it returns an error
// when verification fails.
func (it *interop) verify(t *testing.T, verifier, format string, keyless, annotated bool, d name.Digest) error {
	t.Helper()
	ann := map[string]string{"org.opencontainers.image.version": "1.2.3"}
	if !annotated {
		ann = nil
	}
	if verifier == "ours" {
		opts := []sign.Option{sign.WithTrustedMaterial(it.tr), sign.WithIgnoreSCT(true), sign.WithRequireTransparencyLog(false),
			sign.WithAnnotations(ann)}
		if keyless {
			opts = append(opts, sign.WithIdentity(sign.Identity{Subject: it.is.Identity("refs/tags/v1.2.3"), Issuer: it.is.URL}))
		} else {
			opts = append(opts, sign.WithPublicKey(it.pub))
		}
		res, err := sign.Verify(context.Background(), d.String(), opts...)
		if err != nil {
			return err
		}
		for _, s := range res.Manifests[0].Signatures {
			if s.Format != format {
				return fmt.Errorf("found a %s signature, want %s: %+v", s.Format, format, s)
			}
			if s.SignedAt == nil {
				return fmt.Errorf("no verified timestamp: %+v", s)
			}
		}
		return nil
	}
	args := []string{"verify", "--trusted-root", it.trPath, "--insecure-ignore-tlog", "--use-signed-timestamps"}
	for k, v := range ann {
		args = append(args, "-a", k+"="+v)
	}
	run := sigstoretest.Cosign
	if verifier == "cosign v3" {
		run = sigstoretest.Cosign3
	} else if format == "bundle" {
		args = append(args, "--new-bundle-format")
	}
	if keyless {
		args = append(args, "--certificate-identity", it.is.Identity("refs/tags/v1.2.3"), "--certificate-oidc-issuer", it.is.URL, "--insecure-ignore-sct")
	} else {
		args = append(args, "--key", it.pubPath)
	}
	out, err := run(t, nil, append(args, d.String())...)
	if err != nil {
		return fmt.Errorf("%v\n%s", err, out)
	}
	return nil
}

// TestInterop is the matrix of docs/sign.md: what ours, cosign v2.6.5 and
// cosign v3.1.3 sign, in the legacy and the bundle format, with a key and
// keyless, each of the three verifies. The registry has no referrers API,
// so bundles go under the sha256-<hex> fallback tag, as on GHCR.
func TestInterop(t *testing.T) {
	it := startInterop(t)
	signers := []string{"ours", "cosign v2", "cosign v3"}
	for _, keyless := range []bool{false, true} {
		for _, format := range []string{"legacy", "bundle"} {
			for _, signer := range signers {
				mode := "key"
				if keyless {
					mode = "keyless"
				}
				d := it.image(t)
				it.sign(t, signer, format, keyless, d)
				tags := registrytest.Tags(t, d.Repository)
				_, hasSig := tags[sigTag(d)]
				_, hasFallback := tags[strings.TrimSuffix(sigTag(d), ".sig")]
				if hasSig != (format == "legacy") || hasFallback != (format == "bundle") {
					t.Errorf("%s %s %s: tags %v, want only the %s layout", signer, format, mode, tags, format)
				}
				for _, verifier := range signers {
					// cosign v2.6.5 drops -a annotations in the bundle format.
					annotated := signer != "cosign v2" || format != "bundle"
					err := it.verify(t, verifier, format, keyless, annotated, d)
					t.Logf("%-9s signs %-6s %-7s → %-9s verifies: %v", signer, format, mode, verifier, err == nil)
					if err != nil {
						t.Errorf("%s verifying %s's %s %s signature: %v", verifier, signer, format, mode, err)
					}
				}
			}
		}
	}
}

// TestBundleOnlyNotLegacy: a bundle-only image is refused by a legacy-only
// check, and a legacy-only image by a bundle-only one.
func TestFormatsAreDistinct(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	priv, pub, _, _ := sigstoretest.KeyPair(t)
	for _, f := range []sign.Format{sign.FormatLegacy, sign.FormatBundle} {
		d := signedIn(t, host, priv, f)
		other := sign.FormatBundle
		if f == sign.FormatBundle {
			other = sign.FormatLegacy
		}
		base := []sign.Option{sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false)}
		res, err := sign.Verify(ctx, d.String(), base...)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := res.Manifests[0].Signatures[0].Format; got != string(f) {
			t.Errorf("%s: verify says it found %q", f, got)
		}
		if _, err := sign.Verify(ctx, d.String(), append(base, sign.WithSignatureFormat(other))...); !isRefused(err) {
			t.Errorf("%s-signed image verified as %s only: err = %v", f, other, err)
		}
		if _, err := sign.Verify(ctx, d.String(), append(base, sign.WithSignatureFormat(sign.FormatBoth))...); !isRefused(err) {
			t.Errorf("%s-signed image verified as both: err = %v", f, err)
		}
	}
	// The default writes the legacy signature only (docs/sign.md says why).
	d := sigstoretest.PushImage(t, host, "acme/default", "v1")
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	if tags := registrytest.Tags(t, d.Repository); len(tags) != 2 || tags[sigTag(d)] == "" {
		t.Errorf("default format: tags %v, want v1 and the .sig only", tags)
	}
	if _, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat("cosign")); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// referrerCount counts the bundle referrers of d.
func referrerCount(t *testing.T, d name.Digest, opts ...remote.Option) int {
	t.Helper()
	idx, err := remote.Referrers(d, opts...)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range im.Manifests {
		// go-containerregistry's registry lists the config media type.
		if m.ArtifactType == sign.BundleMediaType || m.ArtifactType == "application/vnd.oci.empty.v1+json" {
			n++
		}
	}
	return n
}

// TestCosignV2BundleIgnoresAnnotations pins a limit of cosign v2.6.5 that
// docs/sign.md warns about: once an image has a bundle, `cosign verify`
// v2 verifies the bundle only, and ignores -a. A gate on annotations (the
// migration verdict) with cosign v2 needs --signature-format legacy;
// cosign v3 and sonic-release verify check them on the bundle.
func TestCosignV2BundleIgnoresAnnotations(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	priv, pub, _, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	wrong := []string{"-a", sign.AnnotationMigrations + "=compatible"}
	for _, f := range []sign.Format{sign.FormatLegacy, sign.FormatBoth} {
		d := sigstoretest.PushImage(t, host, "acme/"+string(f), "v1")
		s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat(f))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SignAnnotated(ctx, d, map[string]string{sign.AnnotationMigrations: "breaking"}); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"verify", "--key", pubPath, "--insecure-ignore-tlog", "--trusted-root", trPath}, wrong...)
		_, v2err := sigstoretest.Cosign(t, nil, append(args, d.String())...)
		if accepted := v2err == nil; accepted != (f == sign.FormatBoth) {
			t.Errorf("%s: cosign v2 accepted a wrong annotation: %v; the docs say it does only with a bundle", f, accepted)
		}
		if out, err := sigstoretest.Cosign3(t, nil, append(args, d.String())...); err == nil {
			t.Errorf("%s: cosign v3 accepted a wrong annotation:\n%s", f, out)
		}
		if _, err := sign.Verify(ctx, d.String(), sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false),
			sign.WithAnnotations(map[string]string{sign.AnnotationMigrations: "compatible"})); !isRefused(err) {
			t.Errorf("%s: our verify: err = %v, want a refusal", f, err)
		}
	}
}

// TestCosignVerifyAttestationWithBundle pins why legacy is the default
// (docs/sign.md): once an image has a signature bundle, cosign
// verify-attestation (v2.6.5 and v3.1.3) looks only at bundle referrers
// and no longer finds an attestation in cosign's .att layout, such as the
// SLSA provenance sonic-release attaches.
func TestCosignVerifyAttestationWithBundle(t *testing.T) {
	host := registrytest.NewMemory(t).Host
	priv, _, privPath, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	pred := filepath.Join(t.TempDir(), "predicate.json")
	if err := os.WriteFile(pred, []byte(`{"buildDefinition":{"buildType":"https://example.org/build"},"runDetails":{"builder":{"id":"https://example.org/builder"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []sign.Format{sign.FormatLegacy, sign.FormatBoth} {
		d := signedIn(t, host, priv, f)
		if out, err := sigstoretest.Cosign(t, []string{"COSIGN_PASSWORD=" + sigstoretest.KeyPassword}, "attest", "--yes", "--key", privPath,
			"--type", "slsaprovenance1", "--predicate", pred, "--tlog-upload=false", d.String()); err != nil {
			t.Fatalf("cosign attest: %v\n%s", err, out)
		}
		for name, cosign := range cosignCLIs {
			out, err := cosign(t, nil, "verify-attestation", "--type", "slsaprovenance1", "--key", pubPath,
				"--insecure-ignore-tlog", "--trusted-root", trPath, d.String())
			if found := err == nil; found != (f == sign.FormatLegacy) {
				t.Errorf("%s, %s signature: verify-attestation found the .att provenance: %v, want %v\n%s", name, f, found, f == sign.FormatLegacy, out)
			}
		}
	}
}

// signedIn pushes the image acme/FORMAT:v1 to host and signs it with the
// key priv in format f.
func signedIn(t *testing.T, host string, priv []byte, f sign.Format) name.Digest {
	t.Helper()
	d := sigstoretest.PushImage(t, host, "acme/"+string(f), "v1")
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat(f))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}
