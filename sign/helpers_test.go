package sign_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/cosign"

	"github.com/sonicsaas/sonic-release/internal/testtool"
)

// pushImage pushes a random single-platform image to host/repo:tag.
func pushImage(t *testing.T, host, repo, tag string) name.Digest {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return ref.Context().Digest(d.String())
}

// pushIndex pushes a two-platform index with a BuildKit-style attestation
// manifest (platform unknown/unknown) and returns its digest and the
// digests of the two platform images and the attestation manifest.
func pushIndex(t *testing.T, host, repo, tag string) (idx name.Digest, platforms []name.Digest, att name.Digest) {
	t.Helper()
	ref, err := name.ParseReference(host + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	var ii v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for i, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}, {OS: "unknown", Architecture: "unknown"}} {
		img, err := random.Image(128, 1)
		if err != nil {
			t.Fatal(err)
		}
		img = mutate.MediaType(img, types.OCIManifestSchema1)
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		desc := v1.Descriptor{Platform: &p}
		if i == 2 {
			desc.Annotations = map[string]string{"vnd.docker.reference.type": "attestation-manifest"}
			att = ref.Context().Digest(d.String())
		} else {
			platforms = append(platforms, ref.Context().Digest(d.String()))
		}
		ii = mutate.AppendManifests(ii, mutate.IndexAddendum{Add: img, Descriptor: desc})
	}
	if err := remote.WriteIndex(ref, ii); err != nil {
		t.Fatal(err)
	}
	d, err := ii.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return ref.Context().Digest(d.String()), platforms, att
}

// keyPair writes a cosign key pair (password "s3cret") and returns the
// private key PEM, the public key PEM and their paths.
func keyPair(t *testing.T) (priv, pub []byte, privPath, pubPath string) {
	t.Helper()
	kb, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte("s3cret"), nil })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	privPath, pubPath = filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
	if err := os.WriteFile(privPath, kb.PrivateBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, kb.PublicBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return kb.PrivateBytes, kb.PublicBytes, privPath, pubPath
}

func password() ([]byte, error) { return []byte("s3cret"), nil }

// runCosign runs the pinned cosign CLI with a private HOME and no ambient
// credentials, and returns its combined output and error.
func runCosign(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.CommandContext(context.Background(), testtool.Path(t, "cosign"), args...)
	cmd.Env = append([]string{"HOME=" + home, "TUF_ROOT=" + filepath.Join(home, "tuf"), "PATH=/usr/bin:/bin"}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// sigTags lists the cosign signature tags in repo.
func sigTags(t *testing.T, repo name.Repository) []string {
	t.Helper()
	tags, err := remote.List(repo)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tg := range tags {
		if strings.HasSuffix(tg, ".sig") {
			out = append(out, tg)
		}
	}
	return out
}

func sigTag(d name.Digest) string {
	return strings.Replace(d.DigestStr(), ":", "-", 1) + ".sig"
}

// sigLayers counts the signatures stored for d.
func sigLayers(t *testing.T, d name.Digest) int {
	t.Helper()
	img, err := remote.Image(d.Context().Tag(sigTag(d)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return len(m.Layers)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func isRefused(err error) bool {
	var r interface{ Refused() bool }
	return errors.As(err, &r) && r.Refused()
}
