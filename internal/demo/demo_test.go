package demo

import (
	"io"
	"log"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestNewRepo(t *testing.T) {
	t.Parallel()
	r, err := NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rel := range r.Releases {
		got = append(got, rel.Version+"@"+rel.Branch)
	}
	if want := "v1.0.0@master v1.1.0@master v1.2.0@master v1.1.1@release-1.1"; strings.Join(got, " ") != want {
		t.Errorf("releases %q, want %q", got, want)
	}
	out, err := exec.Command("git", "-C", r.Dir, "log", "--format=%s", "v1.1.0..v1.2.0").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "feat!: replace customer status") {
		t.Errorf("v1.1.0..v1.2.0 log:\n%s", out)
	}
	// The same input gives the same commits: the demo is reproducible.
	r2, err := NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if r2.Head != r.Head {
		t.Errorf("heads differ: %s, %s", r.Head, r2.Head)
	}
}

func TestImage(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	idx, err := Image("v1.0.0", "0123456789abcdef0123456789abcdef01234567", when)
	if err != nil {
		t.Fatal(err)
	}
	// The index survives a push to a registry and a pull, byte for byte.
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/demo/app:v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Index(ref, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	if got, _ := pulled.Digest(); got != want {
		t.Errorf("pulled digest %s, pushed %s", got, want)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 3 || m.Manifests[2].Platform.OS != "unknown" {
		t.Fatalf("manifests %+v", m.Manifests)
	}
	again, _ := Image("v1.0.0", "0123456789abcdef0123456789abcdef01234567", when)
	d1, _ := idx.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("image is not reproducible: %s, %s", d1, d2)
	}
}
