package release

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/sonicsaas/sonic-release/tagging"
)

// Signer signs a released digest in one repository. Apply calls it once
// per digest and repository, after the exact (or commit) tag is written
// and before any floating tag moves; an error stops the release before the
// floating tags. Sign must be idempotent: Apply calls it on every run,
// re-runs included, so an interrupted release still ends signed. Apply
// signs the targets concurrently: Sign must be safe for concurrent use.
type Signer interface {
	Sign(ctx context.Context, d name.Digest) error
}

// readySigner is a Signer that can say whether it is able to sign (for
// example once its key is decrypted); Apply asks before it writes the
// first tag, and stops there if it cannot.
type readySigner interface {
	Ready() (string, error)
}

// Result is what Apply did.
type Result struct {
	Digest string `json:"digest"`
	// Tags are every tag the release put or found on the digest,
	// repository:tag, exact tags first.
	Tags []string `json:"tags"`
	// Written are the tags Apply wrote, repository:tag.
	Written []string `json:"written"`
	// Copied are the repositories the manifest (and blobs) were copied into.
	Copied []string `json:"copied"`
	// Signed are the repository@digest references given to the Signer.
	Signed []string `json:"signed"`
	// Repointed are floating tags moved after the release because another
	// run published a higher version meanwhile.
	Repointed []Repoint `json:"repointed"`
}

// Repoint is a floating tag moved to a higher version published meanwhile.
type Repoint struct {
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
	Version    string `json:"version"`
	To         string `json:"to"`
}

