// Package ghcrsim answers for a registry repository what GitHub's Packages
// API answers for a GHCR package: one version per manifest digest (every
// tagged manifest, every manifest an index lists, every signature,
// attestation and referrers index), with the tags on it, each created when
// first seen. Deleting a version deletes the manifest in the registry, as
// GHCR does. The demo prunes through it; tests seed the fake GitHub with
// what it lists.
package ghcrsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/sonicsaas/sonic-release/prune"
)

// Manifest is one manifest digest of the repository and its tags.
type Manifest struct {
	Digest string
	Tags   []string
}

// Manifests walks every tag of repo and every manifest an index reaches,
// and returns one entry per manifest digest, sorted by digest.
func Manifests(ctx context.Context, repo name.Repository, opts ...remote.Option) ([]Manifest, error) {
	p, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, err
	}
	tags, err := p.List(ctx, repo)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %q: %w", repo, err)
	}
	byDigest := map[string]*Manifest{}
	var queue []string
	see := func(d string) *Manifest {
		m := byDigest[d]
		if m == nil {
			m = &Manifest{Digest: d}
			byDigest[d] = m
			queue = append(queue, d)
		}
		return m
	}
	for _, t := range tags {
		desc, err := p.Head(ctx, repo.Tag(t))
		if err != nil {
			return nil, fmt.Errorf("resolving %q: %w", repo.Tag(t).String(), err)
		}
		m := see(desc.Digest.String())
		m.Tags = append(m.Tags, t)
	}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		desc, err := p.Get(ctx, repo.Digest(d))
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %q: %w", repo.Digest(d).String(), err)
		}
		if !desc.MediaType.IsIndex() {
			continue
		}
		im, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
		if err != nil {
			return nil, fmt.Errorf("reading index %q: %w", repo.Digest(d).String(), err)
		}
		for _, c := range im.Manifests {
			see(c.Digest.String())
		}
	}
	out := make([]Manifest, 0, len(byDigest))
	for _, m := range byDigest {
		sort.Strings(m.Tags)
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Digest < out[j].Digest })
	return out, nil
}

// Package is a prune.Source over a registry repository.
type Package struct {
	repo name.Repository
	opts []remote.Option

	mu      sync.Mutex
	ids     map[string]int64
	created map[string]time.Time
	nextID  int64
}

var _ prune.Source = (*Package)(nil)

// NewPackage returns the package of repo, read and deleted with opts.
func NewPackage(repo name.Repository, opts ...remote.Option) *Package {
	return &Package{repo: repo, opts: opts, ids: map[string]int64{}, created: map[string]time.Time{}}
}

// Observe records the manifests repo holds now as created at: call it after
// each push, with the time of the push, as GHCR dates its versions.
func (p *Package) Observe(ctx context.Context, at time.Time) error {
	ms, err := Manifests(ctx, p.repo, p.opts...)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range ms {
		if _, ok := p.ids[m.Digest]; !ok {
			p.nextID++
			p.ids[m.Digest] = p.nextID
			p.created[m.Digest] = at
		}
	}
	return nil
}

// Versions lists the versions, newest first, as GitHub does.
func (p *Package) Versions(ctx context.Context) ([]prune.Version, error) {
	ms, err := Manifests(ctx, p.repo, p.opts...)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []prune.Version
	for _, m := range ms {
		id, ok := p.ids[m.Digest]
		if !ok {
			p.nextID++
			id = p.nextID
			p.ids[m.Digest] = id
			p.created[m.Digest] = time.Now().UTC()
		}
		out = append(out, prune.Version{ID: id, Digest: m.Digest, Tags: m.Tags, Created: p.created[m.Digest]})
	}
	slices.SortFunc(out, func(a, b prune.Version) int { return int(b.ID - a.ID) })
	return out, nil
}

// Delete deletes the version's manifest from the registry.
func (p *Package) Delete(ctx context.Context, v prune.Version) error {
	return remote.Delete(p.repo.Digest(v.Digest), append(slices.Clone(p.opts), remote.WithContext(ctx))...)
}
