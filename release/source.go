package release

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// RevisionLabel is the OCI label and annotation naming the commit an image
// was built from.
const RevisionLabel = "org.opencontainers.image.revision"

// Source is the image to release: a registry reference, an OCI layout, an
// archive, or an image value. Build one with ParseSource or the XSource
// constructors.
type Source interface {
	// String is the source as ParseSource accepts it.
	String() string
	open(ctx context.Context, o *options, c *clients) (*artifact, error)
}

// artifact is an opened source: the manifest exactly as it will be pushed.
type artifact struct {
	digest    v1.Hash
	mediaType types.MediaType
	size      int64
	taggable  remote.Taggable // a v1.Image or v1.ImageIndex
	close     func() error
	repo      string // the repository of a registry source
}

// ParseSource reads a source as the CLI's --source takes it:
//
//	REGISTRY/REPO@sha256:…   or REGISTRY/REPO:TAG   an image in a registry
//	oci:DIR[@sha256:…]                               an OCI image layout directory
//	oci-archive:FILE[@sha256:…]                      a tar of an OCI image layout
//	docker-archive:FILE                              what docker save writes
//
// A layout holding several images needs the @digest of the one to release.
func ParseSource(s string) (Source, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if ok {
		switch kind {
		case "oci", "oci-archive":
			path, dig, err := splitDigest(rest)
			if err != nil {
				return nil, err
			}
			if path == "" {
				return nil, badInputf("source %q has no path: expected %s:PATH", s, kind)
			}
			if kind == "oci" {
				return LayoutSource(path, dig), nil
			}
			return OCIArchiveSource(path, dig), nil
		case "docker-archive":
			if rest == "" {
				return nil, badInputf("source %q has no path: expected docker-archive:FILE", s)
			}
			return DockerArchiveSource(rest), nil
		}
	}
	ref, err := name.ParseReference(s, name.StrictValidation)
	if err != nil {
		return nil, badInputf("source %q is not an image reference (REGISTRY/REPO@sha256:… or :TAG) nor oci:DIR, oci-archive:FILE, docker-archive:FILE: %v", s, err)
	}
	return RegistrySource(ref), nil
}

func splitDigest(s string) (string, string, error) {
	i := strings.LastIndex(s, "@sha256:")
	if i < 0 {
		return s, "", nil
	}
	d := s[i+1:]
	if _, err := v1.NewHash(d); err != nil {
		return "", "", badInputf("digest %q: %v", d, err)
	}
	return s[:i], d, nil
}

// sourceRepo is the repository a source reads, if it is in a registry.
func sourceRepo(s Source) []name.Repository {
	if r, ok := s.(registrySource); ok {
		return []name.Repository{r.ref.Context()}
	}
	return nil
}

// RegistrySource is an image or index in a registry, by digest or by tag.
func RegistrySource(ref name.Reference) Source { return registrySource{ref} }

type registrySource struct{ ref name.Reference }

func (s registrySource) String() string { return s.ref.String() }

func (s registrySource) open(ctx context.Context, _ *options, c *clients) (*artifact, error) {
	desc, err := c.Get(ctx, s.ref)
	if err != nil {
		return nil, fmt.Errorf("reading the source manifest %q: %w", s.ref, err)
	}
	if d, ok := s.ref.(name.Digest); ok && d.DigestStr() != desc.Digest.String() {
		return nil, fmt.Errorf("reading the source manifest %q: the registry returned digest %s", s.ref, desc.Digest)
	}
	var t remote.Taggable
	switch {
	case desc.MediaType.IsIndex():
		t, err = memoized(desc.ImageIndex())
	case desc.MediaType.IsImage():
		t, err = desc.Image()
	default:
		return nil, badInputf("source %q is a %s: expected an image or an image index", s.ref, desc.MediaType)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the source %q: %w", s.ref, err)
	}
	return &artifact{digest: desc.Digest, mediaType: desc.MediaType, size: desc.Size, taggable: t, repo: s.ref.Context().Name()}, nil
}

// LayoutSource is an OCI image layout directory (docker buildx build
// --output type=oci,tar=false). digest picks one of its images; it may be
// empty when index.json lists exactly one.
func LayoutSource(dir, digest string) Source { return layoutSource{dir: dir, digest: digest} }

