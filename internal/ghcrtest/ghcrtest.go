// Package ghcrtest pairs the fake GitHub's Packages API with a real
// registry whose content is the package's versions, as on GHCR: pushing
// adds one version per new manifest digest (children and signatures
// included), dated by the fixture's clock; deleting a version through the
// API deletes its manifest in the registry. Tests of prune use it.
package ghcrtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/ghcrsim"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// Fixture is a GHCR package: a registry repository and its versions in the
// fake GitHub.
type Fixture struct {
	Reg   *registrytest.Server
	GH    *fakegithub.Server
	Repo  name.Repository
	Owner string // "acme"
	Name  string // "app"
	Org   bool
	// PubKey and PubPath are the cosign public key the images are signed with.
	PubKey  []byte
	PubPath string

	signer *sign.Signer
	mu     sync.Mutex
	now    time.Time
	ids    map[string]int64 // digest → version id
	// failAfter makes deletes fail after that many more succeed (-1: never).
	failAfter int
	deleted   int
	failNext  int
}

// New starts the real registry (the pinned distribution) and the fake
// GitHub; the package is acme/app, owned by an organization when org.
func New(t testing.TB, org bool) *Fixture {
	t.Helper()
	f := &Fixture{Reg: registrytest.StartRegistry(t), Owner: "acme", Name: "app", Org: org,
		now: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), ids: map[string]int64{}, failAfter: -1}
	f.GH = fakegithub.New(t, fakegithub.WithClock(f.Now))
	var err error
	if f.Repo, err = name.NewRepository(f.Reg.Repo("acme/app")); err != nil {
		t.Fatal(err)
	}
	priv, pub, _, pubPath := sigstoretest.KeyPair(t)
	f.PubKey, f.PubPath = pub, pubPath
	if f.signer, err = sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithRemoteOptions(f.Remote()...)); err != nil {
		t.Fatal(err)
	}
	f.GH.OnDeletePackageVersion(f.onDelete)
	return f
}

// Now is the fixture's clock.
func (f *Fixture) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the clock.
func (f *Fixture) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// Remote are the registry options with the registry's credentials.
func (f *Fixture) Remote() []remote.Option {
	return []remote.Option{remote.WithAuthFromKeychain(f.Reg.Keychain())}
}

// FailDeletesAfter makes every delete fail (502) once n more succeeded;
// a negative n lets every delete through.
func (f *Fixture) FailDeletesAfter(n int) {
	f.mu.Lock()
	f.failAfter, f.deleted = n, 0
	f.mu.Unlock()
}

// FailNextDeletes makes the next n deletes fail (502), then lets them
// through: a transient error.
func (f *Fixture) FailNextDeletes(n int) {
	f.mu.Lock()
	f.failNext = n
	f.mu.Unlock()
}

func (f *Fixture) onDelete(v fakegithub.PackageVersion) error {
	f.mu.Lock()
	if f.failNext > 0 || (f.failAfter >= 0 && f.deleted >= f.failAfter) {
		f.failNext = max(0, f.failNext-1)
		f.mu.Unlock()
		return fmt.Errorf("injected failure deleting %s", v.Name)
	}
	f.deleted++
	f.mu.Unlock()
	// As GHCR: the version's manifest goes, and every tag on it.
	return remote.Delete(f.Repo.Digest(v.Name), f.Remote()...)
}

// Image is what PushIndex pushed.
type Image struct {
	Digest    string
	Platforms []string // the two platform manifests
	Att       string   // the BuildKit attestation manifest
}

