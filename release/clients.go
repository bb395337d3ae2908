package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// clients is the registry access of one BuildPlan or Apply, or of a whole
// run (Registries): per registry, one authenticated transport (one /v2/
// ping, one token for every repository involved) shared by a
// remote.Puller and a remote.Pusher.
type clients struct {
	o      *options
	scopes map[string][]string // registry -> token scopes
	mu     sync.Mutex
	regs   map[string]*registryClient
	known  sync.Map // digest -> knownManifest: the released manifest
}

// knownManifest is a manifest the run holds, by digest.
type knownManifest struct {
	raw []byte
	mt  types.MediaType
}

// remember keeps t's manifest, which the run read or is writing, for a
// signer to take instead of fetching it again (Registries.KnownManifest).
func (c *clients) remember(t remote.Taggable) {
	raw, err := t.RawManifest()
	if err != nil {
		return
	}
	mt := types.DockerManifestSchema2
	if m, ok := t.(interface {
		MediaType() (types.MediaType, error)
	}); ok {
		if mt, err = m.MediaType(); err != nil {
			return
		}
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return
	}
	c.known.Store(h.String(), knownManifest{raw, mt})
}

type registryClient struct {
	once   sync.Once
	http   *http.Client // the authenticated transport, for PutTag
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
		rc.http = &http.Client{Transport: tr}
		opts := c.o.remote(tr)
		if rc.puller, rc.err = remote.NewPuller(opts...); rc.err == nil {
			rc.pusher, rc.err = remote.NewPusher(opts...)
		}
	})
	return rc, rc.err
}

// Registries is the registry access one run shares between BuildPlan,
// Apply, PublishedTags and a signer (RemoteOptions): per registry, one
// /v2/ ping and one token exchange covering every repository of the run,
// one pool of kept-alive connections, and one remote.Puller and
// remote.Pusher that reuse them. On a real network every ping, token and
// new connection is a round trip more; a run that shares a Registries
// pays them once per registry. It is safe for concurrent use and
// authenticates to a registry on first use.
type Registries struct{ c *clients }

// NewRegistries prepares the registry access of a run that reads src
// (when it is in a registry) and reads targets, and writes to targets
// when write is true (false for a dry run: only pull access is asked
// for). Of opts, those that shape the connection apply: WithTransport,
// WithKeychain, WithJobs, WithRetry, WithPageSize, WithLogger.
func NewRegistries(src Source, targets []name.Repository, write bool, opts ...Option) (*Registries, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	pull := sourceRepo(src)
	if !write {
		return &Registries{newClients(o, append(pull, targets...), nil)}, nil
	}
	return &Registries{newClients(o, pull, targets)}, nil
}

// WithRegistries makes BuildPlan, Apply and PublishedTags use r's
// connections, pings and tokens instead of their own. The default is a
// fresh registry access per call.
func WithRegistries(r *Registries) Option {
	return func(o *options) error {
		if r == nil {
			return errors.New("registries must not be nil")
		}
		o.registries = r
		return nil
	}
}

// RemoteOptions are go-containerregistry options that send the requests
// of any remote call to reg (remote.Get, remote.Write, cosign's ociremote
// with ociremote.WithRemoteOptions) through r's puller and pusher for
// reg: no ping or token exchange of their own.
func (r *Registries) RemoteOptions(ctx context.Context, reg name.Registry) ([]remote.Option, error) {
	rc, err := r.c.registry(ctx, reg)
	if err != nil {
		return nil, err
	}
	return []remote.Option{remote.Reuse(rc.puller), remote.Reuse(rc.pusher)}, nil
}

// Transport is r's authenticated transport to reg (its ping and token
// done), for requests go-containerregistry does not make: a signature's
// small blobs in one request each.
func (r *Registries) Transport(ctx context.Context, reg name.Registry) (http.RoundTripper, error) {
	rc, err := r.c.registry(ctx, reg)
	if err != nil {
		return nil, err
	}
	return rc.http.Transport, nil
}

// KnownManifest is the manifest of d's digest when the run holds it (the
// release's manifest, once Apply has it), for sign.WithKnownManifests:
// the signer then reads neither the manifest nor, for an index, its
// platform manifests' descriptors again. Manifests are content-addressed,
// so the digest alone names them in any repository.
func (r *Registries) KnownManifest(d name.Digest) ([]byte, types.MediaType, bool) {
	v, ok := r.c.known.Load(d.DigestStr())
	if !ok {
		return nil, "", false
	}
	k := v.(knownManifest)
	return k.raw, k.mt, true
}

// clientsFor returns the run's shared clients (WithRegistries), or fresh
// ones that may read pull and read and write push.
func clientsFor(o *options, pull, push []name.Repository) *clients {
	if o.registries != nil {
		return o.registries.c
	}
	return newClients(o, pull, push)
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

// PutTag writes t's manifest, byte for byte, under ref, and returns the
// digest the registry says it stored (its Docker-Content-Digest), or ""
// when the answer names none. A registry that stored these bytes under
// ref answers with their digest: that is the read-back of the tag.
func (c *clients) PutTag(ctx context.Context, ref name.Reference, t remote.Taggable) (string, error) {
	rc, err := c.registry(ctx, ref.Context().Registry)
	if err != nil {
		return "", err
	}
	raw, err := t.RawManifest()
	if err != nil {
		return "", err
	}
	mt := types.DockerManifestSchema2 // what ggcr assumes without a media type
	if m, ok := t.(interface {
		MediaType() (types.MediaType, error)
	}); ok {
		if mt, err = m.MediaType(); err != nil {
			return "", err
		}
	}
	repo := ref.Context()
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/manifests/" + ref.Identifier()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", string(mt))
	resp, err := rc.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK, http.StatusCreated, http.StatusAccepted); err != nil {
		return "", err
	}
	return resp.Header.Get("Docker-Content-Digest"), nil
}

func (c *clients) Push(ctx context.Context, ref name.Reference, t remote.Taggable) error {
	rc, err := c.registry(ctx, ref.Context().Registry)
	if err != nil {
		return err
	}
	return rc.pusher.Push(ctx, ref, t)
}

// Upload puts the blob l into repo. A blob of another repository of the
// same registry is mounted with one request, without go-containerregistry's
// existence check first (a HEAD, a round trip on the critical path of
// every first release): the registry links the blob whether or not repo
// has it already. A registry that does not mount it (202, an upload
// session) gets the usual upload.
func (c *clients) Upload(ctx context.Context, repo name.Repository, l v1.Layer) error {
	rc, err := c.registry(ctx, repo.Registry)
	if err != nil {
		return err
	}
	if ml, ok := l.(*remote.MountableLayer); ok {
		if mounted, err := mountBlob(ctx, rc.http, repo, ml); mounted || err != nil {
			return err
		}
	}
	return rc.pusher.Upload(ctx, repo, l)
}

// mountBlob asks the registry to mount ml's blob into repo from ml's
// repository of the same registry; mounted is false when it did not (the
// caller uploads), and err only a cancelled ctx.
func mountBlob(ctx context.Context, client *http.Client, repo name.Repository, ml *remote.MountableLayer) (mounted bool, err error) {
	from := ml.Reference.Context()
	if from.RegistryStr() != repo.RegistryStr() || from.RepositoryStr() == repo.RepositoryStr() {
		return false, nil
	}
	h, err := ml.Digest()
	if err != nil {
		return false, nil
	}
	q := url.Values{"mount": {h.String()}, "from": {from.RepositoryStr()}}
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/blobs/uploads/", RawQuery: q.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return false, nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, ctx.Err() // the usual upload tries again, unless cancelled
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusCreated, nil
}
