package sigstoretest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
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

// KeyPassword is the password of the keys KeyPair writes.
const KeyPassword = "s3cret"

// PushImage pushes a random single-platform image to host/repo:tag.
func PushImage(t testing.TB, host, repo, tag string) name.Digest {
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

// PushIndex pushes a two-platform index with a BuildKit-style attestation
// manifest (platform unknown/unknown) and returns its digest and the
// digests of the two platform images and the attestation manifest.
func PushIndex(t testing.TB, host, repo, tag string) (idx name.Digest, platforms []name.Digest, att name.Digest) {
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

// KeyPair writes a cosign key pair (password KeyPassword) and returns the
// private key PEM, the public key PEM and their paths.
func KeyPair(t testing.TB) (priv, pub []byte, privPath, pubPath string) {
	t.Helper()
	kb, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(KeyPassword), nil })
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

func Password() ([]byte, error) { return []byte(KeyPassword), nil }

// Cosign runs the pinned cosign CLI with a private HOME and no ambient
// credentials, and returns its combined output and error.
func Cosign(t testing.TB, env []string, args ...string) (string, error) {
	t.Helper()
	return runCosign(t, "cosign", env, args)
}

// Cosign3 runs the pinned cosign v3 CLI like Cosign.
func Cosign3(t testing.TB, env []string, args ...string) (string, error) {
	t.Helper()
	return runCosign(t, "cosign3", env, args)
}

func runCosign(t testing.TB, tool string, env, args []string) (string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.CommandContext(context.Background(), testtool.Path(t, tool), args...)
	cmd.Env = append([]string{"HOME=" + home, "TUF_ROOT=" + filepath.Join(home, "tuf"), "PATH=/usr/bin:/bin"}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// Referrers lists the referrers of d (by the referrers API or the
// sha256-<hex> fallback tag).
func Referrers(t testing.TB, d name.Digest, opts ...remote.Option) []v1.Descriptor {
	t.Helper()
	idx, err := remote.Referrers(d, opts...)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	return im.Manifests
}
