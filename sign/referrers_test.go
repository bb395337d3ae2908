package sign_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// fallbackTagPath matches a manifest request for a referrers fallback tag.
var fallbackTagPath = regexp.MustCompile(`/manifests/sha256-[0-9a-f]{64}$`)

// racingProxy sits in front of a registry without the referrers API and
// holds the first two PUTs of a fallback tag until both have arrived, so
// both writers have read the index before either writes: the second write
// applied drops the first one's entry (a lost update), unless the writer
// notices and adds it back.
type racingProxy struct {
	host string

	mu      sync.Mutex
	held    int
	release chan struct{}
	first   [][]byte // the bodies of the two held PUTs
}

func newRacingProxy(t *testing.T, upstream string) *racingProxy {
	p := &racingProxy{release: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: upstream})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && fallbackTagPath.MatchString(r.URL.Path) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			p.mu.Lock()
			hold := p.held < 2
			if hold {
				p.held++
				p.first = append(p.first, body)
				if p.held == 2 {
					close(p.release)
				}
			}
			p.mu.Unlock()
			if hold {
				select {
				case <-p.release:
				case <-time.After(time.Minute): // a writer never came: let the test fail on its checks
				case <-r.Context().Done():
				}
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	p.host = u.Host
	return p
}

// TestFallbackTagRace: two signers push a bundle for the same image at
// the same time to a registry without the referrers API; both read the
// fallback index before either writes it. Neither entry is lost.
func TestFallbackTagRace(t *testing.T) {
	// plain: go-containerregistry's uploads and Put; shared: a release's
	// registry access (release.Registries): remote.Reuse'd Puller and
	// Pusher, whose referrers tag fallback cannot be turned off by an
	// option, and a transport for the blobs, the manifest PUT and the
	// referrers API probe. Each must find that the registry has no
	// referrers API, list the bundle in the fallback tag and repair it.
	// background: shared, in the format both with WithBackgroundChecks:
	// Sign leaves the check running, Settle waits for it.
	for _, mode := range []string{"plain", "shared", "background"} {
		t.Run(mode, func(t *testing.T) { testFallbackTagRace(t, mode) })
	}
}

// sharedAccess are the options of a release's shared registry access.
func sharedAccess(t *testing.T) []sign.Option {
	puller, err := remote.NewPuller()
	if err != nil {
		t.Fatal(err)
	}
	pusher, err := remote.NewPusher()
	if err != nil {
		t.Fatal(err)
	}
	return []sign.Option{
		sign.WithRegistryOptions(func(context.Context, name.Registry) ([]remote.Option, error) {
			return []remote.Option{remote.Reuse(puller), remote.Reuse(pusher)}, nil
		}),
		sign.WithRegistryTransport(func(context.Context, name.Registry) (http.RoundTripper, error) {
			return http.DefaultTransport, nil
		}),
	}
}

