package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/internal/testtool"
)

// latencyProxy models a network between a client and a registry on
// loopback: every request/response exchange waits one round trip, and the
// first exchange on a new TCP connection one more (the handshake; GHCR's
// TLS costs more still, so the figures are a lower bound). It counts what
// the clients ask for.
type latencyProxy struct {
	rtt   time.Duration
	host  string // host:port clients use
	srv   *http.Server
	conns atomic.Int64

	mu                         sync.Mutex
	reqs, pings, blobGets, wrs int
	start                      time.Time
	trace                      []string // with SONIC_BENCH_TRACE=1: "+ms METHOD path"
}

// startLatencyProxy serves on 127.0.0.1 in front of upstream (host:port).
func startLatencyProxy(tb testing.TB, upstream string, rtt time.Duration) *latencyProxy {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &latencyProxy{rtt: rtt, host: l.Addr().String()}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: upstream})
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}
	p.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.count(r)
			time.Sleep(p.rtt)
			rp.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: time.Minute,
	}
	go func() { _ = p.srv.Serve(&slowListener{Listener: l, p: p}) }()
	tb.Cleanup(func() { _ = p.srv.Close() })
	return p
}

func (p *latencyProxy) count(r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs++
	path := r.URL.Path
	if p.trace != nil {
		p.trace = append(p.trace, fmt.Sprintf("%+6dms %s %s", time.Since(p.start).Milliseconds(), r.Method, r.URL.RequestURI()))
	}
	switch {
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && path == "/v2/":
		p.pings++
	case r.Method == http.MethodGet && strings.Contains(path, "/blobs/sha256:"):
		p.blobGets++
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		p.wrs++
	}
}

// netStats is what the proxy counted over one run.
type netStats struct{ reqs, conns, pings, blobGets, writes int }

func (p *latencyProxy) reset() {
	p.mu.Lock()
	p.reqs, p.pings, p.blobGets, p.wrs = 0, 0, 0, 0
	p.start = time.Now()
	if os.Getenv("SONIC_BENCH_TRACE") == "1" {
		p.trace = []string{}
	}
	p.mu.Unlock()
	p.conns.Store(0)
}

func (p *latencyProxy) stats() netStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return netStats{p.reqs, int(p.conns.Load()), p.pings, p.blobGets, p.wrs}
}

func (p *latencyProxy) traced() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.trace)
}

// slowListener counts new connections and delays the first read of each
// by one round trip.
type slowListener struct {
	net.Listener
	p *latencyProxy
}

func (l *slowListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.p.conns.Add(1)
	return &slowConn{Conn: c, rtt: l.p.rtt}, nil
}

type slowConn struct {
	net.Conn
	rtt  time.Duration
	once sync.Once
}

func (c *slowConn) Read(b []byte) (int, error) {
	c.once.Do(func() { time.Sleep(c.rtt) })
	return c.Conn.Read(b)
}

// latencyRTT is the modelled round trip: $SONIC_BENCH_RTT (a Go duration),
// 20ms by default (a GitHub-hosted runner to ghcr.io); 0 is loopback, the
// baseline the round trips are counted against.
func latencyRTT(b *testing.B) time.Duration {
	s := os.Getenv("SONIC_BENCH_RTT")
	if s == "" {
		return 20 * time.Millisecond
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		b.Fatalf("SONIC_BENCH_RTT=%q: want a duration such as 20ms", s)
	}
	return d
}

