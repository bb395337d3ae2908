package release_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
)

// TestRegistry reads and re-points tags and puts an annotation-only
// artifact in the real registry, with its credentials.
func TestRegistry(t *testing.T) {
	reg := registrytest.StartRegistry(t)
	ctx := t.Context()
	repo, _ := name.NewRepository(reg.Repo("acme/app"))
	auth := remote.WithAuthFromKeychain(reg.Keychain())
	var digests []string
	for _, tag := range []string{"v1.0.0", "v1.1.0"} {
		img := image(t, "")
		if err := remote.Write(repo.Tag(tag), img, auth); err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		digests = append(digests, d.String())
	}
	if err := remote.Tag(repo.Tag("latest"), mustGet(t, repo.Tag("v1.1.0"), auth), auth); err != nil {
		t.Fatal(err)
	}
	r, err := release.NewRegistry([]name.Repository{repo}, true, release.WithKeychain(reg.Keychain()))
	if err != nil {
		t.Fatal(err)
	}
	tags, err := r.Tags(ctx, repo)
	if err != nil || len(tags) != 3 {
		t.Fatalf("tags %v %v", tags, err)
	}
	got, err := r.Digests(ctx, repo, []string{"latest", "v1.0.0", "v9.9.9"})
	if err != nil || got["latest"] != digests[1] || got["v1.0.0"] != digests[0] || got["v9.9.9"] != "" {
		t.Fatalf("digests %v %v", got, err)
	}
	if err := r.Retag(ctx, repo, "latest", digests[0]); err != nil {
		t.Fatal(err)
	}
	if d := registrytest.Tags(t, repo, auth)["latest"]; d != digests[0] {
		t.Errorf("latest = %s, want %s", d, digests[0])
	}

	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example+json",` +
		`"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"` + release.EmptyDigest + `","size":2},` +
		`"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"` + release.EmptyDigest + `","size":2}],"annotations":{"why":"test"}}`
	d, err := r.PutArtifact(ctx, repo, "marker.v1.0.0", []byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	desc := mustGet(t, repo.Tag("marker.v1.0.0"), auth)
	var m struct{ Annotations map[string]string }
	if err := json.Unmarshal(desc.Manifest, &m); err != nil || desc.Digest.String() != d || m.Annotations["why"] != "test" {
		t.Errorf("marker %s %s %v", desc.Digest, d, err)
	}
	blob, err := remote.Layer(repo.Digest(release.EmptyDigest), auth)
	if err != nil {
		t.Fatal(err)
	}
	if size, err := blob.Size(); err != nil || size != 2 {
		t.Errorf("the empty blob: %d %v", size, err)
	}
	// Without credentials the registry refuses.
	ro, _ := release.NewRegistry([]name.Repository{repo}, false)
	if err := ro.Retag(ctx, repo, "latest", digests[1]); err == nil {
		t.Error("an anonymous re-tag succeeded")
	}
}

func mustGet(t *testing.T, ref name.Reference, opts ...remote.Option) *remote.Descriptor {
	t.Helper()
	d, err := remote.Get(ref, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
