package e2e

import (
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
)

// TestAirGapAsARunner: a tag push with airgap on drafts the GitHub
// release, attaches the air-gapped bundle (keyless-signed, with the Rekor
// entry and timestamp) and publishes the release last. The assets verify
// as the notes say, with the real cosign CLI and sha256sum; the archive's
// image is the registry's; a re-run uploads nothing.
func TestAirGapAsARunner(t *testing.T) {
	w := newWorld(t)
	version, commit := "v1.0.0", w.commits["v1.0.0"]
	w.tag(t, version)
	src := w.pushBuild(t, version, commit, w.created)
	j := w.tagPushJob(t, version, commit)
	res := w.run(t, j, "--airgap", "--airgap-platform", "linux/amd64")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	rel, ok := w.gh.Release(repository, version)
	if !ok || rel.Draft || !strings.Contains(rel.Body, "### Air-gapped install") {
		t.Fatalf("release %+v", rel)
	}
	dir := t.TempDir()
	var names []string
	for _, a := range w.gh.Assets(repository, version) {
		names = append(names, a.Name)
		if err := os.WriteFile(filepath.Join(dir, a.Name), a.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	archive := "app_v1.0.0_linux-amd64.tar.gz"
	if want := []string{archive, "SHA256SUMS", "SHA256SUMS.sigstore.json"}; !slices.Equal(names, want) {
		t.Fatalf("assets %v, want %v", names, want)
	}

	// The notes' commands, run as an operator would, offline against
	// the test's Sigstore servers.
	verify := "cosign verify-blob --bundle SHA256SUMS.sigstore.json --certificate-identity " + identity(j.ref) +
		" --certificate-oidc-issuer " + w.issuer.URL + " SHA256SUMS"
	if !strings.Contains(rel.Body, verify) || !strings.Contains(rel.Body, "docker load -i "+archive) {
		t.Errorf("the notes lack the commands:\n%s", rel.Body)
	}
	out, err := sigstoretest.Cosign(t, nil, "verify-blob", "--bundle", filepath.Join(dir, "SHA256SUMS.sigstore.json"),
		"--certificate-identity", identity(j.ref), "--certificate-oidc-issuer", w.issuer.URL,
		"--certificate-github-workflow-ref", j.ref, "--trusted-root", w.trustRoot, "--offline", "--insecure-ignore-sct",
		filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatalf("cosign verify-blob: %v\n%s", err, out)
	}
	sum := exec.Command("sha256sum", "--ignore-missing", "-c", "SHA256SUMS")
	sum.Dir = dir
	if out, err := sum.CombinedOutput(); err != nil || !strings.Contains(string(out), archive+": OK") {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}

	// The archive's image is the registry's linux/amd64 image, tagged
	// with the version.
	ropts := []remote.Option{remote.WithAuthFromKeychain(w.reg.Keychain())}
	idx, err := remote.Index(src, ropts...)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	var amd64 *remote.Descriptor
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.String() == "linux/amd64" {
			amd64, err = remote.Get(src.Context().Digest(d.Digest.String()), ropts...)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	regImg, err := amd64.Image()
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag(w.app + ":" + version)
	got, err := tarball.Image(func() (io.ReadCloser, error) {
		f, err := os.Open(filepath.Join(dir, archive))
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{zr, f}, nil
	}, &tag)
	if err != nil {
		t.Fatal(err)
	}
	wantCfg, _ := regImg.ConfigName()
	gotCfg, err := got.ConfigName()
	if err != nil || gotCfg != wantCfg {
		t.Errorf("archive image ID %s (%v), registry %s", gotCfg, err, wantCfg)
	}
	wl, _ := regImg.Layers()
	gl, err := got.Layers()
	if err != nil || len(gl) != len(wl) {
		t.Fatalf("archive layers %d (%v), registry %d", len(gl), err, len(wl))
	}
	for i := range wl {
		wd, _ := wl[i].Digest()
		if gd, _ := gl[i].Digest(); gd != wd {
			t.Errorf("layer %d: archive %s, registry %s", i, gd, wd)
		}
	}

	// A re-run of the job uploads nothing.
	calls := w.gh.Calls()["repos/upload-release-asset"]
	if res := w.run(t, j, "--airgap", "--airgap-platform", "linux/amd64"); res.code != 0 {
		t.Fatalf("re-run: exit %d\n%s", res.code, res.stderr)
	}
	if n := w.gh.Calls()["repos/upload-release-asset"] - calls; n != 0 {
		t.Errorf("the re-run uploaded %d assets", n)
	}
}
