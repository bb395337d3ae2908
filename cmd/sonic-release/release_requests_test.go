package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestReleaseRequests counts what `sonic-release release` asks the real
// registry (htpasswd) for when it releases a key-signed 2-platform index
// into two repositories: one /v2/ ping for the whole run (plan, copy,
// immutable tags, six signatures, floating tags, read-back share one
// authenticated transport), and on a re-run of the finished release one
// ping, no write, and no download of a signature payload (whether a
// manifest is already signed is read from its signature manifest). The
// first release reads no manifest back with a HEAD. It counts the legacy
// signature format and the default format both: the subject of a bundle
// is described by the index the release holds (no HEAD); on a re-run
// whose bundle was signed is read from the copy on its referrer manifest
// (sign.BundleAnnotation), so no bundle is downloaded either. After each
// run every target verifies in the format written.
//
// "both+provenance" runs it as a GitHub Actions step, where the release
// also attaches its build provenance: through the same registry access,
// still one ping.
func TestReleaseRequests(t *testing.T) {
	for _, format := range []string{"legacy", "both", "both+provenance"} {
		t.Run(format, func(t *testing.T) {
			f, prov := strings.CutSuffix(format, "+provenance")
			testReleaseRequests(t, f, prov)
		})
	}
}

// ciBuild starts the real registry, makes the docker config hold its
// credentials, and pushes the demo's v1.0.0 index to acme/ci by digest,
// as CI would have built it.
func ciBuild(t *testing.T) (*registrytest.Server, v1.ImageIndex, v1.Hash, name.Digest) {
	t.Helper()
	reg := registrytest.StartRegistry(t)
	useDockerConfig(t, reg)
	idx, err := demo.Image("v1.0.0", releaseSHA, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	src, _ := name.NewDigest(reg.Repo("acme/ci@" + d.String()))
	if err := remote.WriteIndex(src, idx, remote.WithAuthFromKeychain(reg.Keychain())); err != nil {
		t.Fatal(err)
	}
	return reg, idx, d, src
}

func testReleaseRequests(t *testing.T, format string, prov bool) {
	reg, _, d, src := ciBuild(t)
	_, pub, privPath, _ := sigstoretest.KeyPair(t)
	env := map[string]string{"COSIGN_PASSWORD": sigstoretest.KeyPassword}
	if prov {
		gh := fakegithub.New(t)
		gh.AddRepo("acme/app")
		env = actionsRunEnv(t, gh.URL, "acme/app", "refs/tags/v1.0.0", releaseSHA)
	}
	args := []string{"release", "--source", src.String(), "--image", reg.Repo("acme/app"), "--image", reg.Repo("acme/mirror"),
		"--ref", "refs/tags/v1.0.0", "--sha", releaseSHA, "--sign", "key", "--key", privPath, "--tlog-upload=false", "--notes=false", "--signature-format", format}

	type counts struct{ pings, sigBlobGets, manifestHeads, blobHeads, writes int }
	count := func() counts {
		var c counts
		for _, r := range reg.Counter.Requests() {
			switch {
			case r == "GET /v2/" || r == "HEAD /v2/":
				c.pings++
			case strings.HasPrefix(r, "GET /v2/acme/app/blobs/") || strings.HasPrefix(r, "GET /v2/acme/mirror/blobs/"):
				c.sigBlobGets++
			case strings.HasPrefix(r, "HEAD /v2/acme/app/manifests/") || strings.HasPrefix(r, "HEAD /v2/acme/mirror/manifests/"):
				c.manifestHeads++
			case strings.HasPrefix(r, "HEAD /v2/acme/app/blobs/") || strings.HasPrefix(r, "HEAD /v2/acme/mirror/blobs/"):
				c.blobHeads++
			}
		}
		c.writes = len(reg.Counter.Writes())
		return c
	}
	for _, run := range []string{"first release", "re-run"} {
		reg.Counter.Reset()
		code, _, stderr := runCLI(t, env, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", run, code, stderr)
		}
		if prov && !strings.Contains(stderr, "sonic-release: provenance") {
			t.Fatalf("%s: no provenance step:\n%s", run, stderr)
		}
		got := count()
		t.Logf("%s: %s", run, reg.Counter.Summary())
		if got.pings != 1 {
			t.Errorf("%s: %d pings of /v2/, want 1 for the registry:\n%s", run, got.pings, strings.Join(reg.Counter.Requests(), "\n"))
		}
		// Into new repositories nothing is read back: every PUT's answer
		// names the digest stored, and a repository that does not exist
		// holds no manifest.
		// The image's blobs are mounted from the source repository in one
		// request each, without asking first whether they are there.
		if run == "first release" && got.blobHeads != 0 {
			t.Errorf("first release: %d HEADs of blobs in the targets, want none:\n%s", got.blobHeads, strings.Join(reg.Counter.Requests(), "\n"))
		}
		if run == "first release" && got.manifestHeads != 0 {
			t.Errorf("first release: %d HEADs of manifests in the targets, want none:\n%s", got.manifestHeads, strings.Join(reg.Counter.Requests(), "\n"))
		}
		if run == "re-run" && (got.writes != 0 || got.sigBlobGets != 0) {
			t.Errorf("re-run: %d writes, %d blob downloads in the targets, want none:\n%s", got.writes, got.sigBlobGets, strings.Join(reg.Counter.Requests(), "\n"))
		}
		// Every format written is there for a verifier: in format both the
		// bundles are listed in the fallback tags of this registry, which
		// has no referrers API.
		for _, repo := range []string{"acme/app", "acme/mirror"} {
			if _, err := sign.Verify(context.Background(), reg.Repo(repo)+"@"+d.String(), sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false),
				sign.WithSignatureFormat(sign.Format(format)), sign.WithRemoteOptions(remote.WithAuthFromKeychain(reg.Keychain()))); err != nil {
				t.Errorf("%s: %s does not verify in format %s: %v", run, repo, format, err)
			}
		}
	}
}

