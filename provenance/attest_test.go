package provenance_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/provenance"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
)

// attLayers counts the attestations stored for d in cosign's layout.
func attLayers(t *testing.T, d name.Digest) int {
	t.Helper()
	img, err := remote.Image(d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".att"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return len(m.Layers)
}

// verifiedPredicateType reads the predicate type of the envelope cosign
// verify-attestation prints (one JSON line).
func verifiedPredicateType(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		var env struct {
			PayloadType string `json:"payloadType"`
			Payload     []byte `json:"payload"`
		}
		if json.Unmarshal([]byte(line), &env) != nil || env.PayloadType != provenance.PayloadType {
			continue
		}
		var st struct {
			PredicateType string `json:"predicateType"`
		}
		if err := json.Unmarshal(env.Payload, &st); err != nil {
			t.Fatalf("the verified payload is not a statement: %v", err)
		}
		return st.PredicateType
	}
	return ""
}

// TestAttestKeyVerifiedByCosign attests an image with a cosign key in the
// legacy signature format, so in cosign's .att layout only, and has the
// real cosign v2 and v3 CLIs verify the attestation as SLSA v1 provenance;
// a re-run adds nothing.
func TestAttestKeyVerifiedByCosign(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.3")
	// The mirror holds the same image, as a release copies it.
	img, err := remote.Image(d)
	if err != nil {
		t.Fatal(err)
	}
	mirror, err := name.NewDigest(host + "/mirror/app@" + d.DigestStr())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mirror, img); err != nil {
		t.Fatal(err)
	}
	priv, _, _, pubPath := sigstoretest.KeyPair(t)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat(sign.FormatLegacy))
	if err != nil {
		t.Fatal(err)
	}
	rs := []name.Repository{d.Repository, mirror.Repository}
	res, err := provenance.Attest(ctx, d.DigestStr(), rs, testBuild, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Attached) != 2 || len(res.Present) != 0 {
		t.Fatalf("result = %+v", res)
	}

	clis := map[string]func(testing.TB, []string, ...string) (string, error){
		"cosign v2.6.5": sigstoretest.Cosign,
		"cosign v3.1.3": sigstoretest.Cosign3,
	}
	for cli, cosign := range clis {
		for _, img := range []name.Digest{d, mirror} {
			out, err := cosign(t, nil, "verify-attestation", "--type", "slsaprovenance1", "--key", pubPath,
				"--insecure-ignore-tlog=true", img.String())
			if err != nil {
				t.Fatalf("%s verify-attestation %s: %v\n%s", cli, img, err, out)
			}
			if pt := verifiedPredicateType(t, out); pt != provenance.PredicateType {
				t.Errorf("%s verified predicate type %q:\n%s", cli, pt, out)
			}
		}
	}
	// The predicate type is checked: the same attestation is not SLSA v0.2.
	if out, err := sigstoretest.Cosign(t, nil, "verify-attestation", "--type", "slsaprovenance02", "--key", pubPath,
		"--insecure-ignore-tlog=true", d.String()); err == nil {
		t.Errorf("cosign accepted the attestation as SLSA v0.2 provenance:\n%s", out)
	}
	// Another key is refused.
	_, _, _, otherPub := sigstoretest.KeyPair(t)
	if out, err := sigstoretest.Cosign(t, nil, "verify-attestation", "--type", "slsaprovenance1", "--key", otherPub,
		"--insecure-ignore-tlog=true", d.String()); err == nil {
		t.Errorf("cosign accepted the attestation with another key:\n%s", out)
	}

	// A re-run of the same workflow run finds the statement and adds nothing.
	again, err := provenance.Attest(ctx, d.DigestStr(), rs, testBuild, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Attached) != 0 || len(again.Present) != 2 || again.Bundle != nil {
		t.Fatalf("re-run: attached %v, present %v, bundle %t", again.Attached, again.Present, again.Bundle != nil)
	}
	if n := attLayers(t, d); n != 1 {
		t.Errorf("%d attestation layers after a re-run, want 1", n)
	}
	// Another signer's copy of the statement does not count for this one:
	// a signer with another key adds its own.
	otherPriv, _, _, _ := sigstoretest.KeyPair(t)
	other, err := sign.New(sign.WithKey(otherPriv, sigstoretest.Password), sign.WithSignatureFormat(sign.FormatLegacy))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := provenance.Attest(ctx, d.DigestStr(), rs, testBuild, other); err != nil || len(res.Attached) != 2 {
		t.Fatalf("another key: attached %v, present %v, %v", res.Attached, res.Present, err)
	}
	if n := attLayers(t, d); n != 2 {
		t.Errorf("%d attestation layers after another key's, want 2", n)
	}
	if res, err := provenance.Attest(ctx, d.DigestStr(), rs, testBuild, s); err != nil || len(res.Attached) != 0 || len(res.Present) != 2 {
		t.Fatalf("re-run after another key's: attached %v, present %v, %v", res.Attached, res.Present, err)
	}
	// Another run attempt is another statement: it is added.
	b := testBuild
	b.RunAttempt = "3"
	if _, err := provenance.Attest(ctx, d.DigestStr(), rs[:1], b, s); err != nil {
		t.Fatal(err)
	}
	if n := attLayers(t, d); n != 3 {
		t.Errorf("%d attestation layers after another attempt, want 3", n)
	}
}

