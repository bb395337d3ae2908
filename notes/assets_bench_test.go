package notes

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/benchmem"
)

// BenchmarkUploadAsset512MiB uploads a 512 MiB file to an upload endpoint
// on loopback that reads and discards the body (the fake GitHub keeps
// uploads in memory, which would hide the client's own use): time and
// the client's peak heap in use.
//
//	go test -run '^$' -bench UploadAsset512MiB -benchtime 1x ./notes/
func BenchmarkUploadAsset512MiB(b *testing.B) {
	const size = 512 << 20
	p := filepath.Join(b.TempDir(), "app_v1.2.3_linux-amd64.tar.gz")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], 7)
	if _, err := io.Copy(f, io.LimitReader(rand.NewChaCha8(seed), size)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost:
			n, _ := io.Copy(io.Discard, r.Body)
			received.Add(n)
			w.WriteHeader(201)
			_ = json.NewEncoder(w).Encode(map[string]any{"id": 2, "name": r.URL.Query().Get("name"), "size": n, "state": "uploaded"})
		case strings.HasSuffix(r.URL.Path, "/assets"):
			fmt.Fprint(w, "[]")
		default:
			fmt.Fprint(w, `[{"id": 1, "tag_name": "v1.2.3"}]`)
		}
	}))
	defer srv.Close()
	in := AssetsInput{Repository: "acme/app", Tag: "v1.2.3", Assets: []AssetFile{{Name: filepath.Base(p), Path: p}}}
	b.SetBytes(size)
	runtime.GC()
	stop := benchmem.PeakHeap()
	b.ResetTimer()
	for range b.N {
		if _, err := UploadAssets(context.Background(), in, WithAPIURL(srv.URL)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	peak := stop()
	if received.Load() != int64(b.N)*size {
		b.Fatalf("the server received %d bytes, want %d", received.Load(), int64(b.N)*size)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
