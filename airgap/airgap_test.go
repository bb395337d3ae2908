package airgap_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sonicsaas/sonic-release/airgap"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
)

// pushIndex pushes a two-platform index of random images (layers of
// layerSize bytes) to repo and returns its digest.
func pushIndex(t testing.TB, repo string, layerSize int64, layers int64, ropts ...remote.Option) name.Digest {
	t.Helper()
	var idx v1.ImageIndex = empty.Index
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}} {
		img, err := random.Image(layerSize, layers)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = p.OS, p.Architecture
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	return pushIndexValue(t, repo, idx, ropts...)
}

func pushIndexValue(t testing.TB, repo string, idx v1.ImageIndex, ropts ...remote.Option) name.Digest {
	t.Helper()
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewDigest(repo + "@" + d.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, ropts...); err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestBundleMatchesRegistry(t *testing.T) {
	reg := registrytest.StartRegistry(t)
	ropts := []remote.Option{remote.WithAuthFromKeychain(reg.Keychain())}
	ref := pushIndex(t, reg.Repo("sonicsaas/sonicsaas-app"), 4096, 3, ropts...)
	tags := []name.Tag{mustTag(t, reg.Repo("sonicsaas/sonicsaas-app")+":v1.2.3"), mustTag(t, reg.Repo("sonicsaas/sonicsaas-app")+":v1.2")}
	ctx := context.Background()

	plan, err := airgap.PlanBundle(ctx, []airgap.Image{{Ref: ref, Tags: tags, Base: "sonicsaas-app_v1.2.3"}}, airgap.WithRemoteOptions(ropts...))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range plan.Archives {
		names = append(names, a.Name)
	}
	if want := []string{"sonicsaas-app_v1.2.3_linux-amd64.tar.gz", "sonicsaas-app_v1.2.3_linux-arm64.tar.gz"}; !slices.Equal(names, want) {
		t.Fatalf("archives %v, want %v", names, want)
	}
	dir := t.TempDir()
	b, err := airgap.Write(ctx, plan, dir, airgap.WithRemoteOptions(ropts...))
	if err != nil {
		t.Fatal(err)
	}

	idx, err := remote.Index(ref, ropts...)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range b.Archives {
		want := im.Manifests[i]
		if a.Platform != want.Platform.String() || a.Image != ref.Context().Digest(want.Digest.String()).String() {
			t.Errorf("archive %s is of %s %s, want %s %s", a.Name, a.Platform, a.Image, want.Platform, want.Digest)
		}
		regImg, err := idx.Image(want.Digest)
		if err != nil {
			t.Fatal(err)
		}
		tarPath := gunzip(t, a.Path)

		// What `docker load` reads: manifest.json, its config and layers.
		for _, tag := range tags {
			got, err := tarball.ImageFromPath(tarPath, &tag)
			if err != nil {
				t.Fatalf("%s: tarball.ImageFromPath(%s): %v", a.Name, tag, err)
			}
			compareDigests(t, a.Name, regImg, got)
		}
		// What `docker load` of Docker 25+ reads: the OCI layout, with the
		// registry's platform manifest itself.
		lp := extract(t, tarPath)
		lidx, err := layout.ImageIndexFromPath(lp)
		if err != nil {
			t.Fatal(err)
		}
		lm, err := lidx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		if len(lm.Manifests) != len(tags) {
			t.Fatalf("%s: index.json has %d manifests, want one per tag (%d)", a.Name, len(lm.Manifests), len(tags))
		}
		for j, d := range lm.Manifests {
			if d.Digest != want.Digest || d.Annotations["io.containerd.image.name"] != tags[j].String() || d.Annotations["org.opencontainers.image.ref.name"] != tags[j].TagStr() {
				t.Errorf("%s: index.json entry %d is %s %v, want %s named %s", a.Name, j, d.Digest, d.Annotations, want.Digest, tags[j])
			}
		}
		limg, err := lidx.Image(want.Digest)
		if err != nil {
			t.Fatal(err)
		}
		compareDigests(t, a.Name+" (OCI layout)", regImg, limg)
		var dm []struct{ RepoTags []string }
		readJSON(t, filepath.Join(lp, "manifest.json"), &dm)
		if len(dm) != 1 || !slices.Equal(dm[0].RepoTags, []string{tags[0].String(), tags[1].String()}) {
			t.Errorf("%s: manifest.json RepoTags %+v, want %s and %s", a.Name, dm, tags[0], tags[1])
		}
	}

	// SHA256SUMS, checked by the real sha256sum.
	sums, err := os.ReadFile(filepath.Join(dir, airgap.SumsName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sums, b.Sums) || strings.Count(string(sums), "\n") != 2 {
		t.Fatalf("SHA256SUMS:\n%s", sums)
	}
	sha256sum(t, dir, true)
	f, err := os.OpenFile(b.Archives[1].Path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0})
	f.Close()
	sha256sum(t, dir, false)

	// The same image gives the same archive, byte for byte: a re-run
	// finds its assets unchanged.
	again, err := airgap.Write(ctx, plan, t.TempDir(), airgap.WithRemoteOptions(ropts...))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Sums, b.Sums) {
		t.Errorf("a second write differs:\n%s\nfirst:\n%s", again.Sums, b.Sums)
	}
}