// PushIndex pushes a new two-platform index (with a BuildKit attestation
// manifest) tagged tags, signs the index and each platform image with
// cosign, advances the clock an hour and records the new versions.
func (f *Fixture) PushIndex(t testing.TB, tags ...string) Image {
	t.Helper()
	ctx := context.Background()
	var ii v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var img Image
	for i, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}, {OS: "unknown", Architecture: "unknown"}} {
		im, err := random.Image(512, 2)
		if err != nil {
			t.Fatal(err)
		}
		im = mutate.MediaType(im, types.OCIManifestSchema1)
		cf, err := im.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = p.OS, p.Architecture
		if im, err = mutate.ConfigFile(im, cf); err != nil {
			t.Fatal(err)
		}
		d, _ := im.Digest()
		desc := v1.Descriptor{Platform: &p}
		if i == 2 {
			desc.Annotations = map[string]string{"vnd.docker.reference.type": "attestation-manifest"}
			img.Att = d.String()
		} else {
			img.Platforms = append(img.Platforms, d.String())
		}
		ii = mutate.AppendManifests(ii, mutate.IndexAddendum{Add: im, Descriptor: desc})
	}
	d, _ := ii.Digest()
	img.Digest = d.String()
	for _, tag := range tags {
		if err := remote.WriteIndex(f.Repo.Tag(tag), ii, f.Remote()...); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.signer.Sign(ctx, f.Repo.Digest(img.Digest)); err != nil {
		t.Fatal(err)
	}
	f.Sync(t)
	return img
}

// AddReferrer attaches an OCI artifact to subject the way GHCR keeps
// referrers (it has no referrers API): the artifact manifest, with subject
// set, listed by the fallback index tagged sha256-<hex>.
func (f *Fixture) AddReferrer(t testing.TB, subject string) string {
	t.Helper()
	sd, err := v1.NewHash(subject)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(f.Repo.Digest(subject), f.Remote()...)
	if err != nil {
		t.Fatal(err)
	}
	layer := static.NewLayer([]byte(`{"predicateType":"https://slsa.dev/provenance/v1"}`), "application/vnd.in-toto+json")
	art, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		t.Fatal(err)
	}
	art = mutate.ConfigMediaType(art, "application/vnd.dev.sigstore.bundle.v0.3+json")
	art = mutate.Subject(art, *desc).(v1.Image)
	ad, _ := art.Digest()
	if err := remote.Write(f.Repo.Digest(ad.String()), art, f.Remote()...); err != nil {
		t.Fatal(err)
	}
	adesc, err := remote.Head(f.Repo.Digest(ad.String()), f.Remote()...)
	if err != nil {
		t.Fatal(err)
	}
	adesc.ArtifactType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{Add: art, Descriptor: *adesc})
	if err := remote.WriteIndex(f.Repo.Tag(sd.Algorithm+"-"+sd.Hex), idx, f.Remote()...); err != nil {
		t.Fatal(err)
	}
	f.Sync(t)
	return ad.String()
}