type layoutSource struct{ dir, digest string }

func (s layoutSource) String() string { return sourceString("oci", s.dir, s.digest) }

func sourceString(kind, path, digest string) string {
	if digest != "" {
		return kind + ":" + path + "@" + digest
	}
	return kind + ":" + path
}

func (s layoutSource) open(_ context.Context, _ *options, _ *clients) (*artifact, error) {
	return openLayout(s.dir, s.digest, s.String(), nil)
}

func openLayout(dir, digest, label string, closer func() error) (*artifact, error) {
	fail := func(err error) (*artifact, error) {
		if closer != nil {
			_ = closer()
		}
		return nil, err
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		return fail(badInputf("opening the OCI layout %q: %v (expected a directory with oci-layout and index.json)", label, err))
	}
	ii, err := p.ImageIndex()
	if err != nil {
		return fail(fmt.Errorf("reading %q: %w", label, err))
	}
	im, err := ii.IndexManifest()
	if err != nil {
		return fail(fmt.Errorf("reading the index.json of %q: %w", label, err))
	}
	var pick *v1.Descriptor
	for i, d := range im.Manifests {
		if digest == "" || d.Digest.String() == digest {
			if pick != nil {
				return fail(badInputf("the layout %q holds several images: add @sha256:… to pick one", label))
			}
			pick = &im.Manifests[i]
		}
	}
	if pick == nil {
		if digest != "" {
			return fail(badInputf("the layout %q has no image %s", label, digest))
		}
		return fail(badInputf("the layout %q holds no image", label))
	}
	a := &artifact{digest: pick.Digest, mediaType: pick.MediaType, size: pick.Size, close: closer}
	switch {
	case pick.MediaType.IsIndex():
		a.taggable, err = ii.ImageIndex(pick.Digest)
	case pick.MediaType.IsImage():
		a.taggable, err = ii.Image(pick.Digest)
	default:
		err = badInputf("%s in %q is a %s: expected an image or an image index", pick.Digest, label, pick.MediaType)
	}
	if err != nil {
		return fail(fmt.Errorf("reading %s in %q: %w", pick.Digest, label, err))
	}
	// Check the bytes: the digest users pull is this one.
	raw, err := a.taggable.RawManifest()
	if err != nil {
		return fail(fmt.Errorf("reading %s in %q: %w", pick.Digest, label, err))
	}
	if h, _, _ := v1.SHA256(strings.NewReader(string(raw))); h != pick.Digest {
		return fail(fmt.Errorf("reading %q: manifest %s has digest %s: the layout is corrupt", label, pick.Digest, h))
	}
	return a, nil
}

// OCIArchiveSource is a tar of an OCI image layout (docker buildx build
// --output type=oci). It is unpacked into a temporary directory that Apply
// and BuildPlan remove when done.
func OCIArchiveSource(file, digest string) Source {
	return ociArchiveSource{file: file, digest: digest}
}

type ociArchiveSource struct{ file, digest string }

func (s ociArchiveSource) String() string { return sourceString("oci-archive", s.file, s.digest) }

func (s ociArchiveSource) open(_ context.Context, _ *options, _ *clients) (*artifact, error) {
	dir, err := os.MkdirTemp("", "sonic-release-oci-")
	if err != nil {
		return nil, err
	}
	cleanup := func() error { return os.RemoveAll(dir) }
	if err := untar(s.file, dir); err != nil {
		_ = cleanup()
		return nil, err
	}
	return openLayout(dir, s.digest, s.String(), cleanup)
}

func untar(file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return badInputf("opening the archive %q: %v", file, err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return badInputf("reading the archive %q: %v (expected a tar of an OCI layout)", file, err)
		}
		clean := filepath.Clean(h.Name)
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return badInputf("the archive %q has an unsafe path %q", file, h.Name)
		}
		dst := filepath.Join(dir, clean)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			out, err := os.Create(dst)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("unpacking %q from %q: %w", h.Name, file, err)
			}
		}
	}
}

