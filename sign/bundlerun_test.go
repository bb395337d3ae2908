package sign_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// blobGets counts the blob downloads reg was asked for since its last
// Reset.
func blobGets(reg *registrytest.Server) int {
	n := 0
	for _, r := range reg.Counter.Requests() {
		if strings.HasPrefix(r, "GET ") && strings.Contains(r, "/blobs/") {
			n++
		}
	}
	return n
}

// copyImage pushes the image d into repo on host (the same digest).
func copyImage(t *testing.T, d name.Digest, host, repo string) name.Digest {
	t.Helper()
	img, err := remote.Image(d)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := name.NewDigest(host + "/" + repo + "@" + d.DigestStr())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(dst, img); err != nil {
		t.Fatal(err)
	}
	return dst
}

// onlyReferrer is the one bundle referrer manifest of d (raw) and its
// digest.
func onlyReferrer(t *testing.T, d name.Digest) (name.Digest, []byte) {
	t.Helper()
	var refs []v1.Descriptor
	for _, m := range sigstoretest.Referrers(t, d) {
		if m.ArtifactType == sign.BundleMediaType || m.ArtifactType == "application/vnd.oci.empty.v1+json" {
			refs = append(refs, m)
		}
	}
	if len(refs) != 1 {
		t.Fatalf("%d bundle referrers of %s, want 1", len(refs), d)
	}
	ref := d.Context().Digest(refs[0].Digest.String())
	desc, err := remote.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	return ref, desc.Manifest
}

type rawManifest []byte

func (r rawManifest) RawManifest() ([]byte, error)        { return r, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// TestBundleRerunReadsNoBundle: signing again in the format both decides
// "already signed" from the bundle copy on the referrer manifest: no blob
// is downloaded and nothing is written. A referrer whose copy carries a
// forged signature is not taken for ours (a new bundle is pushed), and a
// referrer without the copy (as cosign writes it) is read from its blob.
func TestBundleRerunReadsNoBundle(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewMemory(t)
	scratch := registrytest.NewMemory(t)
	priv, pub, _, _ := sigstoretest.KeyPair(t)
	newSigner := func(f sign.Format) *sign.Signer {
		s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(testAnnotations), sign.WithSignatureFormat(f))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	verify := func(d name.Digest) {
		t.Helper()
		if _, err := sign.Verify(ctx, d.String(), sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false), sign.WithSignatureFormat(sign.FormatBundle)); err != nil {
			t.Errorf("the bundle of %s does not verify: %v", d, err)
		}
	}

	t.Run("re-run", func(t *testing.T) {
		d := sigstoretest.PushImage(t, reg.Host, "acme/app", "v1")
		for _, run := range []string{"first", "again"} {
			reg.Counter.Reset()
			if err := newSigner(sign.FormatBoth).Sign(ctx, d); err != nil {
				t.Fatalf("%s: %v", run, err)
			}
			t.Logf("%s: %s", run, reg.Counter.Summary())
			if run == "again" && (blobGets(reg) != 0 || len(reg.Counter.Writes()) != 0) {
				t.Errorf("again: %d blob GETs, %d writes, want none:\n%s", blobGets(reg), len(reg.Counter.Writes()), strings.Join(reg.Counter.Requests(), "\n"))
			}
		}
		if n := referrerCount(t, d); n != 1 {
			t.Errorf("%d bundle referrers, want 1", n)
		}
		if _, raw := onlyReferrer(t, d); !bytes.Contains(raw, []byte(sign.BundleAnnotation)) {
			t.Errorf("the referrer manifest has no %s:\n%s", sign.BundleAnnotation, raw)
		}
		verify(d)
	})

	// A valid bundle of the same image, made where the test can take it.
	validBundle := func(t *testing.T, d name.Digest) (scratchRef name.Digest, manifest []byte, bundle []byte) {
		t.Helper()
		sd := copyImage(t, d, scratch.Host, d.RepositoryStr())
		if err := newSigner(sign.FormatBundle).Sign(ctx, sd); err != nil {
			t.Fatal(err)
		}
		ref, raw := onlyReferrer(t, sd)
		var m v1.Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		b := m.Annotations[sign.BundleAnnotation]
		if b == "" {
			t.Fatalf("the referrer manifest has no %s", sign.BundleAnnotation)
		}
		return ref, raw, []byte(b)
	}

	t.Run("forged signature", func(t *testing.T) {
		d := sigstoretest.PushImage(t, reg.Host, "acme/forged", "v1")
		_, _, b := validBundle(t, d)
		var j map[string]any
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		sigs := j["dsseEnvelope"].(map[string]any)["signatures"].([]any)
		sig := sigs[0].(map[string]any)
		raw, err := base64.StdEncoding.DecodeString(sig["sig"].(string))
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 0xff
		sig["sig"] = base64.StdEncoding.EncodeToString(raw)
		forged, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sign.PushBundle(ctx, d, forged, sign.SignPredicateType, nil); err != nil {
			t.Fatal(err)
		}
		reg.Counter.Reset()
		if err := newSigner(sign.FormatBundle).Sign(ctx, d); err != nil {
			t.Fatal(err)
		}
		if n := referrerCount(t, d); n != 2 {
			t.Errorf("%d bundle referrers, want 2 (the forged one was taken for ours, or nothing was added)", n)
		}
		if blobGets(reg) != 0 {
			t.Errorf("%d blob GETs, want none (the annotated referrer's blob is not read):\n%s", blobGets(reg), strings.Join(reg.Counter.Requests(), "\n"))
		}
		verify(d)
	})

	t.Run("no annotation", func(t *testing.T) {
		d := sigstoretest.PushImage(t, reg.Host, "acme/plain", "v1")
		sref, raw, _ := validBundle(t, d)
		var m v1.Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, h := range append([]v1.Descriptor{m.Config}, m.Layers...) {
			l, err := remote.Layer(sref.Context().Digest(h.Digest.String()))
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.WriteLayer(d.Repository, l); err != nil {
				t.Fatal(err)
			}
		}
		var j map[string]any
		if err := json.Unmarshal(raw, &j); err != nil {
			t.Fatal(err)
		}
		delete(j["annotations"].(map[string]any), sign.BundleAnnotation)
		plain, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		h, _, err := v1.SHA256(bytes.NewReader(plain))
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Put(d.Context().Digest(h.String()), rawManifest(plain)); err != nil {
			t.Fatal(err)
		}
		if n := referrerCount(t, d); n != 1 {
			t.Fatalf("%d bundle referrers after copying one, want 1", n)
		}
		reg.Counter.Reset()
		if err := newSigner(sign.FormatBundle).Sign(ctx, d); err != nil {
			t.Fatal(err)
		}
		if n := referrerCount(t, d); n != 1 {
			t.Errorf("%d bundle referrers, want 1 (the copied bundle, read from its blob, is ours)", n)
		}
		if blobGets(reg) != 1 || len(reg.Counter.Writes()) != 0 {
			t.Errorf("%d blob GETs (want 1, the bundle), %d writes (want none):\n%s", blobGets(reg), len(reg.Counter.Writes()), strings.Join(reg.Counter.Requests(), "\n"))
		}
	})
}
