package sign

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// target is one manifest to sign or verify.
type target struct {
	digest   name.Digest
	platform string // "" for the top-level manifest or index
}

// targets resolves ref to its digest and, for an index, adds each platform
// manifest. Attestation manifests (platform unknown/unknown, or the
// vnd.docker.reference.type=attestation-manifest annotation) are skipped:
// they are not images anyone runs.
func targets(ctx context.Context, ref name.Reference, opts []remote.Option) ([]target, error) {
	desc, err := remote.Get(ref, append(opts, remote.WithContext(ctx))...)
	if err != nil {
		return nil, fmt.Errorf("fetching %q: %w", ref, err)
	}
	top := ref.Context().Digest(desc.Digest.String())
	out := []target{{digest: top}}
	if !desc.MediaType.IsIndex() {
		return out, nil
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading index %q: %w", top, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index %q: %w", top, err)
	}
	for _, m := range im.Manifests {
		if attestation(m) || !(m.MediaType.IsImage() || m.MediaType.IsIndex()) {
			continue
		}
		p := ""
		if m.Platform != nil {
			p = m.Platform.String()
		}
		out = append(out, target{digest: ref.Context().Digest(m.Digest.String()), platform: p})
	}
	return out, nil
}

func attestation(m v1.Descriptor) bool {
	if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return true
	}
	return m.Platform != nil && m.Platform.OS == "unknown" && m.Platform.Architecture == "unknown"
}