func TestPlanBundleFiltersAndRefuses(t *testing.T) {
	reg := registrytest.NewMemory(t)
	ref, _, _ := sigstoretest.PushIndex(t, reg.Host, "app", "build")
	ctx := context.Background()
	p, err := airgap.PlanBundle(ctx, []airgap.Image{{Ref: ref, Base: "app_v1"}}, airgap.WithPlatforms("linux/arm64"))
	if err != nil || len(p.Archives) != 1 || p.Archives[0].Name != "app_v1_linux-arm64.tar.gz" {
		t.Fatalf("plan %+v, %v", p, err)
	}
	if _, err := airgap.PlanBundle(ctx, []airgap.Image{{Ref: ref, Base: "app_v1"}}, airgap.WithPlatforms("windows/amd64")); !isBadInput(err) {
		t.Errorf("no platform left: %v, want a bad-input error", err)
	}
	if _, err := airgap.PlanBundle(ctx, []airgap.Image{{Ref: ref, Base: "../app"}}); !isBadInput(err) {
		t.Errorf("a name with a path: %v, want a bad-input error", err)
	}
	if _, err := airgap.PlanBundle(ctx, []airgap.Image{{Ref: ref, Base: "app"}, {Ref: ref, Base: "app"}}); !isBadInput(err) {
		t.Errorf("two images of one name: %v, want a bad-input error", err)
	}
}

func isBadInput(err error) bool {
	b, ok := err.(interface{ BadInput() bool })
	return ok && b.BadInput()
}

func compareDigests(t *testing.T, what string, want, got v1.Image) {
	t.Helper()
	wc, err := want.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	gc, err := got.ConfigName()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if wc != gc {
		t.Errorf("%s: config (image ID) %s, registry %s", what, gc, wc)
	}
	wl, _ := want.Layers()
	gl, err := got.Layers()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(wl) != len(gl) {
		t.Fatalf("%s: %d layers, registry %d", what, len(gl), len(wl))
	}
	for i := range wl {
		wd, _ := wl[i].Digest()
		gd, err := gl[i].Digest()
		if err != nil || wd != gd {
			t.Errorf("%s: layer %d is %s (%v), registry %s", what, i, gd, err, wd)
		}
		wdiff, _ := wl[i].DiffID()
		gdiff, err := gl[i].DiffID()
		if err != nil || wdiff != gdiff {
			t.Errorf("%s: layer %d diff ID %s (%v), registry %s", what, i, gdiff, err, wdiff)
		}
	}
}

func gunzip(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s is not gzip: %v", p, err)
	}
	out := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(p), ".gz"))
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := io.Copy(w, zr); err != nil {
		t.Fatal(err)
	}
	return out
}

func extract(t *testing.T, tarPath string) string {
	t.Helper()
	f, err := os.Open(tarPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

func sha256sum(t *testing.T, dir string, ok bool) {
	t.Helper()
	cmd := exec.Command("sha256sum", "-c", airgap.SumsName)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if (err == nil) != ok {
		t.Errorf("sha256sum -c: %v (want success %v):\n%s", err, ok, out)
	}
}

func mustTag(t testing.TB, s string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(s)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}
