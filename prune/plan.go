package prune

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/errgroup"
)

// BuildPlan lists the package's versions from src, resolves its tags and
// the closure of every tag in the registry repository repo, and decides
// what pol deletes. It deletes nothing.
func BuildPlan(ctx context.Context, src Source, repo name.Repository, pol Policy, opts ...Option) (*Plan, error) {
	if err := pol.Validate(); err != nil {
		return nil, err
	}
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	versions, err := src.Versions(ctx)
	if err != nil {
		return nil, err
	}
	puller, err := remote.NewPuller(o.remote...)
	if err != nil {
		return nil, fmt.Errorf("reading the registry: %w", err)
	}
	tags, err := resolveTags(ctx, puller, repo, versions, pol, o.jobs)
	if err != nil {
		return nil, err
	}
	in := Input{Versions: versions, Tags: tags, Manifests: map[string]*Manifest{}, Policy: pol, Now: o.now()}
	for {
		plan, missing := Decide(in)
		if len(missing) == 0 {
			o.Log.Info("prune plan", "repo", repo.String(), "versions", len(versions), "delete", plan.DeleteCount, "bytes", plan.Bytes)
			return plan, nil
		}
		if err := readManifests(ctx, puller, repo, missing, in.Manifests, o.jobs); err != nil {
			return nil, err
		}
	}
}

// resolveTags reads the registry's tags. Every tag that keeps its image
// (a version, floating or branch-head tag) is resolved in the registry,
// the authority on where a tag points now; so is any tag the Packages API
// does not list (yet). Branch-build and signature tags never move: the
// API's metadata is taken for them.
func resolveTags(ctx context.Context, p *remote.Puller, repo name.Repository, versions []Version, pol Policy, jobs int) (map[string]string, error) {
	listed, err := p.List(ctx, repo)
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			return map[string]string{}, nil
		}
		return nil, fmt.Errorf("listing the tags of %q: %w", repo, err)
	}
	known := map[string]bool{}
	for _, v := range versions {
		for _, t := range v.Tags {
			known[t] = true
		}
	}
	var head []string
	for _, t := range listed {
		if pol.kind(t) == keptTag || !known[t] {
			head = append(head, t)
		}
	}
	out := make(map[string]string, len(head))
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, t := range head {
		g.Go(func() error {
			d, err := p.Head(ctx, repo.Tag(t))
			if err != nil {
				var terr *transport.Error
				if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
					return nil // deleted since the listing
				}
				return fmt.Errorf("resolving %q: %w", repo.Tag(t).String(), err)
			}
			mu.Lock()
			out[t] = d.Digest.String()
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

// readManifests reads the manifests of digests into into (nil for one the
// registry does not have).
func readManifests(ctx context.Context, p *remote.Puller, repo name.Repository, digests []string, into map[string]*Manifest, jobs int) error {
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, d := range slices.Clone(digests) {
		g.Go(func() error {
			m, err := readManifest(ctx, p, repo.Digest(d))
			if err != nil {
				return err
			}
			mu.Lock()
			into[d] = m
			mu.Unlock()
			return nil
		})
	}
	return g.Wait()
}

func readManifest(ctx context.Context, p *remote.Puller, ref name.Digest) (*Manifest, error) {
	desc, err := p.Get(ctx, ref)
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("reading %q: %w", ref.String(), err)
	}
	m := &Manifest{MediaType: string(desc.MediaType), Size: desc.Size}
	switch {
	case desc.MediaType.IsIndex():
		im, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
		if err != nil {
			return nil, fmt.Errorf("reading index %q: %w", ref.String(), err)
		}
		for _, c := range im.Manifests {
			what := "manifest"
			switch {
			case c.Annotations["vnd.docker.reference.type"] == "attestation-manifest",
				c.Platform != nil && c.Platform.OS == "unknown" && c.Platform.Architecture == "unknown":
				what = attestationManifest
			case c.Platform != nil:
				what = c.Platform.String()
			case c.ArtifactType != "":
				what = c.ArtifactType
			}
			m.Children = append(m.Children, Child{Digest: c.Digest.String(), What: what})
		}
	default:
		mf, err := v1.ParseManifest(bytes.NewReader(desc.Manifest))
		if err != nil {
			// Not an image manifest (an artifact of another shape): a leaf.
			return m, nil
		}
		m.Blobs = map[string]int64{mf.Config.Digest.String(): mf.Config.Size}
		for _, l := range mf.Layers {
			m.Blobs[l.Digest.String()] = l.Size
		}
	}
	return m, nil
}
