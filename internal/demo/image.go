package demo

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Platforms are the platforms of the demo image.
var Platforms = []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}

// Image builds a small multi-platform image of the application at version
// and commit, as docker buildx would push it: an OCI index with one image
// per platform, each labelled with org.opencontainers.image.revision, and
// an attestation manifest (platform unknown/unknown) beside them.
func Image(version, commit string, created time.Time) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range Platforms {
		layer, err := fileLayer(map[string]string{
			"app/VERSION":  version + "\n",
			"app/PLATFORM": p.OS + "/" + p.Architecture + "\n",
		}, created)
		if err != nil {
			return nil, err
		}
		img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
		if err != nil {
			return nil, fmt.Errorf("building the %s image: %w", p.Architecture, err)
		}
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = p.OS, p.Architecture
		cf.Created = v1.Time{Time: created}
		cf.Config.Cmd = []string{"/app/server"}
		cf.Config.Labels = map[string]string{
			"org.opencontainers.image.revision": commit,
			"org.opencontainers.image.version":  version,
			"org.opencontainers.image.source":   "https://github.com/SonicSaaS/sonicsaas-app",
			"org.opencontainers.image.title":    "sonicsaas-app",
		}
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			return nil, err
		}
		plat := p
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &plat}})
	}
	// An attestation manifest, as buildx adds for provenance: it must be
	// kept in the index but never signed or verified as a platform image.
	att := static.NewLayer([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2"}`), "application/vnd.in-toto+json")
	attImg, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), att)
	if err != nil {
		return nil, err
	}
	attImg = mutate.ConfigMediaType(attImg, types.OCIConfigJSON)
	idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: attImg, Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"},
	}})
	return idx, nil
}

func fileLayer(files map[string]string, mod time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range []string{"app/VERSION", "app/PLATFORM"} {
		body, ok := files[name]
		if !ok {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, tarball.WithMediaType(types.OCILayer))
}