// Apply makes the registries match plan, in this order: in every target
// at once, copy the manifest (and missing blobs, mounted across
// repositories of one registry) into it if it lacks it, write the exact
// and commit tags and call the Signer; once every target is signed, write
// the floating tags; read every written tag back. Finally it
// lists each target's tags again and, if another run published a higher
// version meanwhile, re-points the floating tags at it, so racing releases
// converge. A plan with a conflict is refused without writing.
//
// Apply on a plan read back from JSON reopens plan.Source and checks its
// digest.
func Apply(ctx context.Context, plan Plan, opts ...Option) (Result, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return Result{}, err
	}
	res := Result{Digest: plan.Digest, Tags: []string{}, Written: []string{}, Copied: []string{}, Signed: []string{}, Repointed: []Repoint{}}
	if errs := plan.Conflicts(); len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	if plan.Event == string(tagging.EventNone) || len(plan.Targets) == 0 {
		return res, nil
	}
	for _, t := range plan.Targets {
		for _, tp := range t.Tags {
			if tp.Op != OpSkip {
				res.Tags = append(res.Tags, t.Repository+":"+tp.Tag)
			}
		}
	}

	repos := make([]name.Repository, len(plan.Targets))
	for i, t := range plan.Targets {
		if repos[i], err = name.NewRepository(t.Repository, name.StrictValidation); err != nil {
			return res, badInputf("plan target %q: %v", t.Repository, err)
		}
	}
	// The source is read again only for a plan read back from JSON. Its
	// repository gets a pull scope: blobs are mounted from it.
	art := plan.art
	var src Source
	var srcRepos []name.Repository
	switch {
	case art == nil && plan.Changes() > 0:
		if src, err = ParseSource(plan.Source); err != nil {
			return res, err
		}
		srcRepos = sourceRepo(src)
	case art != nil && art.repo != "":
		r, err := name.NewRepository(art.repo)
		if err != nil {
			return res, err
		}
		srcRepos = []name.Repository{r}
	}
	c := clientsFor(o, srcRepos, repos)
	if art == nil && src != nil {
		if art, err = src.open(ctx, o, c); err != nil {
			return res, err
		}
		if art.close != nil {
			defer art.close()
		}
		if art.digest.String() != plan.Digest {
			return res, fmt.Errorf("the source %q is now %s, not the planned %s: plan again", plan.Source, art.digest, plan.Digest)
		}
	}
	if art != nil {
		c.remember(art.taggable) // for the signer (Registries.KnownManifest)
	}
	var mu sync.Mutex
	record := func(s *[]string, v string) {
		mu.Lock()
		*s = append(*s, v)
		mu.Unlock()
	}

	// Per target, all targets at once: 1. what the manifest refers to
	// (blobs, or the child manifests of an index) into a target lacking
	// it (the manifest itself goes up with the first tag); 2. the
	// immutable tags; 3. the signatures. Then, once every target is
	// signed, 4. the floating tags of all targets.
	unproven := make([][]string, len(plan.Targets)) // tags whose PUT answer named no digest
	put := func(ctx context.Context, i int, floating bool) error {
		var tags []string
		for _, tp := range plan.Targets[i].Tags {
			if tp.Op.Writes() && tp.Kind.Floating() == floating {
				tags = append(tags, tp.Tag)
			}
		}
		return each(ctx, o.jobs, tags, func(ctx context.Context, _ int, tag string) error {
			ref := repos[i].Tag(tag)
			got, err := c.PutTag(ctx, ref, art.taggable)
			if err != nil {
				return fmt.Errorf("tagging %q: %w", ref.String(), err)
			}
			switch got {
			case plan.Digest: // the registry's answer is the read-back
			case "":
				record(&unproven[i], tag)
			default:
				return fmt.Errorf("tagging %q: the registry stored the manifest as %s, not %s: re-run the release", ref.String(), got, plan.Digest)
			}
			o.Log.Info("tag written", "repo", ref.RepositoryStr(), "tag", tag, "digest", plan.Digest)
			record(&res.Written, repos[i].Name()+":"+tag)
			return nil
		})
	}
	signed := make([]string, len(plan.Targets))
	// A signer still getting ready (decrypting its key) is waited for
	// before the first tag: no tag goes up for a release that cannot be
	// signed. Blobs and child manifests, invisible without a tag, are
	// copied meanwhile.
	signerReady := sync.OnceValue(func() error {
		if r, ok := o.signer.(readySigner); ok {
			_, err := r.Ready()
			return err
		}
		return nil
	})
	err = each(ctx, o.jobs, plan.Targets, func(ctx context.Context, i int, t TargetPlan) error {
		if !t.HasManifest && hasWrites(t) {
			if err := copyDeps(ctx, c, repos[i], art.taggable, o.jobs); err != nil {
				return fmt.Errorf("copying %s into %q: %w", plan.Digest, t.Repository, err)
			}
			o.Log.Info("blobs copied", "repo", t.Repository, "digest", plan.Digest)
			record(&res.Copied, t.Repository)
		}
		if err := signerReady(); err != nil {
			return err
		}
		if err := put(ctx, i, false); err != nil {
			return err
		}
		if o.signer == nil || !hasTags(t) {
			return nil
		}
		d := repos[i].Digest(plan.Digest)
		if err := o.signer.Sign(ctx, d); err != nil {
			return fmt.Errorf("signing %q (floating tags not moved): %w", d.String(), err)
		}
		o.Log.Info("signed", "repo", t.Repository, "digest", plan.Digest)
		signed[i] = d.String()
		return nil
	})
	for _, s := range signed {
		if s != "" {
			res.Signed = append(res.Signed, s)
		}
	}
	if err != nil {
		return res, err
	}
	if hasFloating(plan) {
		o.step("floating tags")
	}
	err = each(ctx, o.jobs, plan.Targets, func(ctx context.Context, i int, _ TargetPlan) error {
		return put(ctx, i, true)
	})
	if err != nil {
		return res, err
	}
	slices.Sort(res.Copied)
	slices.Sort(res.Written)
	if len(res.Written) > 0 { // nothing written: nothing to read back or converge
		// 5. Read back and converge with racing runs.
		o.step("read-back")
		err = each(ctx, o.jobs, plan.Targets, func(ctx context.Context, i int, t TargetPlan) error {
			rps, err := settle(ctx, c, repos[i], plan, t, unproven[i], o)
			mu.Lock()
			res.Repointed = append(res.Repointed, rps...)
			mu.Unlock()
			return err
		})
		if err != nil {
			return res, err
		}
	}
	// 6. What the signer left running while the tags went up
	// (sign.WithBackgroundChecks).
	if s, ok := o.signer.(settlingSigner); ok {
		if err := s.Settle(ctx); err != nil {
			return res, fmt.Errorf("checking the signatures once the tags were written: %w", err)
		}
	}
	return res, nil
}

