package airgap_test

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sonicsaas/sonic-release/airgap"
	"github.com/sonicsaas/sonic-release/internal/benchmem"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
)

// streamLayer is a layer of size pseudo-random bytes made on the fly from
// a seed, so that a 1 GB image is pushed and read without ever being in
// memory. Its bytes are incompressible, like a real (gzip) layer's; they
// are not a gzip stream, which neither the registry nor the bundle reads.
type streamLayer struct {
	seed   uint64
	size   int64
	digest v1.Hash
}

func newStreamLayer(seed uint64, size int64) (*streamLayer, error) {
	l := &streamLayer{seed: seed, size: size}
	h := sha256.New()
	rc, _ := l.Compressed()
	if _, err := io.Copy(h, rc); err != nil {
		return nil, err
	}
	l.digest = v1.Hash{Algorithm: "sha256", Hex: hexOf(h.Sum(nil))}
	return l, nil
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

func (l *streamLayer) Digest() (v1.Hash, error) { return l.digest, nil }
func (l *streamLayer) DiffID() (v1.Hash, error) { return l.digest, nil }
func (l *streamLayer) Size() (int64, error)     { return l.size, nil }
func (l *streamLayer) MediaType() (types.MediaType, error) {
	return types.OCILayer, nil
}
func (l *streamLayer) Compressed() (io.ReadCloser, error) {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], l.seed)
	return io.NopCloser(io.LimitReader(rand.NewChaCha8(seed), l.size)), nil
}
func (l *streamLayer) Uncompressed() (io.ReadCloser, error) { return l.Compressed() }

// BenchmarkBundle1GB writes the bundle of a 1 GB two-platform image (4
// layers of 128 MiB per platform) from the real registry on loopback:
// time, throughput and the peak heap in use while writing.
//
//	SONIC_TOOLS=/work/main/.tools go test -run '^$' -bench Bundle1GB -benchtime 1x ./airgap/
func BenchmarkBundle1GB(b *testing.B) {
	const layers, layerSize = 4, 128 << 20
	reg := registrytest.StartRegistry(b)
	ropts := []remote.Option{remote.WithAuthFromKeychain(reg.Keychain())}
	var idx v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	seed := uint64(1)
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}} {
		img := mutate.MediaType(mutate.ConfigMediaType(empty.Image, types.OCIConfigJSON), types.OCIManifestSchema1)
		for range layers {
			l, err := newStreamLayer(seed, layerSize)
			if err != nil {
				b.Fatal(err)
			}
			seed++
			if img, err = mutate.AppendLayers(img, l); err != nil {
				b.Fatal(err)
			}
		}
		cf, err := img.ConfigFile()
		if err != nil {
			b.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = p.OS, p.Architecture
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			b.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	ref := pushIndexValue(b, reg.Repo("sonicsaas/sonicsaas-app"), idx, ropts...)
	tag, _ := name.NewTag(reg.Repo("sonicsaas/sonicsaas-app") + ":v1.2.3")
	ctx := context.Background()
	opts := []airgap.Option{airgap.WithRemoteOptions(ropts...)}
	plan, err := airgap.PlanBundle(ctx, []airgap.Image{{Ref: ref, Tags: []name.Tag{tag}, Base: "sonicsaas-app_v1.2.3"}}, opts...)
	if err != nil {
		b.Fatal(err)
	}
	for _, lv := range []struct {
		name  string
		level int
	}{{"gzip-none", gzip.NoCompression}, {"gzip-huffman", gzip.HuffmanOnly}, {"gzip-fastest", gzip.BestSpeed}} {
		b.Run(lv.name, func(b *testing.B) {
			opts := append(opts, airgap.WithCompressionLevel(lv.level))
			b.SetBytes(2 * layers * layerSize)
			runtime.GC()
			stop := benchmem.PeakHeap()
			b.ResetTimer()
			for range b.N {
				if _, err := airgap.Write(ctx, plan, b.TempDir(), opts...); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
		})
	}
}
