package release

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// clients is the registry access of one BuildPlan or Apply: per registry,
// one authenticated transport (one /v2/ ping, one token for every
// repository involved) shared by a remote.Puller and a remote.Pusher.
type clients struct {
	o      *options
	scopes map[string][]string // registry -> token scopes
	mu     sync.Mutex
	regs   map[string]*registryClient
}

type registryClient struct {
	once   sync.Once
	puller *remote.Puller
	pusher *remote.Pusher
	err    error
}

// newClients prepares clients that may read pull and read and write push.
func newClients(o *options, pull, push []name.Repository) *clients {
	c := &clients{o: o, scopes: map[string][]string{}, regs: map[string]*registryClient{}}
	seen := map[string]bool{}
	add := func(r name.Repository, action string) {
		s := r.Scope(action)
		if !seen[s] {
			seen[s] = true
			c.scopes[r.RegistryStr()] = append(c.scopes[r.RegistryStr()], s)
		}
	}
	for _, r := range pull {
		add(r, transport.PullScope)
	}
	for _, r := range push {
		add(r, transport.PushScope)
	}
	return c
}

func (c *clients) registry(ctx context.Context, reg name.Registry) (*registryClient, error) {
	c.mu.Lock()
	rc, ok := c.regs[reg.RegistryStr()]
	if !ok {
		rc = &registryClient{}
		c.regs[reg.RegistryStr()] = rc
	}
	c.mu.Unlock()
	rc.once.Do(func() {
		auth, err := authn.Resolve(ctx, c.o.keychain, reg)
		if err != nil {
			rc.err = fmt.Errorf("finding credentials for %q: %w", reg.RegistryStr(), err)
			return
		}
		base := transport.NewUserAgent(newRetryTransport(c.o.transport, c.o.retry, c.o.Log), "sonic-release")
		tr, err := transport.NewWithContext(ctx, reg, auth, base, c.scopes[reg.RegistryStr()])
		if err != nil {
			rc.err = fmt.Errorf("authenticating to %q: %w", reg.RegistryStr(), err)
			return
		}
		opts := c.o.remote(tr)
		if rc.puller, rc.err = remote.NewPuller(opts...); rc.err == nil {
			rc.pusher, rc.err = remote.NewPusher(opts...)
		}
	})
	return rc, rc.err
}

func (c *clients) Get(ctx context.Context, ref name.Reference) (*remote.Descriptor, error) {
	rc, err := c.registry(ctx, ref.Context().Registry)
	if err != nil {
		return nil, err
	}
	return rc.puller.Get(ctx, ref)
}

func (c *clients) Head(ctx context.Context, ref name.Reference) (*v1.Descriptor, error) {
	rc, err := c.registry(ctx, ref.Context().Registry)
	if err != nil {
		return nil, err
	}
	return rc.puller.Head(ctx, ref)
}

func (c *clients) List(ctx context.Context, repo name.Repository) ([]string, error) {
	rc, err := c.registry(ctx, repo.Registry)
	if err != nil {
		return nil, err
	}
	return rc.puller.List(ctx, repo)
}

func (c *clients) Put(ctx context.Context, ref name.Reference, t remote.Taggable) error {
	rc, err := c.registry(ctx, ref.Context().Registry)
	if err != nil {
		return err
	}
	return rc.pusher.Put(ctx, ref, t)
}

func (c *clients) Push(ctx context.Context, ref name.Reference, t remote.Taggable) error {
	rc, err := c.registry(ctx, ref.Context().Registry)
	if err != nil {
		return err
	}
	return rc.pusher.Push(ctx, ref, t)
}

func (c *clients) Upload(ctx context.Context, repo name.Repository, l v1.Layer) error {
	rc, err := c.registry(ctx, repo.Registry)
	if err != nil {
		return err
	}
	return rc.pusher.Upload(ctx, repo, l)
}