// settlingSigner is a Signer that may leave checks running after Sign
// returns (sign.Signer with sign.WithBackgroundChecks); Apply waits for
// them last, while the floating tags and the read-back overlap them.
type settlingSigner interface {
	Settle(ctx context.Context) error
}

// copyDeps uploads (or mounts) an image's config and layers, or pushes an
// index's child manifests with theirs, so that a PUT of the manifest by
// tag succeeds.
func copyDeps(ctx context.Context, w *clients, repo name.Repository, t remote.Taggable, jobs int) error {
	switch t := t.(type) {
	case v1.Image:
		ls, err := t.Layers()
		if err != nil {
			return err
		}
		cl, err := partial.ConfigLayer(t)
		if err != nil {
			return err
		}
		return each(ctx, jobs, append(ls, cl), func(ctx context.Context, _ int, l v1.Layer) error {
			return w.Upload(ctx, repo, l)
		})
	case v1.ImageIndex:
		children, err := partial.Manifests(t)
		if err != nil {
			return err
		}
		return each(ctx, jobs, children, func(ctx context.Context, _ int, c partial.Describable) error {
			d, err := c.Digest()
			if err != nil {
				return err
			}
			switch c := c.(type) {
			case v1.Layer:
				return w.Upload(ctx, repo, c)
			case v1.Image:
				// Its blobs, then its manifest: no HEAD of a manifest
				// the repository was found to lack.
				if err := copyDeps(ctx, w, repo, c, jobs); err != nil {
					return err
				}
				return w.Put(ctx, repo.Digest(d.String()), c)
			case remote.Taggable:
				return w.Push(ctx, repo.Digest(d.String()), c)
			}
			return fmt.Errorf("index child %s cannot be copied (%T)", d, c)
		})
	}
	return fmt.Errorf("cannot copy a %T", t)
}

// hasFloating reports whether a floating tag of the plan is written.
func hasFloating(plan Plan) bool {
	for _, t := range plan.Targets {
		for _, tp := range t.Tags {
			if tp.Op.Writes() && tp.Kind.Floating() {
				return true
			}
		}
	}
	return false
}

func hasWrites(t TargetPlan) bool {
	for _, tp := range t.Tags {
		if tp.Op.Writes() {
			return true
		}
	}
	return false
}

func hasTags(t TargetPlan) bool {
	for _, tp := range t.Tags {
		if tp.Op != OpSkip {
			return true
		}
	}
	return false
}

