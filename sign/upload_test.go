package sign_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestSignSharedRegistryAccess signs an image and signs it again through
// a given transport (WithRegistryTransport) and puller/pusher
// (WithRegistryOptions), counted by the registry: the signature's blobs go
// up in one request each (a monolithic POST; no HEAD, PATCH or PUT of a
// blob), the signature verifies, and signing again reads no blob and
// writes nothing. In the legacy format: the bundle's blobs go up through
// go-containerregistry's upload.
func TestSignSharedRegistryAccess(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewMemory(t)
	d := sigstoretest.PushImage(t, reg.Host, "acme/app", "v1.2.3")
	priv, pub, _, _ := sigstoretest.KeyPair(t)
	s, err := sign.New(append([]sign.Option{sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(testAnnotations), sign.WithSignatureFormat(sign.FormatLegacy)},
		sharedAccess(t)...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{"first", "again"} {
		reg.Counter.Reset()
		if err := s.Sign(ctx, d); err != nil {
			t.Fatalf("%s: %v", run, err)
		}
		var blobWrites, blobGets, posts int
		for _, r := range reg.Counter.Requests() {
			switch {
			case strings.Contains(r, "/blobs/uploads/") && !strings.HasPrefix(r, "POST "),
				strings.HasPrefix(r, "HEAD ") && strings.Contains(r, "/blobs/"):
				blobWrites++
			case strings.HasPrefix(r, "GET ") && strings.Contains(r, "/blobs/"):
				blobGets++
			case strings.HasPrefix(r, "POST "):
				posts++
			}
		}
		t.Logf("%s: %s", run, reg.Counter.Summary())
		// The first time: a POST for the payload and one for the config,
		// then the signature manifest's PUT. Again: nothing.
		wantPosts, wantWrites := 2, 3
		if run == "again" {
			wantPosts, wantWrites = 0, 0
		}
		if blobWrites != 0 || posts != wantPosts || blobGets != 0 || len(reg.Counter.Writes()) != wantWrites {
			t.Errorf("%s: %d blob HEADs, PATCHes or PUTs, %d POSTs (want %d), %d writes (want %d), %d blob GETs:\n%s",
				run, blobWrites, posts, wantPosts, len(reg.Counter.Writes()), wantWrites, blobGets, strings.Join(reg.Counter.Requests(), "\n"))
		}
	}
	if sigLayers(t, d) != 1 {
		t.Errorf("%d signatures, want 1", sigLayers(t, d))
	}
	if _, err := sign.Verify(ctx, d.String(), sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false)); err != nil {
		t.Errorf("the signature does not verify: %v", err)
	}
}