// pushIndex pushes a random 2-platform OCI index to ref with kc. A
// revision goes into the index's org.opencontainers.image.revision
// annotation, as docs/examples/build-with-tags.yml builds it
// (metadata-action's annotations at the manifest and index levels): the
// release then reads the revision from the index, not from a platform
// image's config blob.
func pushIndex(b *testing.B, ref string, kc authn.Keychain, revision string) name.Digest {
	b.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		b.Fatal(err)
	}
	var ii v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}} {
		img, err := random.Image(4096, 2)
		if err != nil {
			b.Fatal(err)
		}
		img = mutate.MediaType(img, types.OCIManifestSchema1)
		ii = mutate.AppendManifests(ii, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	if revision != "" {
		ii = mutate.Annotations(ii, map[string]string{"org.opencontainers.image.revision": revision}).(v1.ImageIndex)
	}
	if err := remote.WriteIndex(r, ii, remote.WithAuthFromKeychain(kc)); err != nil {
		b.Fatal(err)
	}
	d, err := ii.Digest()
	if err != nil {
		b.Fatal(err)
	}
	return r.Context().Digest(d.String())
}

// release is one job of CI: a source index, the ref it was built for, and
// the tags sonic-release writes for it (the glue and the library are given
// the same tags, the first copied, the rest tagged).
type release struct {
	src  name.Digest
	ref  string
	sha  string
	tags []string
}

// BenchmarkReleaseLatency releases a key-signed 2-platform index (into 1, 2
// and 3 repositories; then, into one, a re-run, a backport, a push to
// master and a refused conflict) through a proxy that adds a round trip per
// request and per new connection (SONIC_BENCH_RTT, 20ms by default) in
// front of the real distribution registry, with sonic-release, with the
// YAML glue it replaces (per repository `crane copy`, `crane tag` for each
// other tag, `cosign sign --key` of the index) and with crane as a library
// (crane.Copy and a crane.Tag loop in one process, no signing).
//
// ns/op is the wall time of the timed run, processes included; rt/op is
// wall ÷ RTT, the critical path in round trips (an upper bound: it includes
// the CPU time of the run, which SONIC_BENCH_RTT=0 measures alone). pings/op
// counts GET and HEAD /v2/, blobgets/op blob GETs, writes/op POST, PUT,
// PATCH, DELETE. SONIC_BENCH_TRACE=1 logs every request of every timed run
// with its time since the start (-v to see it). Each run gets fresh
// repositories; what a scenario needs in them beforehand is written,
// untimed, with sonic-release.
func BenchmarkReleaseLatency(b *testing.B) {
	rtt := latencyRTT(b)
	reg := registrytest.StartRegistry(b)
	px := startLatencyProxy(b, reg.Host, rtt)
	host := px.host
	kc := (&registrytest.Server{Host: host, User: reg.User, Password: reg.Password}).Keychain()
	craneBin := testtool.Path(b, "crane")
	cosignBin := testtool.Path(b, "cosign")
	bin := sonicReleaseBin(b)
	_, _, privPath, _ := sigstoretest.KeyPair(b)
	cfg := dockerConfig(b, host, reg.User, reg.Password)
	home := b.TempDir()
	env := []string{"DOCKER_CONFIG=" + cfg, "HOME=" + home, "TUF_ROOT=" + filepath.Join(home, "tuf"),
		"PATH=/usr/bin:/bin", "COSIGN_PASSWORD=" + sigstoretest.KeyPassword}

	sha := func(n int) string { return fmt.Sprintf("%07x%033d", n, 0) }
	v123 := release{pushIndex(b, host+"/build/app:a", kc, ""), "refs/tags/v1.2.3", sha(1), []string{"v1.2.3", "v1.2", "v1", "latest"}}
	v115 := release{pushIndex(b, host+"/build/app:b", kc, ""), "refs/tags/v1.1.5", sha(2), []string{"v1.1.5", "v1.1"}}
	master := release{pushIndex(b, host+"/build/app:c", kc, ""), "refs/heads/master", sha(3), []string{"master", "master-" + sha(3)[:7]}}
	// v1.2.3 built with the revision annotation on its index.
	v123a := release{pushIndex(b, host+"/build/app:d", kc, sha(4)), "refs/tags/v1.2.3", sha(4), v123.tags}
	conflict := release{master.src, "refs/tags/v1.2.3", sha(3), nil}

	// run runs a process; refused says it must exit 3 (a policy refusal).
	run := func(b *testing.B, refused bool, args ...string) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		switch {
		case refused && errors.As(err, &ee) && ee.ExitCode() == 3:
		case refused:
			b.Fatalf("%s: want exit 3 (refused), got %v\n%s", strings.Join(args, " "), err, out)
		case err != nil:
			b.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	sonic := func(b *testing.B, rel release, repos []string, refused bool) {
		args := []string{bin, "release", "--source", rel.src.String(), "--ref", rel.ref, "--sha", rel.sha,
			"--sign", "key", "--key", privPath, "--tlog-upload=false"}
		for _, r := range repos {
			args = append(args, "--image", r)
		}
		run(b, refused, args...)
	}
	tools := []struct {
		name string
		run  func(b *testing.B, rel release, repos []string, refused bool)
	}{
		{"sonic-release", sonic},
		{"glue", func(b *testing.B, rel release, repos []string, _ bool) {
			for _, r := range repos {
				run(b, false, craneBin, "copy", rel.src.String(), r+":"+rel.tags[0])
				for _, tag := range rel.tags[1:] {
					run(b, false, craneBin, "tag", r+":"+rel.tags[0], tag)
				}
				run(b, false, cosignBin, "sign", "--key", privPath, "--tlog-upload=false", "--yes", r+"@"+rel.src.DigestStr())
			}
		}},
		{"crane-library", func(b *testing.B, rel release, repos []string, _ bool) {
			tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}
			defer tr.CloseIdleConnections()
			opts := []crane.Option{crane.WithAuthFromKeychain(kc), crane.WithTransport(tr), crane.WithContext(context.Background())}
			for _, r := range repos {
				if err := crane.Copy(rel.src.String(), r+":"+rel.tags[0], opts...); err != nil {
					b.Fatal(err)
				}
				for _, tag := range rel.tags[1:] {
					if err := crane.Tag(r+":"+rel.tags[0], tag, opts...); err != nil {
						b.Fatal(err)
					}
				}
			}
		}},
	}
	scenarios := []struct {
		name   string
		repos  int
		before *release // released with sonic-release, untimed
		rel    release
		refuse bool // sonic-release must refuse; the glue and the library have no such check and are not run
	}{
		{"first-release/repos=1", 1, nil, v123, false},
		{"first-release/repos=2", 2, nil, v123, false},
		{"first-release/repos=3", 3, nil, v123, false},
		{"rerun/repos=1", 1, &v123, v123, false},
		{"first-release-annotated/repos=2", 2, nil, v123a, false},
		{"rerun-annotated/repos=1", 1, &v123a, v123a, false},
		{"backport/repos=1", 1, &v123, v115, false},
		{"master/repos=1", 1, &v123, master, false},
		{"conflict/repos=1", 1, &v123, conflict, true},
	}
	runID := 0
	for _, sc := range scenarios {
		for _, tool := range tools {
			if sc.refuse && tool.name != "sonic-release" {
				continue
			}
			b.Run(sc.name+"/"+tool.name, func(b *testing.B) {
				var sum netStats
				var wall time.Duration
				for range b.N {
					b.StopTimer()
					runID++
					repos := make([]string, sc.repos)
					for j := range repos {
						repos[j] = host + "/bench/" + tool.name + "-" + strconv.Itoa(runID) + "-" + strconv.Itoa(j)
					}
					if sc.before != nil {
						sonic(b, *sc.before, repos, false)
					}
					px.reset()
					start := time.Now()
					b.StartTimer()
					tool.run(b, sc.rel, repos, sc.refuse)
					b.StopTimer()
					wall += time.Since(start)
					s := px.stats()
					if tr := px.traced(); tr != nil {
						b.Logf("%d requests, by time since the start (RTT %v):\n%s", s.reqs, rtt, strings.Join(tr, "\n"))
					}
					sum.reqs += s.reqs
					sum.conns += s.conns
					sum.pings += s.pings
					sum.blobGets += s.blobGets
					sum.writes += s.writes
				}
				n := float64(b.N)
				b.ReportMetric(float64(sum.reqs)/n, "requests/op")
				b.ReportMetric(float64(sum.conns)/n, "conns/op")
				b.ReportMetric(float64(sum.pings)/n, "pings/op")
				b.ReportMetric(float64(sum.blobGets)/n, "blobgets/op")
				b.ReportMetric(float64(sum.writes)/n, "writes/op")
				if rtt > 0 {
					b.ReportMetric(float64(wall)/float64(rtt)/n, "rt/op")
				}
			})
		}
	}
}