// settle checks the tags written in one target and makes the floating
// ones point at the highest version of their line: the release's own
// digest, unless another run published a higher version meanwhile.
//
// A written tag needs no read-back: the registry's answer to its PUT
// named the digest it stored (tags whose answer named none, unproven, are
// read back with a HEAD). What a PUT cannot tell is whether another run
// published a higher version meanwhile: the tag list is read again, once,
// after the floating tags are written. Every release writes its version
// tag before its floating tags and lists after them, so a run whose
// version is the highest of a floating tag's line leaves the tag alone (a
// lower run that overwrote it sees this version when it lists, and puts
// the tag back); a run that finds a higher version re-points its floating
// tags at it (a HEAD of the version and of the tag, a PUT when they
// differ) and lists again, until a listing shows nothing newer, at most
// o.maxConverge times.
func settle(ctx context.Context, p *clients, repo name.Repository, plan Plan, t TargetPlan, unproven []string, o *options) ([]Repoint, error) {
	kinds := map[string]tagging.Kind{}
	var floating []TagPlan
	for _, tp := range t.Tags {
		if tp.Op.Writes() {
			kinds[tp.Tag] = tp.Kind
			if tp.Kind.Floating() {
				floating = append(floating, tp)
			}
		}
	}
	err := each(ctx, o.jobs, unproven, func(ctx context.Context, _ int, tag string) error {
		cur, err := headDigest(ctx, p, repo.Tag(tag))
		if err == nil && cur != plan.Digest && !kinds[tag].Floating() {
			err = fmt.Errorf("reading back %q: it points at %q, not at %s (another writer?): re-run the release", repo.Name()+":"+tag, cur, plan.Digest)
		}
		return err
	})
	if err != nil || plan.Version == "" || len(floating) == 0 {
		// Two pushes to a branch: no version says which is newer.
		return nil, err
	}
	own, err := tagging.ParseVersion(plan.Version)
	if err != nil {
		return nil, err
	}
	var repoints []Repoint
	for round := 0; ; round++ {
		tags, err := listTags(ctx, p, repo)
		if err != nil {
			return repoints, err
		}
		published := tagging.LiveVersions(tags) // yanked versions never get a floating tag back
		moved := false
		var mu sync.Mutex
		err = each(ctx, o.jobs, floating, func(ctx context.Context, _ int, tp TagPlan) error {
			h := highest(own, tp.Kind, published)
			if h.Compare(own) <= 0 {
				return nil // this release is the highest of the line: its PUT stands
			}
			var want, cur string
			g, gctx := errgroup.WithContext(ctx)
			g.Go(func() (err error) { want, err = headDigest(gctx, p, repo.Tag(h.String())); return err })
			g.Go(func() (err error) { cur, err = headDigest(gctx, p, repo.Tag(tp.Tag)); return err })
			if err := g.Wait(); err != nil || want == "" || cur == want {
				return err
			}
			desc, err := p.Get(ctx, repo.Digest(want))
			if err != nil {
				return fmt.Errorf("reading %q: %w", repo.Name()+"@"+want, err)
			}
			if err := p.Put(ctx, repo.Tag(tp.Tag), desc); err != nil {
				return fmt.Errorf("re-pointing %q: %w", repo.Name()+":"+tp.Tag, err)
			}
			o.Log.Info("floating tag re-pointed", "repo", repo.Name(), "tag", tp.Tag, "version", h.String(), "to", want)
			mu.Lock()
			repoints = append(repoints, Repoint{Repository: repo.Name(), Tag: tp.Tag, Version: h.String(), To: want})
			moved = true
			mu.Unlock()
			return nil
		})
		if err != nil || !moved {
			return repoints, err
		}
		if round+1 >= o.maxConverge {
			return repoints, fmt.Errorf("the floating tags of %q kept moving after %d re-listings: re-run the release", repo.Name(), round+1)
		}
	}
}

// highest returns the highest stable published version in the line of a
// floating tag of kind k for release v (v itself when none is higher).
func highest(v tagging.Version, k tagging.Kind, published []tagging.Version) tagging.Version {
	h := v
	for _, w := range published {
		if w.Prerelease() {
			continue
		}
		in := false
		switch k {
		case tagging.KindMinor:
			in = w.Major() == v.Major() && w.Minor() == v.Minor()
		case tagging.KindMajor:
			in = w.Major() == v.Major()
		case tagging.KindLatest:
			in = true
		}
		if in && w.Compare(h) > 0 {
			h = w
		}
	}
	return h
}

// each runs f on every item with at most jobs at once; the first error
// cancels the rest.
func each[T any](ctx context.Context, jobs int, items []T, f func(context.Context, int, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, it := range items {
		g.Go(func() error { return f(gctx, i, it) })
	}
	return g.Wait()
}
