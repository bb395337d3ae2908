package release_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

// cut lets the first n write requests through and then fails every
// request, as if the run were killed there.
type cut struct {
	h      http.Handler
	n      atomic.Int64
	writes atomic.Int64
	dead   atomic.Bool
}

func (c *cut) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.dead.Load() {
		http.Error(w, "interrupted", http.StatusServiceUnavailable)
		return
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		if c.writes.Add(1) > c.n.Load() {
			c.dead.Store(true)
			http.Error(w, "interrupted", http.StatusServiceUnavailable)
			return
		}
	}
	c.h.ServeHTTP(w, r)
}

// TestInterruptedRerun interrupts a release (an index copied into a
// mirror registry, with a signer) after each of its writes in turn; a
// re-run completes it, and a third run writes nothing.
func TestInterruptedRerun(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srcReg := registrytest.NewMemory(t)
	src := push(t, srcReg.Repo("acme/build:ci"), index(t, sha))
	once := release.WithRetry(release.Retry{Attempts: 1})
	for n := int64(0); ; n++ {
		c := &cut{h: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
		c.n.Store(n)
		srv := httptest.NewServer(c)
		u, _ := url.Parse(srv.URL)
		targets := []name.Repository{repo(t, u.Host+"/mirror/app"), repo(t, u.Host+"/mirror/other")}
		s := &recordingSigner{t: t, exact: "v1.4.0"}
		plan, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v1.4.0"), tagging.Policy{}, once)
		if err != nil {
			t.Fatalf("cut after %d writes: planning: %v", n, err)
		}
		_, err = release.Apply(ctx, plan, once, release.WithSigner(s))
		if err == nil {
			if c.dead.Load() {
				t.Fatalf("cut after %d writes: Apply succeeded on a dead registry", n)
			}
			srv.Close()
			t.Logf("a full release takes %d writes; interrupted after each of them", n)
			if n < 10 {
				t.Errorf("only %d writes: the test does not cut where it should", n)
			}
			return
		}
		c.dead.Store(false)
		c.n.Store(1 << 30)
		// No floating tag of a repository not yet signed.
		for _, r := range targets {
			if slices.Contains(s.calls, r.Digest(src.DigestStr()).String()) {
				continue
			}
			for tag, d := range tagsOf(t, r) {
				if tag != "v1.4.0" && d == src.DigestStr() {
					t.Errorf("cut after %d writes: %s:%s points at the unsigned image", n, r, tag)
				}
			}
		}
		doRelease(t, ctx, release.RegistrySource(src), targets, "refs/tags/v1.4.0", release.WithSigner(s))
		c.writes.Store(0)
		_, res := doRelease(t, ctx, release.RegistrySource(src), targets, "refs/tags/v1.4.0", release.WithSigner(s))
		if len(res.Written) != 0 || c.writes.Load() != 0 {
			t.Errorf("cut after %d writes: the third run wrote %v (%d requests)", n, res.Written, c.writes.Load())
		}
		want := map[string]string{"v1.4.0": src.DigestStr(), "v1.4": src.DigestStr(), "v1": src.DigestStr(), "latest": src.DigestStr()}
		for _, r := range targets {
			if diff := cmp.Diff(want, tagsOf(t, r)); diff != "" {
				t.Errorf("cut after %d writes: %s (-want +got):\n%s", n, r, diff)
			}
		}
		srv.Close()
		if n > 200 {
			t.Fatal(fmt.Sprint("no end: ", n))
		}
	}
}