// TestAttestSubmitsToGitHub stores the bundle through the fake GitHub's
// attestations API (held to GitHub's OpenAPI description) and reads it
// back as `gh attestation verify` does.
func TestAttestSubmitsToGitHub(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.3")
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	priv, _, _, _ := sigstoretest.KeyPair(t)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	opts := []provenance.Option{provenance.WithGitHubAttestations(gh.URL, "token", "acme/app"), provenance.WithHTTPClient(gh.Client())}
	res, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if res.AttestationID == 0 {
		t.Fatalf("not submitted: %+v", res)
	}
	stored := gh.Attestations("acme/app")
	if len(stored) != 1 || stored[0].PredicateType != provenance.PredicateType || stored[0].Digests[0] != d.DigestStr() {
		t.Fatalf("stored = %+v", stored)
	}
	var b struct {
		MediaType    string `json:"mediaType"`
		DsseEnvelope struct {
			PayloadType string `json:"payloadType"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(stored[0].Bundle, &b); err != nil || b.MediaType != provenance.BundleMediaType || b.DsseEnvelope.PayloadType != provenance.PayloadType {
		t.Fatalf("stored bundle %s: %v", stored[0].Bundle, err)
	}

	list, err := provenance.List(ctx, d.DigestStr(), "provenance", opts...)
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	if none, err := provenance.List(ctx, d.DigestStr(), "sbom", opts...); err != nil || len(none) != 0 {
		t.Fatalf("sbom list = %v, %v", none, err)
	}

	// A re-run finds it in the registry and on GitHub: nothing is signed
	// or stored again.
	again, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if again.AttestationID != 0 || again.Bundle != nil || len(gh.Attestations("acme/app")) != 1 {
		t.Fatalf("re-run: attached %v, id %d, %d stored", again.Attached, again.AttestationID, len(gh.Attestations("acme/app")))
	}
	if n := gh.Calls()["repos/create-attestation"]; n != 1 {
		t.Errorf("create-attestation called %d times", n)
	}

	// Without the permission GitHub refuses: the error says what to grant.
	gh.AddRepo("acme/denied")
	gh.DenyAttestations("acme/denied")
	_, err = provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s,
		provenance.WithGitHubAttestations(gh.URL, "token", "acme/denied"), provenance.WithHTTPClient(gh.Client()))
	var refused interface{ Refused() bool }
	if err == nil || !strings.Contains(err.Error(), "attestations: write") || !errors.As(err, &refused) || !refused.Refused() {
		t.Fatalf("err = %v", err)
	}
	// Where the permission is optional, the refusal is reported, not an
	// error.
	res, err = provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s,
		provenance.WithGitHubAttestationsIfAllowed(gh.URL, "token", "acme/denied"), provenance.WithHTTPClient(gh.Client()))
	if err != nil || !strings.Contains(res.GitHubRefused, "attestations: write") || res.AttestationID != 0 {
		t.Fatalf("optional: %+v, %v", res, err)
	}
}

// provenanceBundles counts the referrers of d listed with the SLSA
// provenance's predicate type annotated, as cosign v3 lists its
// attestation bundles, and with the bundle's artifactType, which `gh
// attestation verify --bundle-from-oci` selects referrers by.
func provenanceBundles(t *testing.T, d name.Digest) (n int) {
	t.Helper()
	for _, desc := range sigstoretest.Referrers(t, d) {
		if desc.Annotations["dev.sigstore.bundle.predicateType"] == provenance.PredicateType && desc.ArtifactType == provenance.BundleMediaType {
			n++
		}
	}
	return n
}

// TestAttestBundleVerifiedByCosign attests an image signed in the default
// format, both, with the same signer: the provenance goes both in cosign's .att
// layout and as a sigstore bundle referrer, so that cosign
// verify-attestation, which reads only bundles once the image has a
// signature bundle, finds it: the real cosign v3.1.3, and v2.6.5 with
// --new-bundle-format. A re-run adds nothing; an image whose provenance
// is only in the .att layout (attested by a legacy signer) gets the
// bundle only.
func TestAttestBundleVerifiedByCosign(t *testing.T) {
	ctx := context.Background()
	host := registrytest.NewMemory(t).Host
	priv, _, _, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	if f := s.SignatureFormat(); f != sign.FormatBoth {
		t.Fatalf("default signature format %s, want both", f)
	}
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.3")
	if err := s.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	res, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Attached) != 1 {
		t.Fatalf("result = %+v", res)
	}
	if a, b := attLayers(t, d), provenanceBundles(t, d); a != 1 || b != 1 {
		t.Fatalf("%d .att layers, %d provenance bundles; want 1, 1", a, b)
	}
	args := []string{"verify-attestation", "--type", "slsaprovenance1", "--key", pubPath,
		"--insecure-ignore-tlog", "--trusted-root", trPath}
	for cli, run := range map[string]func() (string, error){
		"cosign v3.1.3": func() (string, error) { return sigstoretest.Cosign3(t, nil, append(args, d.String())...) },
		"cosign v2.6.5 --new-bundle-format": func() (string, error) {
			return sigstoretest.Cosign(t, nil, append(args, "--new-bundle-format", d.String())...)
		},
	} {
		out, err := run()
		if err != nil {
			t.Fatalf("%s verify-attestation: %v\n%s", cli, err, out)
		}
		if pt := verifiedPredicateType(t, out); pt != provenance.PredicateType {
			t.Errorf("%s verified predicate type %q:\n%s", cli, pt, out)
		}
	}
	// Another key is refused, by the bundle as by the .att layout.
	_, _, _, otherPub := sigstoretest.KeyPair(t)
	other := append([]string{}, args...)
	other[4] = otherPub
	if out, err := sigstoretest.Cosign3(t, nil, append(other, d.String())...); err == nil {
		t.Errorf("cosign v3 accepted the provenance bundle with another key:\n%s", out)
	}

	again, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Attached) != 0 || len(again.Present) != 1 || again.Bundle != nil {
		t.Fatalf("re-run: attached %v, present %v, bundle %t", again.Attached, again.Present, again.Bundle != nil)
	}
	if a, b := attLayers(t, d), provenanceBundles(t, d); a != 1 || b != 1 {
		t.Errorf("after a re-run: %d .att layers, %d provenance bundles; want 1, 1", a, b)
	}

	// Attested by a legacy signer first (the same key): the re-run in
	// the format both adds the bundle, not a second .att layer.
	legacy, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat(sign.FormatLegacy))
	if err != nil {
		t.Fatal(err)
	}
	e := sigstoretest.PushImage(t, host, "acme/old", "v1")
	if _, err := provenance.Attest(ctx, e.DigestStr(), []name.Repository{e.Repository}, testBuild, legacy); err != nil {
		t.Fatal(err)
	}
	if a, b := attLayers(t, e), provenanceBundles(t, e); a != 1 || b != 0 {
		t.Fatalf("legacy signer: %d .att layers, %d provenance bundles; want 1, 0", a, b)
	}
	if res, err := provenance.Attest(ctx, e.DigestStr(), []name.Repository{e.Repository}, testBuild, s); err != nil || len(res.Attached) != 1 {
		t.Fatalf("format both after legacy: attached %v, present %v, %v", res.Attached, res.Present, err)
	}
	if a, b := attLayers(t, e), provenanceBundles(t, e); a != 1 || b != 1 {
		t.Errorf("format both after legacy: %d .att layers, %d provenance bundles; want 1, 1", a, b)
	}
}