func testFallbackTagRace(t *testing.T, mode string) {
	ctx := context.Background()
	mem := registrytest.NewMemory(t)
	p := newRacingProxy(t, mem.Host)
	d := sigstoretest.PushImage(t, p.host, "acme/app", "v1.2.3")

	type signer struct {
		s   *sign.Signer
		pub []byte
	}
	var signers []signer
	for range 2 {
		priv, pub, _, _ := sigstoretest.KeyPair(t)
		opts := []sign.Option{sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat(sign.FormatBundle)}
		switch mode {
		case "shared":
			opts = append(opts, sharedAccess(t)...)
		case "background":
			opts = append(append(opts, sharedAccess(t)...), sign.WithSignatureFormat(sign.FormatBoth), sign.WithBackgroundChecks())
		}
		s, err := sign.New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		signers = append(signers, signer{s, pub})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(signers))
	for i, sg := range signers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = sg.s.Sign(ctx, d); errs[i] == nil {
				errs[i] = sg.s.Settle(ctx)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// The race happened: each held write listed only its own entry.
	p.mu.Lock()
	first := p.first
	p.mu.Unlock()
	if len(first) != 2 {
		t.Fatalf("%d fallback tag writes were held, want 2", len(first))
	}
	for _, b := range first {
		var im v1.IndexManifest
		if err := json.Unmarshal(b, &im); err != nil {
			t.Fatal(err)
		}
		if len(im.Manifests) != 1 {
			t.Fatalf("a racing write listed %d referrers, want 1 (no race?)", len(im.Manifests))
		}
	}
	// Both entries are listed, and each signer's bundle verifies.
	if n := referrerCount(t, d); n != 2 {
		t.Fatalf("%d bundle referrers listed after the race, want 2", n)
	}
	for i, sg := range signers {
		res, err := sign.Verify(ctx, d.String(), sign.WithPublicKey(sg.pub), sign.WithRequireTransparencyLog(false), sign.WithSignatureFormat(sign.FormatBundle))
		if err != nil {
			t.Fatalf("signer %d: %v", i, err)
		}
		if got := res.Manifests[0].Signatures; len(got) != 1 || got[0].Format != "bundle" {
			t.Errorf("signer %d: signatures %+v", i, got)
		}
	}
}

// TestBundleIdempotent: signing again (the same key; keyless with a new
// certificate for the same identity) adds no bundle, on a registry with
// the referrers API and on one without.
func TestBundleIdempotent(t *testing.T) {
	ctx := context.Background()
	k := startKeyless(t)
	api := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(api.Close)
	apiHost := strings.TrimPrefix(api.URL, "http://")
	priv, _, _, _ := sigstoretest.KeyPair(t)

	for _, reg := range []struct{ name, host string }{{"fallback tag", k.host}, {"referrers API", apiHost}} {
		t.Run(reg.name, func(t *testing.T) {
			d := sigstoretest.PushImage(t, reg.host, "acme/idem", "v1")
			for i := range 2 {
				s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithSignatureFormat(sign.FormatBundle))
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Sign(ctx, d); err != nil {
					t.Fatal(err)
				}
				ks, err := sign.New(sign.WithKeyless(sign.StaticToken(k.is.Token(nil)), k.fulcio.URL), sign.WithTimestampAuthority(k.tsa.URL),
					sign.WithTrustedMaterial(k.tr), sign.WithSignatureFormat(sign.FormatBoth))
				if err != nil {
					t.Fatal(err)
				}
				if err := ks.Sign(ctx, d); err != nil {
					t.Fatal(err)
				}
				if n := referrerCount(t, d); n != 2 {
					t.Fatalf("run %d: %d bundle referrers, want 2 (key, keyless)", i+1, n)
				}
				if n := sigLayers(t, d); n != 1 {
					t.Fatalf("run %d: %d legacy signatures, want 1", i+1, n)
				}
			}
			_, hasFallback := registrytest.Tags(t, d.Repository)[strings.TrimSuffix(sigTag(d), ".sig")]
			if hasFallback != (reg.host == k.host) {
				t.Errorf("fallback tag present = %v", hasFallback)
			}
		})
	}
	// cosign v3 finds the bundle through the referrers API.
	d := sigstoretest.PushImage(t, apiHost, "acme/api", "v1")
	ks, err := sign.New(sign.WithKeyless(sign.StaticToken(k.is.Token(nil)), k.fulcio.URL), sign.WithTimestampAuthority(k.tsa.URL),
		sign.WithTrustedMaterial(k.tr), sign.WithSignatureFormat(sign.FormatBundle))
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	if out, err := sigstoretest.Cosign3(t, nil, "verify", "--trusted-root", k.trPath,
		"--certificate-identity", k.is.Identity(""), "--certificate-oidc-issuer", k.is.URL,
		"--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct", d.String()); err != nil {
		t.Fatalf("cosign v3 verify through the referrers API: %v\n%s", err, out)
	}
}

// TestBundleDistributionRegistry signs into the real distribution
// registry (v3.0.0, with authentication), which answers the referrers API
// with 404: the bundle goes under the fallback tag.
func TestBundleDistributionRegistry(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.StartRegistry(t)
	auth := remote.WithAuthFromKeychain(reg.Keychain())
	priv, pub, _, _ := sigstoretest.KeyPair(t)
	ref, err := name.ParseReference(reg.Repo("acme/app:v1"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, auth); err != nil {
		t.Fatal(err)
	}
	h, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	d := ref.Context().Digest(h.String())
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithRemoteOptions(auth), sign.WithSignatureFormat(sign.FormatBoth))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	resp, err := remote.Referrers(d, auth, remote.WithReferrersTagFallback(false))
	if err == nil || !strings.Contains(err.Error(), "does not support the Referrers API") {
		t.Fatalf("referrers API of distribution v3: %v, %v; the test expects a registry without it", resp, err)
	}
	tags := registrytest.Tags(t, d.Repository, auth)
	want := []string{strings.TrimSuffix(sigTag(d), ".sig"), sigTag(d), "v1"}
	got := make([]string, 0, len(tags))
	for tg := range tags {
		got = append(got, tg)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("tags = %v, want %v", got, want)
	}
	res, err := sign.Verify(ctx, d.String(), sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false),
		sign.WithRemoteOptions(auth), sign.WithSignatureFormat(sign.FormatBoth))
	if err != nil {
		t.Fatal(err)
	}
	var formats []string
	for _, sg := range res.Manifests[0].Signatures {
		formats = append(formats, sg.Format)
	}
	if !slices.Equal(formats, []string{"legacy", "bundle"}) {
		t.Errorf("formats = %v, want legacy and bundle", formats)
	}
}
