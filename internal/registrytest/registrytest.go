// Package registrytest runs container registries for tests, on 127.0.0.1
// at ports chosen at run time: go-containerregistry's in-memory registry,
// or the real distribution registry (the pinned `registry` binary) with
// htpasswd authentication. Every server sits behind a proxy handler that
// counts requests by method and can inject faults (429, 500, connection
// resets) on a share of them.
package registrytest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Server is a registry under test.
type Server struct {
	// Host is host:port, what image references start with.
	Host string
	// User and Password are the credentials (empty without auth).
	User, Password string
	// Counter counts the requests that reach the registry.
	Counter *Counter
	// Faults injects failures; its Rate is 0 until a test sets it.
	Faults *Faults
}

// Keychain returns a keychain holding the server's credentials.
func (s *Server) Keychain() authn.Keychain {
	return staticKeychain{host: s.Host, auth: &authn.Basic{Username: s.User, Password: s.Password}}
}

type staticKeychain struct {
	host string
	auth authn.Authenticator
}

func (k staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == k.host {
		return k.auth, nil
	}
	return authn.Anonymous, nil
}

// Repo returns host/path.
func (s *Server) Repo(path string) string { return s.Host + "/" + path }

// NewMemory starts go-containerregistry's in-memory registry (no auth)
// behind the counter and fault injector; it stops when the test ends.
func NewMemory(t testing.TB) *Server {
	t.Helper()
	s := &Server{Counter: &Counter{}, Faults: &Faults{}}
	srv := httptest.NewServer(s.Counter.Wrap(s.Faults.Wrap(registry.New(registry.Logger(discardLogger())))))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	s.Host = u.Host
	return s
}

// Counter counts requests by method.
type Counter struct {
	mu   sync.Mutex
	reqs []string
}

// Wrap counts every request h receives.
func (c *Counter) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.reqs = append(c.reqs, r.Method+" "+r.URL.RequestURI())
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Reset forgets the requests counted so far.
func (c *Counter) Reset() {
	c.mu.Lock()
	c.reqs = nil
	c.mu.Unlock()
}

// Requests returns "METHOD /path?query" for every request, in order.
func (c *Counter) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reqs)
}

// Total is the number of requests.
func (c *Counter) Total() int { return len(c.Requests()) }

// Count is the number of requests with the method.
func (c *Counter) Count(method string) int {
	n := 0
	for _, r := range c.Requests() {
		if strings.HasPrefix(r, method+" ") {
			n++
		}
	}
	return n
}

// Writes returns the write requests (POST, PUT, PATCH, DELETE).
func (c *Counter) Writes() []string {
	var out []string
	for _, r := range c.Requests() {
		m, _, _ := strings.Cut(r, " ")
		switch m {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			out = append(out, r)
		}
	}
	return out
}

// Summary is "N requests: GET a, HEAD b, …", for test logs and benchmarks.
func (c *Counter) Summary() string {
	by := map[string]int{}
	reqs := c.Requests()
	for _, r := range reqs {
		m, _, _ := strings.Cut(r, " ")
		by[m]++
	}
	var parts []string
	for _, m := range []string{"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"} {
		if by[m] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", m, by[m]))
		}
	}
	return fmt.Sprintf("%d requests: %s", len(reqs), strings.Join(parts, ", "))
}

// Tags returns every tag of repository repo (a full reference such as
// s.Repo("acme/app")) and the digest each points at, read with the
// server's credentials.
func (s *Server) Tags(t testing.TB, repo string) map[string]string {
	t.Helper()
	r, err := name.NewRepository(repo)
	if err != nil {
		t.Fatal(err)
	}
	return Tags(t, r, remote.WithAuthFromKeychain(s.Keychain()))
}

// Tags returns every tag of r and the digest each points at, read with
// opts; a repository that does not exist has none.
func Tags(t testing.TB, r name.Repository, opts ...remote.Option) map[string]string {
	t.Helper()
	tags, err := remote.List(r, opts...)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return map[string]string{}
	}
	if err != nil {
		t.Fatalf("listing the tags of %s: %v", r, err)
	}
	out := make(map[string]string, len(tags))
	for _, tag := range tags {
		desc, err := remote.Head(r.Tag(tag), opts...)
		if err != nil {
			t.Fatalf("reading %s:%s: %v", r, tag, err)
		}
		out[tag] = desc.Digest.String()
	}
	return out
}