// TestAttestSharesRegistryAccess attests, in a registry with token
// authentication, through a release's shared registry access
// (WithRegistryOptions with release.Registries): the provenance pings at
// most once, where with its own remote options every registry call pings
// and fetches a token again.
func TestAttestSharesRegistryAccess(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.StartRegistry(t)
	kc := reg.Keychain()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	dg, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	d, err := name.NewDigest(reg.Repo("acme/app") + "@" + dg.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(d, img, remote.WithAuthFromKeychain(kc)); err != nil {
		t.Fatal(err)
	}
	priv, _, _, _ := sigstoretest.KeyPair(t)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat(sign.FormatLegacy))
	if err != nil {
		t.Fatal(err)
	}
	regs, err := release.NewRegistries(release.RegistrySource(d), []name.Repository{d.Repository}, true, release.WithKeychain(kc))
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	shared := provenance.WithRegistryOptions(func(ctx context.Context, r name.Registry) ([]remote.Option, error) {
		asked = append(asked, r.RegistryStr())
		return regs.RemoteOptions(ctx, r)
	})
	auth := provenance.WithRemoteOptions(remote.WithAuthFromKeychain(kc))
	pings := func() int {
		n := 0
		for _, r := range reg.Counter.Requests() {
			if strings.HasSuffix(r, " /v2/") {
				n++
			}
		}
		return n
	}
	reg.Counter.Reset()
	res, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, testBuild, s, auth, shared)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Attached) != 1 {
		t.Fatalf("attached %v", res.Attached)
	}
	if len(asked) == 0 || asked[0] != d.RegistryStr() {
		t.Errorf("registry options asked for %q, want %s", asked, d.RegistryStr())
	}
	shr := pings()
	if shr > 1 {
		t.Errorf("%d pings with the shared registry access, want at most 1:\n%s", shr, strings.Join(reg.Counter.Requests(), "\n"))
	}
	// Without it (another run attempt, another statement), each registry
	// call pings on its own: what the shared access saves.
	reg.Counter.Reset()
	b := testBuild
	b.RunAttempt = "7"
	if res, err := provenance.Attest(ctx, d.DigestStr(), []name.Repository{d.Repository}, b, s, auth); err != nil || len(res.Attached) != 1 {
		t.Fatalf("attached %v, %v", res.Attached, err)
	}
	if own := pings(); own <= shr {
		t.Errorf("%d pings with its own access, %d shared: the shared access saved nothing", own, shr)
	}
}
