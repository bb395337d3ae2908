package sigstoretest

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigstore/rekor-tiles/v2/pkg/note"
	"github.com/sigstore/sigstore-go/pkg/root"
)

// rekorV2Origin is the checkpoint origin of StartRekorV2's log. It must be
// the host of the log's URL: sigstore-go checks a Rekor v2 checkpoint
// against origin = the host of the trusted root's baseUrl.
const rekorV2Origin = "127.0.0.1"

// StartRekorV2 starts a Rekor v2 log (rekor-tiles, POSIX storage in a
// temporary directory, an ed25519 checkpoint key, a checkpoint every
// second) on 127.0.0.1. Its Log is the trusted-root entry (log ID = the
// checkpoint key hash of origin 127.0.0.1), for TrustedRoot.
func StartRekorV2(t testing.TB) *Rekor {
	t.Helper()
	dir := t.TempDir()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "rekor.key")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	r := &Rekor{URL: fmt.Sprintf("http://%s:%d", rekorV2Origin, port), PublicKey: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})}
	start(t, "rekor-tiles", func() error {
		_, err := get(r.URL + "/healthz")
		return err
	}, "serve", "--http-address", "127.0.0.1", "--http-port", fmt.Sprint(port),
		"--grpc-address", "127.0.0.1", "--grpc-port", fmt.Sprint(FreePort(t)),
		"--http-metrics-port", fmt.Sprint(FreePort(t)),
		"--hostname", rekorV2Origin, "--storage-dir", filepath.Join(dir, "tiles"),
		"--signer-filepath", keyPath, "--checkpoint-interval", "1s")
	_, id, err := note.KeyHash(rekorV2Origin, pub)
	if err != nil {
		t.Fatal(err)
	}
	r.Log = &root.TransparencyLog{
		BaseURL: r.URL, ID: id, ValidityPeriodStart: time.Now().Add(-time.Hour),
		HashFunc: crypto.SHA256, PublicKey: pub, SignatureHashFunc: crypto.SHA512,
	}
	return r
}
