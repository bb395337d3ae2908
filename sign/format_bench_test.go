package sign_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// BenchmarkSignIndexFormat signs a fresh two-platform index (3 manifests)
// with a key in each format, on a registry without the referrers API (the
// fallback tag, like GHCR: each bundle waits for the index to settle) and
// on one with it. It reports the registry requests per index.
func BenchmarkSignIndexFormat(b *testing.B) {
	priv, _, _, _ := sigstoretest.KeyPair(b)
	for _, reg := range []string{"fallback", "referrers-api"} {
		for _, f := range []sign.Format{sign.FormatLegacy, sign.FormatBundle, sign.FormatBoth} {
			b.Run(reg+"/"+string(f), func(b *testing.B) {
				var host string
				var counter *registrytest.Counter
				if reg == "fallback" {
					m := registrytest.NewMemory(b)
					host, counter = m.Host, m.Counter
				} else {
					counter = &registrytest.Counter{}
					srv := httptest.NewServer(counter.Wrap(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0)))))
					b.Cleanup(srv.Close)
					host = strings.TrimPrefix(srv.URL, "http://")
				}
				s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat(f))
				if err != nil {
					b.Fatal(err)
				}
				idx := make([]name.Digest, b.N)
				for i := range idx {
					idx[i], _, _ = sigstoretest.PushIndex(b, host, "acme/app", fmt.Sprint("v", i))
				}
				counter.Reset()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := s.Sign(context.Background(), idx[i]); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(counter.Total())/float64(b.N), "requests/index")
			})
		}
	}
}
