package sign_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// The release package's contract: one call per digest and repository.
var _ interface {
	Sign(context.Context, name.Digest) error
} = (*sign.Signer)(nil)

// BenchmarkSignIndexKey signs a fresh two-platform index (3 signatures)
// with a key, against the in-memory registry.
func BenchmarkSignIndexKey(b *testing.B) {
	host := registrytest.NewMemory(b).Host
	priv, _, _, _ := sigstoretest.KeyPair(b)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		b.Fatal(err)
	}
	idx := make([]name.Digest, b.N)
	for i := range idx {
		idx[i], _, _ = sigstoretest.PushIndex(b, host, "acme/app", fmt.Sprint("v", i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Sign(context.Background(), idx[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResignIndexKey is a re-run on an index that is already signed:
// reading and checking the existing signatures, adding nothing.
func BenchmarkResignIndexKey(b *testing.B) {
	host := registrytest.NewMemory(b).Host
	priv, _, _, _ := sigstoretest.KeyPair(b)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		b.Fatal(err)
	}
	idx, _, _ := sigstoretest.PushIndex(b, host, "acme/app", "v1")
	if err := s.Sign(context.Background(), idx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Sign(context.Background(), idx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyIndexKey verifies a signed two-platform index.
func BenchmarkVerifyIndexKey(b *testing.B) {
	host := registrytest.NewMemory(b).Host
	priv, pub, _, _ := sigstoretest.KeyPair(b)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		b.Fatal(err)
	}
	idx, _, _ := sigstoretest.PushIndex(b, host, "acme/app", "v1")
	if err := s.Sign(context.Background(), idx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sign.Verify(context.Background(), idx.String(), sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false)); err != nil {
			b.Fatal(err)
		}
	}
}