// DockerArchiveSource is what docker save writes: a tar with manifest.json
// holding exactly one image. Its manifest is the Docker v2 manifest that
// go-containerregistry computes from the archive's config and layers.
func DockerArchiveSource(file string) Source { return dockerArchiveSource{file} }

type dockerArchiveSource struct{ file string }

func (s dockerArchiveSource) String() string { return "docker-archive:" + s.file }

func (s dockerArchiveSource) open(_ context.Context, _ *options, _ *clients) (*artifact, error) {
	if _, err := os.Stat(s.file); err != nil {
		return nil, badInputf("opening the archive %q: %v", s.file, err)
	}
	img, err := tarball.ImageFromPath(s.file, nil)
	if err != nil {
		return nil, badInputf("reading the docker archive %q: %v", s.file, err)
	}
	return imageArtifact(img, s.String())
}

// ImageSource is an image value (go-containerregistry's v1.Image), for
// library users and tests. It cannot be named in a serialized plan.
func ImageSource(img v1.Image) Source { return valueSource{img} }

// IndexSource is an image index value, for library users and tests.
func IndexSource(idx v1.ImageIndex) Source { return valueSource{idx} }

type valueSource struct{ t remote.Taggable }

func (s valueSource) String() string { return "value" }

func (s valueSource) open(_ context.Context, _ *options, _ *clients) (*artifact, error) {
	switch t := s.t.(type) {
	case v1.Image:
		return imageArtifact(t, "image value")
	case v1.ImageIndex:
		d, err := t.Digest()
		if err != nil {
			return nil, err
		}
		mt, err := t.MediaType()
		if err != nil {
			return nil, err
		}
		sz, err := t.Size()
		if err != nil {
			return nil, err
		}
		return &artifact{digest: d, mediaType: mt, size: sz, taggable: t}, nil
	}
	return nil, errors.New("source value is neither an image nor an index")
}

func imageArtifact(img v1.Image, label string) (*artifact, error) {
	d, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", label, err)
	}
	mt, err := img.MediaType()
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", label, err)
	}
	sz, err := img.Size()
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", label, err)
	}
	return &artifact{digest: d, mediaType: mt, size: sz, taggable: img}, nil
}

// revision returns the source's org.opencontainers.image.revision: the
// manifest annotation, else the image config label; for an index, the
// index annotation, else that of its first platform image (attestation
// manifests, platform unknown/unknown, are skipped).
func (a *artifact) revision() (string, error) {
	raw, err := a.taggable.RawManifest()
	if err != nil {
		return "", err
	}
	var m struct {
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(raw, &m); err == nil && m.Annotations[RevisionLabel] != "" {
		return m.Annotations[RevisionLabel], nil
	}
	switch t := a.taggable.(type) {
	case v1.Image:
		return imageRevision(t)
	case v1.ImageIndex:
		im, err := t.IndexManifest()
		if err != nil {
			return "", err
		}
		for _, d := range im.Manifests {
			if !d.MediaType.IsImage() || (d.Platform != nil && d.Platform.OS == "unknown") {
				continue
			}
			img, err := t.Image(d.Digest)
			if err != nil {
				return "", err
			}
			return imageRevision(img)
		}
	}
	return "", nil
}

func imageRevision(img v1.Image) (string, error) {
	m, err := img.Manifest()
	if err != nil {
		return "", err
	}
	if r := m.Annotations[RevisionLabel]; r != "" {
		return r, nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", configError(img, err)
	}
	return cf.Config.Labels[RevisionLabel], nil
}

// configError says what is wrong with an image whose config blob does not
// decode: that is the image, not the network (bad input, not retried).
func configError(img v1.Image, err error) error {
	var (
		syntax *json.SyntaxError
		shape  *json.UnmarshalTypeError
	)
	if !errors.As(err, &syntax) && !errors.As(err, &shape) {
		return err
	}
	blob := "blob"
	if d, derr := img.ConfigName(); derr == nil {
		blob = "blob " + d.String()
	}
	what := "is not JSON"
	if shape != nil {
		what = "is not an image config"
	}
	return badInputf("the image's config %s %s (%w): the image is malformed; rebuild and push it, then release the new digest", blob, what, err)
}