// Tag puts tag on digest (a floating tag moving, say) and records it.
func (f *Fixture) Tag(t testing.TB, tag, digest string) {
	t.Helper()
	desc, err := remote.Get(f.Repo.Digest(digest), f.Remote()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Tag(f.Repo.Tag(tag), desc, f.Remote()...); err != nil {
		t.Fatal(err)
	}
	f.Sync(t)
}

// Sync records in the fake GitHub what the registry holds now, as GHCR
// lists it: a version per new manifest digest, created now (and the clock
// advances an hour); the tags of every known version as they are now (a
// version whose last tag moved away stays, untagged).
func (f *Fixture) Sync(t testing.TB) {
	t.Helper()
	ms, err := ghcrsim.Manifests(context.Background(), f.Repo, f.Remote()...)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range ms {
		seen[m.Digest] = true
		if id, ok := f.ids[m.Digest]; ok {
			f.GH.SetPackageVersionTags(f.Owner, f.Org, "container", f.Name, id, m.Tags)
			continue
		}
		f.ids[m.Digest] = f.GH.AddPackageVersion(f.Owner, f.Org, "container", f.Name, fakegithub.PackageVersion{Name: m.Digest, Tags: m.Tags, CreatedAt: f.Now()})
	}
	for d, id := range f.ids {
		if !seen[d] {
			f.GH.SetPackageVersionTags(f.Owner, f.Org, "container", f.Name, id, nil)
		}
	}
	f.Advance(time.Hour)
}

// Versions are the package's versions in the fake GitHub now, by digest.
func (f *Fixture) Versions() map[string]fakegithub.PackageVersion {
	out := map[string]fakegithub.PackageVersion{}
	for _, v := range f.GH.PackageVersions(f.Owner, f.Org, "container", f.Name) {
		out[v.Name] = v
	}
	return out
}

// CheckIntact fails the test unless tag pulls completely (Pull) and every
// manifest of it verifies with the fixture's key through sign.Verify
// (index and platform images).
func (f *Fixture) CheckIntact(t testing.TB, tag string) {
	t.Helper()
	if err := f.Pull(tag); err != nil {
		t.Errorf("pulling %s completely: %v", tag, err)
	}
	if _, err := sign.Verify(context.Background(), f.Repo.Tag(tag).String(), sign.WithPublicKey(f.PubKey), sign.WithRequireTransparencyLog(false), sign.WithRemoteOptions(f.Remote()...)); err != nil {
		t.Errorf("verifying %s: %v", tag, err)
	}
}

// CheckEveryTag pulls every tag of the repository completely: after a
// prune, stopped half-way or not, no tag may point at a broken image.
func (f *Fixture) CheckEveryTag(t testing.TB) {
	t.Helper()
	for tag := range f.Reg.Tags(t, f.Repo.String()) {
		if err := f.Pull(tag); err != nil {
			t.Errorf("pulling %s completely: %v", tag, err)
		}
	}
}

// Pull reads tag as a client pulling it would, completely: the manifest,
// every manifest an index lists (recursively), and every blob (config and
// layers) of every image manifest, each checked against its digest.
func (f *Fixture) Pull(tag string) error {
	desc, err := remote.Get(f.Repo.Tag(tag), f.Remote()...)
	if err != nil {
		return err
	}
	return f.pull(desc)
}

func (f *Fixture) pull(desc *remote.Descriptor) error {
	if desc.MediaType.IsIndex() {
		im, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
		if err != nil {
			return err
		}
		for _, c := range im.Manifests {
			cd, err := remote.Get(f.Repo.Digest(c.Digest.String()), f.Remote()...)
			if err != nil {
				return fmt.Errorf("child %s: %w", c.Digest, err)
			}
			if err := f.pull(cd); err != nil {
				return err
			}
		}
		return nil
	}
	m, err := v1.ParseManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return err
	}
	for _, b := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		l, err := remote.Layer(f.Repo.Digest(b.Digest.String()), f.Remote()...)
		if err != nil {
			return fmt.Errorf("blob %s of %s: %w", b.Digest, desc.Digest, err)
		}
		rc, err := l.Compressed()
		if err != nil {
			return fmt.Errorf("blob %s of %s: %w", b.Digest, desc.Digest, err)
		}
		h, n, err := v1.SHA256(rc)
		rc.Close()
		if err != nil || h != b.Digest || n != b.Size {
			return fmt.Errorf("blob %s of %s: read %s (%d bytes): %v", b.Digest, desc.Digest, h, n, err)
		}
	}
	return nil
}

// CosignVerify runs the cosign CLI's verify on tag with the fixture's key.
func (f *Fixture) CosignVerify(t testing.TB, tag string) {
	t.Helper()
	out, err := sigstoretest.Cosign(t, []string{"DOCKER_CONFIG=" + f.DockerConfig(t)}, "verify", "--key", f.PubPath, "--insecure-ignore-tlog=true", f.Repo.Tag(tag).String())
	if err != nil {
		t.Errorf("cosign verify %s: %v\n%s", tag, err, out)
	} else if !strings.Contains(out, "The signatures were verified against the specified public key") {
		t.Errorf("cosign verify %s says:\n%s", tag, out)
	}
}

// DockerConfig writes a DOCKER_CONFIG directory holding the registry's
// credentials and returns it.
func (f *Fixture) DockerConfig(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(f.Reg.User + ":" + f.Reg.Password))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"auths":{"`+f.Reg.Host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
