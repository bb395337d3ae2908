package sign

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// target is one manifest to sign or verify.
type target struct {
	digest   name.Digest
	platform string        // "" for the top-level manifest or index
	desc     v1.Descriptor // the manifest's media type, digest and size
}

// targets resolves ref to its digest and, for an index, adds each platform
// manifest. Attestation manifests (platform unknown/unknown, or the
// vnd.docker.reference.type=attestation-manifest annotation) are skipped:
// they are not images anyone runs.
func targets(ctx context.Context, ref name.Reference, opts []remote.Option, known func(name.Digest) ([]byte, types.MediaType, bool)) ([]target, error) {
	raw, mt, ok := knownManifest(ref, known)
	if !ok {
		desc, err := remote.Get(ref, append(opts, remote.WithContext(ctx))...)
		if err != nil {
			return nil, fmt.Errorf("fetching %q: %w", ref, err)
		}
		raw, mt = desc.Manifest, desc.MediaType
	}
	h, n, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	top := ref.Context().Digest(h.String())
	out := []target{{digest: top, desc: v1.Descriptor{MediaType: mt, Digest: h, Size: n}}}
	if !mt.IsIndex() {
		return out, nil
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
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
		out = append(out, target{digest: ref.Context().Digest(m.Digest.String()), platform: p,
			desc: v1.Descriptor{MediaType: m.MediaType, Digest: m.Digest, Size: m.Size}})
	}
	return out, nil
}

// knownManifest is the manifest of ref, a digest, from known, when its
// bytes are that digest's.
func knownManifest(ref name.Reference, known func(name.Digest) ([]byte, types.MediaType, bool)) ([]byte, types.MediaType, bool) {
	d, ok := ref.(name.Digest)
	if !ok || known == nil {
		return nil, "", false
	}
	raw, mt, ok := known(d)
	if !ok {
		return nil, "", false
	}
	if h, _, err := v1.SHA256(bytes.NewReader(raw)); err != nil || h.String() != d.DigestStr() {
		return nil, "", false
	}
	return raw, mt, true
}

func attestation(m v1.Descriptor) bool {
	if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return true
	}
	return m.Platform != nil && m.Platform.OS == "unknown" && m.Platform.Architecture == "unknown"
}
