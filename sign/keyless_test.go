package sign_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// keylessStack is Fulcio + TSA + fake GitHub OIDC issuer + registry.
type keylessStack struct {
	is     *sigstoretest.Issuer
	fulcio *sigstoretest.Fulcio
	tsa    *sigstoretest.TSA
	tr     *root.TrustedRoot
	trPath string
	host   string
}

func startKeyless(t *testing.T) *keylessStack {
	t.Helper()
	k := &keylessStack{host: registrytest.NewMemory(t).Host}
	k.is = sigstoretest.NewIssuer(t) // first: Fulcio discovers it at startup
	k.fulcio = sigstoretest.StartFulcio(t, k.is)
	k.tsa = sigstoretest.StartTSA(t)
	k.tr, k.trPath = sigstoretest.TrustedRoot(t, k.fulcio, k.tsa)
	return k
}

// signer signs like a GitHub Actions runner: the token comes from the
// Actions ID-token endpoint.
func (k *keylessStack) signer(t *testing.T, aud string) *sign.Signer {
	t.Helper()
	s, err := sign.New(
		sign.WithKeyless(sign.ActionsToken{RequestURL: k.is.ActionsURL, RequestToken: k.is.ActionsRequestToken, Audience: aud}, k.fulcio.URL),
		sign.WithTimestampAuthority(k.tsa.URL),
		sign.WithTrustedMaterial(k.tr),
		sign.WithAnnotations(testAnnotations),
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (k *keylessStack) verify(ctx context.Context, ref string, id sign.Identity, extra ...sign.Option) (sign.Result, error) {
	opts := append([]sign.Option{sign.WithTrustedMaterial(k.tr), sign.WithIgnoreSCT(true), sign.WithRequireTransparencyLog(false), sign.WithIdentity(id)}, extra...)
	return sign.Verify(ctx, ref, opts...)
}

func TestKeyless(t *testing.T) {
	ctx := context.Background()
	k := startKeyless(t)
	tagIdentity := k.is.Identity("refs/tags/v1.2.3")

	idx, platforms, _ := sigstoretest.PushIndex(t, k.host, "acme/app", "v1.2.3")
	s := k.signer(t, "")
	if err := s.Sign(ctx, idx); err != nil {
		t.Fatal(err)
	}
	id, ok := s.Identity()
	if !ok || id.Subject != tagIdentity || id.Issuer != k.is.URL {
		t.Fatalf("signer identity = %+v, want %s from %s", id, tagIdentity, k.is.URL)
	}

	// The real cosign CLI accepts every signature, with the GitHub claims.
	for _, d := range append([]name.Digest{idx}, platforms...) {
		out, err := sigstoretest.Cosign(t, nil, "verify", "--trusted-root", k.trPath,
			"--certificate-identity", tagIdentity, "--certificate-oidc-issuer", k.is.URL,
			"--certificate-github-workflow-repository", "acme/app",
			"--certificate-github-workflow-ref", "refs/tags/v1.2.3",
			"--certificate-github-workflow-trigger", "push",
			"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct",
			"-a", "org.opencontainers.image.version=1.2.3", d.String())
		if err != nil {
			t.Fatalf("cosign verify %s: %v\n%s", d, err, out)
		}
	}
	if out, err := sigstoretest.Cosign3(t, nil, "verify", "--trusted-root", k.trPath,
		"--certificate-identity", tagIdentity, "--certificate-oidc-issuer", k.is.URL,
		"--certificate-github-workflow-repository", "acme/app",
		"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct",
		"-a", "org.opencontainers.image.version=1.2.3", platforms[1].String()); err != nil {
		t.Fatalf("cosign v3 verify: %v\n%s", err, out)
	}
	for _, tt := range []struct{ name, identity, issuer string }{
		{"cosign: wrong identity", "https://github.com/evil/fork/.github/workflows/release.yml@refs/tags/v1.2.3", k.is.URL},
		{"cosign: wrong issuer", tagIdentity, "https://token.actions.githubusercontent.com"},
		{"cosign: branch identity", k.is.Identity("refs/heads/main"), k.is.URL},
	} {
		out, err := sigstoretest.Cosign(t, nil, "verify", "--trusted-root", k.trPath,
			"--certificate-identity", tt.identity, "--certificate-oidc-issuer", tt.issuer,
			"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct", idx.String())
		if err == nil {
			t.Errorf("%s: cosign verify passed:\n%s", tt.name, out)
		}
	}

	// Our verifier: index and both platform images, with a timestamp
	// inside the certificate's validity, so it verifies after expiry.
	res, err := k.verify(ctx, idx.Context().Tag("v1.2.3").String(), sign.Identity{Subject: tagIdentity, Issuer: k.is.URL},
		sign.WithGitHubWorkflow(sign.GitHubWorkflow{Repository: "acme/app", Ref: "refs/tags/v1.2.3", Trigger: "push", SHA: "0123456789abcdef0123456789abcdef01234567"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Manifests) != 3 {
		t.Fatalf("manifests = %+v", res.Manifests)
	}
	for _, m := range res.Manifests {
		// The default format is both: the .sig and the bundle.
		if len(m.Signatures) != 2 || m.Signatures[0].Format != string(sign.FormatLegacy) || m.Signatures[1].Format != string(sign.FormatBundle) {
			t.Fatalf("%s: signatures %+v, want a legacy one and a bundle", m.Digest, m.Signatures)
		}
		for _, sg := range m.Signatures {
			if sg.Subject != tagIdentity || sg.Issuer != k.is.URL || sg.SignedAt == nil {
				t.Errorf("%s: %s signature = %+v, want the tag identity and a timestamp", m.Digest, sg.Format, sg)
			}
		}
	}

	// Regexp identity.
	if _, err := k.verify(ctx, idx.String(), sign.Identity{SubjectRegexp: `^https://github\.com/acme/app/`, IssuerRegexp: `^http://127\.0\.0\.1:`}); err != nil {
		t.Errorf("regexp identity: %v", err)
	}

	// Re-run: a new certificate, but the same signer identity and payload,
	// so nothing is added.
	if err := k.signer(t, "").Sign(ctx, idx); err != nil {
		t.Fatal(err)
	}
	for _, d := range append([]name.Digest{idx}, platforms...) {
		if n := sigLayers(t, d); n != 1 {
			t.Errorf("%s: %d signatures after a re-run, want 1", d.DigestStr(), n)
		}
	}

	// A branch-signed image (same repository and workflow, ref main).
	branch := sigstoretest.PushImage(t, k.host, "acme/app", "main")
	k.is.SetClaims(map[string]string{"ref": "refs/heads/main"})
	if err := k.signer(t, "").Sign(ctx, branch); err != nil {
		t.Fatal(err)
	}
	k.is.SetClaims(nil)

	rejects := []struct {
		name string
		ref  string
		id   sign.Identity
		opts []sign.Option
	}{
		{"wrong identity", idx.String(), sign.Identity{Subject: "https://github.com/evil/fork/.github/workflows/release.yml@refs/tags/v1.2.3", Issuer: k.is.URL}, nil},
		{"wrong issuer", idx.String(), sign.Identity{Subject: tagIdentity, Issuer: "https://token.actions.githubusercontent.com"}, nil},
		{"branch-signed vs tag identity", branch.String(), sign.Identity{Subject: tagIdentity, Issuer: k.is.URL}, nil},
		{"wrong workflow repository", idx.String(), sign.Identity{Subject: tagIdentity, Issuer: k.is.URL},
			[]sign.Option{sign.WithGitHubWorkflow(sign.GitHubWorkflow{Repository: "evil/fork"})}},
		{"wrong annotation", idx.String(), sign.Identity{Subject: tagIdentity, Issuer: k.is.URL},
			[]sign.Option{sign.WithAnnotations(map[string]string{"org.opencontainers.image.version": "9.9.9"})}},
	}
	for _, tt := range rejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := k.verify(ctx, tt.ref, tt.id, tt.opts...)
			if !isRefused(err) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			t.Logf("refused: %v", err)
		})
	}

	// An untrusted CA: a trusted root with only the TSA.
	trTSA, _ := sigstoretest.TrustedRoot(t, nil, k.tsa)
	if _, err := sign.Verify(ctx, idx.String(), sign.WithRequireTransparencyLog(false), sign.WithTrustedMaterial(trTSA), sign.WithIgnoreSCT(true),
		sign.WithIdentity(sign.Identity{Subject: tagIdentity, Issuer: k.is.URL})); !isRefused(err) {
		t.Errorf("untrusted Fulcio CA: err = %v, want a refusal", err)
	}
}

// TestKeyWithTimestamp signs with a key and a TSA timestamp.
func TestKeyWithTimestamp(t *testing.T) {
	ctx := context.Background()
	k := startKeyless(t)
	d := sigstoretest.PushImage(t, k.host, "acme/app", "v1.2.3")
	priv, pub, _, pubPath := sigstoretest.KeyPair(t)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithTimestampAuthority(k.tsa.URL), sign.WithTrustedMaterial(k.tr))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	for name, cosign := range cosignCLIs {
		if out, err := cosign(t, nil, "verify", "--key", pubPath, "--trusted-root", k.trPath, "--use-signed-timestamps",
			"--insecure-ignore-tlog", d.String()); err != nil {
			t.Fatalf("%s verify: %v\n%s", name, err, out)
		}
	}
	res, err := sign.Verify(ctx, d.String(), sign.WithPublicKey(pub), sign.WithTrustedMaterial(k.tr), sign.WithRequireTransparencyLog(false))
	if err != nil {
		t.Fatal(err)
	}
	if sg := res.Manifests[0].Signatures[0]; !sg.Key || sg.SignedAt == nil || time.Since(*sg.SignedAt) > time.Minute {
		t.Errorf("signature = %+v, want a key signature with a recent timestamp", sg)
	}
}

func TestKeylessWrongAudience(t *testing.T) {
	k := startKeyless(t)
	d := sigstoretest.PushImage(t, k.host, "acme/app", "v1.2.3")
	err := k.signer(t, "not-sigstore").Sign(context.Background(), d)
	if err == nil || !strings.Contains(err.Error(), "Fulcio") {
		t.Fatalf("err = %v, want Fulcio to refuse the token", err)
	}
	if n := len(sigTags(t, d.Repository)); n != 0 {
		t.Errorf("%d signature tags after a refused certificate", n)
	}
}

func TestActionsTokenMissing(t *testing.T) {
	_, err := sign.ActionsToken{}.Token(context.Background())
	if !errors.Is(err, sign.ErrNoActionsToken) || !strings.Contains(err.Error(), "id-token: write") {
		t.Fatalf("err = %v", err)
	}
}

func TestActionsTokenBadRequestToken(t *testing.T) {
	is := sigstoretest.NewIssuer(t)
	_, err := sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: "wrong"}.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want the 401", err)
	}
}
