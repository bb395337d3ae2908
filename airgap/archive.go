package airgap

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ociLayout is the content of an OCI image layout's oci-layout file.
const ociLayout = `{"imageLayoutVersion":"1.0.0"}`

// epoch is the modification time of every entry: the same image gives the
// same archive, byte for byte, so a re-run finds its assets unchanged.
var epoch = time.Unix(0, 0).UTC()

// WriteArchive writes img (one platform image, as the registry serves it)
// to w as an uncompressed `docker save` archive whose loaded image
// carries tags. It streams: the config and manifest are held in memory
// (kilobytes), each layer is copied from the registry straight into w.
// The layers are written as the registry stores them (compressed);
// `docker load` decompresses them.
func WriteArchive(ctx context.Context, w io.Writer, img v1.Image, tags []name.Tag) error {
	rawManifest, err := img.RawManifest()
	if err != nil {
		return fmt.Errorf("reading the manifest: %w", err)
	}
	mf, err := v1.ParseManifest(bytes.NewReader(rawManifest))
	if err != nil {
		return fmt.Errorf("parsing the manifest: %w", err)
	}
	mfDigest, mfSize, err := v1.SHA256(bytes.NewReader(rawManifest))
	if err != nil {
		return err
	}
	mediaType, err := img.MediaType()
	if err != nil {
		return fmt.Errorf("reading the manifest's media type: %w", err)
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("reading the config: %w", err)
	}
	if cd, _, err := v1.SHA256(bytes.NewReader(rawConfig)); err != nil || cd != mf.Config.Digest {
		return fmt.Errorf("the config does not match the manifest's digest %s", mf.Config.Digest)
	}

	tw := tar.NewWriter(w)
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return err
		}
	}
	if err := writeFile(tw, blobPath(mf.Config.Digest), rawConfig); err != nil {
		return err
	}
	written := map[v1.Hash]bool{mf.Config.Digest: true}
	var layers []string
	for _, l := range mf.Layers {
		layers = append(layers, blobPath(l.Digest))
		if written[l.Digest] {
			continue // the same layer twice in one image is stored once
		}
		written[l.Digest] = true
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := copyLayer(tw, img, l); err != nil {
			return err
		}
	}
	if err := writeFile(tw, blobPath(mfDigest), rawManifest); err != nil {
		return err
	}

	// index.json: one entry per tag, as Docker writes it, so that a
	// containerd image store names the image by each of them.
	type descriptor struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Size        int64             `json:"size"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}
	index := struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Manifests     []descriptor `json:"manifests"`
	}{SchemaVersion: 2, MediaType: "application/vnd.oci.image.index.v1+json", Manifests: []descriptor{}}
	var repoTags []string
	for _, t := range tags {
		index.Manifests = append(index.Manifests, descriptor{
			MediaType: string(mediaType), Digest: mfDigest.String(), Size: mfSize,
			Annotations: map[string]string{
				"io.containerd.image.name":          fullName(t),
				"org.opencontainers.image.ref.name": t.TagStr(),
			},
		})
		repoTags = append(repoTags, familiarName(t))
	}
	if len(tags) == 0 {
		index.Manifests = append(index.Manifests, descriptor{MediaType: string(mediaType), Digest: mfDigest.String(), Size: mfSize})
	}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return err
	}
	if err := writeFile(tw, "index.json", indexJSON); err != nil {
		return err
	}
	// manifest.json: what `docker load` reads (every version).
	manifestJSON, err := json.Marshal([]struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{Config: blobPath(mf.Config.Digest), RepoTags: repoTags, Layers: layers}})
	if err != nil {
		return err
	}
	if err := writeFile(tw, "manifest.json", manifestJSON); err != nil {
		return err
	}
	if err := writeFile(tw, "oci-layout", []byte(ociLayout)); err != nil {
		return err
	}
	return tw.Close()
}

// copyLayer streams one layer blob from the registry into the archive.
// The registry client checks the blob's digest and size as it reads, and
// the tar writer refuses a blob that is not the manifest's size.
func copyLayer(tw *tar.Writer, img v1.Image, d v1.Descriptor) error {
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("reading layer %s: %w", d.Digest, err)
	}
	defer rc.Close()
	if err := tw.WriteHeader(fileHeader(blobPath(d.Digest), d.Size)); err != nil {
		return err
	}
	if _, err := io.Copy(tw, rc); err != nil {
		return fmt.Errorf("reading layer %s: %w", d.Digest, err)
	}
	return nil
}

func writeFile(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(fileHeader(name, int64(len(b)))); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

func fileHeader(name string, size int64) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, ModTime: epoch, Format: tar.FormatPAX}
}

func blobPath(h v1.Hash) string { return path.Join("blobs", h.Algorithm, h.Hex) }

// fullName is the tag's normalized reference, as containerd names an
// image: docker.io/library/postgres:16, ghcr.io/o/app:v1.2.3.
func fullName(t name.Tag) string {
	reg := t.RegistryStr()
	if reg == name.DefaultRegistry {
		reg = "docker.io"
	}
	return reg + "/" + t.RepositoryStr() + ":" + t.TagStr()
}

// familiarName is the tag as `docker save` writes it in manifest.json:
// Docker Hub's registry and library/ left out (postgres:16).
func familiarName(t name.Tag) string {
	if t.RegistryStr() != name.DefaultRegistry {
		return t.RegistryStr() + "/" + t.RepositoryStr() + ":" + t.TagStr()
	}
	return strings.TrimPrefix(t.RepositoryStr(), "library/") + ":" + t.TagStr()
}
