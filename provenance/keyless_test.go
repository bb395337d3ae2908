package provenance_test

import (
	"context"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/provenance"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestAttestKeyless signs the provenance keyless, like a GitHub Actions
// runner (loopback OIDC issuer, Fulcio and timestamp authority): the real
// cosign CLI verifies the registry's attestation by the workflow identity,
// and the bundle GitHub stores passes the checks `gh attestation verify
// --repo acme/app` documents (signature, timestamp, certificate chain,
// predicate type, the certificate's source repository and workflow).
func TestAttestKeyless(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	is := sigstoretest.NewIssuer(t)
	fulcio := sigstoretest.StartFulcio(t, is)
	tsa := sigstoretest.StartTSA(t)
	tr, trPath := sigstoretest.TrustedRoot(t, fulcio, tsa)
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.3")
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")

	// signer signs like the runner: a new one gets a new certificate.
	signer := func() *sign.Signer {
		s, err := sign.New(
			sign.WithKeyless(sign.ActionsToken{RequestURL: is.ActionsURL, RequestToken: is.ActionsRequestToken}, fulcio.URL),
			sign.WithTimestampAuthority(tsa.URL),
			sign.WithTrustedMaterial(tr),
		)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	res, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, signer(),
		provenance.WithGitHubAttestations(gh.URL, "token", "acme/app"), provenance.WithHTTPClient(gh.Client()))
	if err != nil {
		t.Fatal(err)
	}
	identity := is.Identity("refs/tags/v1.2.3")

	// cosign v2 takes the trusted root for the new bundle format only:
	// for the .att layout it takes the Fulcio roots (SIGSTORE_ROOT_FILE)
	// and the TSA chain as files.
	dir := t.TempDir()
	var roots []byte
	for _, c := range fulcio.Roots {
		roots = append(roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	rootsPath, tsaPath := filepath.Join(dir, "fulcio.pem"), filepath.Join(dir, "tsa.pem")
	if err := os.WriteFile(rootsPath, roots, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tsaPath, tsa.ChainPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	v2 := func(identity string) (string, error) {
		return sigstoretest.Cosign(t, []string{"SIGSTORE_ROOT_FILE=" + rootsPath}, "verify-attestation", "--type", "slsaprovenance1",
			"--timestamp-certificate-chain", tsaPath,
			"--certificate-identity", identity, "--certificate-oidc-issuer", is.URL,
			"--certificate-github-workflow-repository", "acme/app",
			"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct", d.String())
	}
	if out, err := v2(identity); err != nil {
		t.Fatalf("cosign v2.6.5 verify-attestation: %v\n%s", err, out)
	} else if pt := verifiedPredicateType(t, out); pt != provenance.PredicateType {
		t.Errorf("cosign v2.6.5 verified predicate type %q", pt)
	}
	if out, err := v2("https://github.com/evil/fork/.github/workflows/release.yml@refs/tags/v1.2.3"); err == nil {
		t.Errorf("cosign accepted another workflow's identity:\n%s", out)
	}
	out, err := sigstoretest.Cosign3(t, nil, "verify-attestation", "--type", "slsaprovenance1", "--trusted-root", trPath,
		"--certificate-identity", identity, "--certificate-oidc-issuer", is.URL,
		"--certificate-github-workflow-repository", "acme/app",
		"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct", d.String())
	if err != nil {
		t.Fatalf("cosign v3.1.3 verify-attestation: %v\n%s", err, out)
	}

	// The bundle as GitHub stores it, checked like gh attestation verify.
	stored, err := provenance.List(ctx, d.DigestStr(), "provenance",
		provenance.WithGitHubAttestations(gh.URL, "token", "acme/app"), provenance.WithHTTPClient(gh.Client()))
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored = %v, %v", stored, err)
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(stored[0].Bundle); err != nil {
		t.Fatal(err)
	}
	v, err := verify.NewVerifier(tr, verify.WithSignedTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	san, _ := verify.NewSANMatcher("", `^https://github\.com/acme/app/`)
	iss, _ := verify.NewIssuerMatcher(is.URL, "")
	id, err := verify.NewCertificateIdentity(san, iss, certificate.Extensions{SourceRepositoryURI: "https://github.com/acme/app"})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := hex.DecodeString(strings.TrimPrefix(d.DigestStr(), "sha256:"))
	vr, err := v.Verify(&b, verify.NewPolicy(verify.WithArtifactDigest("sha256", h), verify.WithCertificateIdentity(id)))
	if err != nil {
		t.Fatalf("sigstore-go refuses the stored bundle: %v", err)
	}
	if vr.Statement == nil || vr.Statement.GetPredicateType() != provenance.PredicateType {
		t.Errorf("verified statement = %v", vr.Statement)
	}
	if got := vr.Signature.Certificate.SourceRepositoryURI; got != "https://github.com/acme/app" {
		t.Errorf("certificate source repository = %q", got)
	}
	// Another repository's identity is refused.
	other, _ := verify.NewCertificateIdentity(san, iss, certificate.Extensions{SourceRepositoryURI: "https://github.com/evil/fork"})
	if _, err := v.Verify(&b, verify.NewPolicy(verify.WithArtifactDigest("sha256", h), verify.WithCertificateIdentity(other))); err == nil {
		t.Error("sigstore-go accepted the bundle for another repository")
	}
	if len(res.Attached) != 1 || res.AttestationID == 0 {
		t.Errorf("result = %+v", res)
	}

	// A re-run (a new certificate for the same workflow identity) finds its
	// attestation: nothing is added.
	again, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, signer(),
		provenance.WithGitHubAttestations(gh.URL, "token", "acme/app"), provenance.WithHTTPClient(gh.Client()))
	if err != nil || len(again.Attached) != 0 || len(again.Present) != 1 || again.AttestationID != 0 {
		t.Fatalf("keyless re-run: attached %v, present %v, id %d, %v", again.Attached, again.Present, again.AttestationID, err)
	}
}