// TestReleaseFaultsBothFormats releases a key-signed index into two
// repositories in the default format both while the registry fails a fifth
// of the requests (429 with Retry-After: 0, 500, connection resets, and
// 500s and resets after the request was applied), re-running the release
// as a maintainer would until it completes. The requests sonic-release
// sends itself (blob mounts, one-request blob uploads, the bundle manifest
// PUT, the referrers probe, the fallback index) go through the same
// retries as go-containerregistry's, and a write repeated after an answer
// was lost changes nothing: in the end every target verifies in both
// formats, lists each bundle once, and a last run writes nothing.
func TestReleaseFaultsBothFormats(t *testing.T) {
	reg, idx, d, src := ciBuild(t)
	kc := remote.WithAuthFromKeychain(reg.Keychain())
	_, pub, privPath, _ := sigstoretest.KeyPair(t)
	env := map[string]string{"COSIGN_PASSWORD": sigstoretest.KeyPassword}
	repos := []string{"acme/app", "acme/mirror"}
	args := []string{"release", "--source", src.String(), "--ref", "refs/tags/v1.0.0", "--sha", releaseSHA,
		"--sign", "key", "--key", privPath, "--tlog-upload=false", "--notes=false"}
	for _, r := range repos {
		args = append(args, "--image", reg.Repo(r))
	}
	reg.Faults.Set(0.2, "0", 7)
	done := false
	for run := 1; run <= 6 && !done; run++ {
		code, _, stderr := runCLI(t, env, args...)
		if done = code == 0; !done {
			if code != 1 {
				t.Fatalf("run %d: exit %d, want 0 or 1 (a fault outlasting the retries): %s", run, code, stderr)
			}
			t.Logf("run %d failed, re-running: %s", run, lastLine(stderr))
		}
	}
	failed, seen := reg.Faults.Injected()
	reg.Faults.Set(0, "", 0)
	t.Logf("%d of %d requests failed on purpose", failed, seen)
	if !done {
		t.Fatal("the release did not complete in 6 runs")
	}
	if failed == 0 {
		t.Fatal("no fault was injected")
	}
	idxm, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range repos {
		if _, err := sign.Verify(context.Background(), reg.Repo(r)+"@"+d.String(), sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false),
			sign.WithSignatureFormat(sign.FormatBoth), sign.WithRemoteOptions(kc)); err != nil {
			t.Errorf("%s does not verify in both formats: %v", r, err)
		}
		// One bundle per signed manifest in its fallback index, however
		// many times its writes were repeated.
		for _, m := range append([]v1.Descriptor{{Digest: d}}, idxm.Manifests...) {
			if m.Platform != nil && m.Platform.OS == "unknown" {
				continue // an attestation manifest: not signed
			}
			fb, _ := name.NewTag(reg.Repo(r) + ":" + strings.Replace(m.Digest.String(), ":", "-", 1))
			desc, err := remote.Get(fb, kc)
			if err != nil {
				t.Errorf("%s: fallback tag of %s: %v", r, m.Digest, err)
				continue
			}
			im, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
			if err != nil || len(im.Manifests) != 1 {
				t.Errorf("%s: fallback index of %s lists %d referrers (%v), want 1", r, m.Digest, len(im.Manifests), err)
			}
		}
	}
	reg.Counter.Reset()
	if code, _, stderr := runCLI(t, env, args...); code != 0 {
		t.Fatalf("last run: exit %d: %s", code, stderr)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("the last run wrote %d times, want none:\n%s", len(w), strings.Join(w, "\n"))
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
