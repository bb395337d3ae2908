package release_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

// rawManifest is a manifest pushed as it is, however broken what it names.
type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }

// TestConfigNotJSON: a source whose config blob is not JSON cannot be
// released as it is (bad input, exit 2), and the error says what is wrong
// with the image rather than only what the JSON decoder saw.
func TestConfigNotJSON(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	ref, err := name.ParseReference(reg.Repo("acme/build:ci"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := static.NewLayer([]byte("this is not JSON"), types.OCIConfigJSON)
	if err := remote.WriteLayer(ref.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	cd, _ := cfg.Digest()
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Config: v1.Descriptor{MediaType: types.OCIConfigJSON, Digest: cd, Size: 16}, Layers: []v1.Descriptor{}}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(ref, rawManifest{raw, types.OCIManifestSchema1}); err != nil {
		t.Fatal(err)
	}
	d, _, _ := v1.SHA256(strings.NewReader(string(raw)))
	src := ref.Context().Digest(d.String())

	_, err = release.BuildPlan(t.Context(), release.RegistrySource(src), []name.Repository{repo(t, reg.Repo("acme/app"))}, event(t, "refs/tags/v1.0.0"), tagging.Policy{})
	var b interface{ BadInput() bool }
	if err == nil || !errors.As(err, &b) || !b.BadInput() {
		t.Fatalf("error = %v, want a bad-input error", err)
	}
	t.Log(err)
	for _, want := range []string{"config blob " + cd.String() + " is not JSON", "invalid character"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
