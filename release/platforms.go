package release

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Platform is one platform image of a released index.
type Platform struct {
	Platform string `json:"platform"` // "linux/amd64", "linux/arm/v7"
	Digest   string `json:"digest"`
}

// platforms lists the platform images of an index, leaving out attestation
// manifests (platform unknown/unknown, or annotated
// vnd.docker.reference.type=attestation-manifest). An image has none.
func (a *artifact) platforms() ([]Platform, error) {
	idx, ok := a.taggable.(v1.ImageIndex)
	if !ok {
		return nil, nil
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []Platform
	for _, d := range m.Manifests {
		if d.Platform == nil || (d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown") ||
			d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue
		}
		out = append(out, Platform{Platform: d.Platform.String(), Digest: d.Digest.String()})
	}
	return out, nil
}
