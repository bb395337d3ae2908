package release

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/errgroup"

	"github.com/sonicsaas/sonic-release/tagging"
)

// Op is what a plan does with one tag.
type Op string

// The operations of a plan.
const (
	OpCreate    Op = "create"    // the tag does not exist: it is made
	OpMove      Op = "move"      // a floating tag points elsewhere: it moves
	OpUnchanged Op = "unchanged" // the tag already points at the release
	OpConflict  Op = "conflict"  // an immutable tag points elsewhere: refused
	OpSkip      Op = "skip"      // the contract leaves this tag alone (Reason says why)
)

// Writes reports whether the operation writes to the registry.
func (o Op) Writes() bool { return o == OpCreate || o == OpMove }

// TagPlan is the decision for one tag in one repository.
type TagPlan struct {
	Tag    string       `json:"tag"`
	Kind   tagging.Kind `json:"kind"`
	Op     Op           `json:"op"`
	From   string       `json:"from,omitempty"` // the digest the tag points at now
	To     string       `json:"to,omitempty"`   // the digest it will point at
	Reason string       `json:"reason"`
}

// TargetPlan is the plan for one target repository.
type TargetPlan struct {
	Repository string `json:"repository"`
	// HasManifest is true when the repository already holds the release's
	// manifest (and so its blobs): Apply then copies nothing.
	HasManifest bool `json:"has_manifest"`
	// Published are the version tags the repository held when planned.
	Published []string `json:"published"`
	// Yanked are the published versions marked yanked (tagging.YankMarker):
	// the floating tags were decided without them.
	Yanked []string  `json:"yanked,omitempty"`
	Tags   []TagPlan `json:"tags"`
}

// Plan is what BuildPlan found and decided. It is plain data: it can be
// written as JSON, read back and given to Apply.
type Plan struct {
	Source    string       `json:"source"`
	Digest    string       `json:"digest"`
	MediaType string       `json:"media_type"`
	Size      int64        `json:"size"`
	Revision  string       `json:"revision,omitempty"`
	Event     string       `json:"event"` // release, branch or none
	Version   string       `json:"version,omitempty"`
	SHA       string       `json:"sha,omitempty"`
	Skip      string       `json:"skip,omitempty"`
	Targets   []TargetPlan `json:"targets"`
	// Platforms are the platform images of an index (attestation
	// manifests left out): what is signed besides the index.
	Platforms []Platform `json:"platforms,omitempty"`

	art *artifact // the opened source, when planned in this process
}

// Changes counts the tags Apply will write.
func (p Plan) Changes() int {
	n := 0
	for _, t := range p.Targets {
		for _, tp := range t.Tags {
			if tp.Op.Writes() {
				n++
			}
		}
	}
	return n
}

// AppliedTags are the tags of t that point at the release once the plan is
// applied: created, moved or already there (not the skipped and conflicting
// ones), in plan order.
func (t TargetPlan) AppliedTags() []string {
	var tags []string
	for _, tp := range t.Tags {
		if tp.Op != OpSkip && tp.Op != OpConflict {
			tags = append(tags, tp.Tag)
		}
	}
	return tags
}

// AppliedTags are the references (REPOSITORY:TAG) of every target that
// point at the release once the plan is applied (TargetPlan.AppliedTags).
func (p Plan) AppliedTags() []string {
	var refs []string
	for _, t := range p.Targets {
		for _, tag := range t.AppliedTags() {
			refs = append(refs, t.Repository+":"+tag)
		}
	}
	return refs
}

// Conflicts returns one error per conflicting tag.
func (p Plan) Conflicts() []error {
	var errs []error
	for _, t := range p.Targets {
		for _, tp := range t.Tags {
			if tp.Op == OpConflict {
				errs = append(errs, &ConflictError{Repo: t.Repository, Tag: tp.Tag, Have: tp.From, Want: p.Digest})
			}
		}
	}
	return errs
}

// Close releases what the plan's source holds open (the unpacked
// oci-archive). Apply needs the source, so close after Apply.
func (p *Plan) Close() error {
	if p.art != nil && p.art.close != nil {
		err := p.art.close()
		p.art.close = nil
		return err
	}
	return nil
}

// BuildPlan reads the source and every target repository and decides, per
// repository, what happens to every tag of the event. It writes nothing.
// Per target it sends one (paginated) tag listing and one HEAD per tag the
// plan touches that exists, plus one HEAD of the release digest when no
// touched tag shows it is there already and the repository exists.
//
// A conflict returns the plan and an error joining a *ConflictError per
// conflicting tag; a revision mismatch returns a *RevisionError. Either
// means Apply must not run. The returned plan holds the opened source:
// Close it when done.
func BuildPlan(ctx context.Context, src Source, targets []name.Repository, ev tagging.Event, pol tagging.Policy, opts ...Option) (Plan, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return Plan{}, err
	}
	if len(targets) == 0 {
		return Plan{}, badInputf("no target repository: give at least one repository to release into")
	}
	seen := map[string]bool{}
	for _, r := range targets {
		if seen[r.Name()] {
			return Plan{}, badInputf("target %q is given twice", r.Name())
		}
		seen[r.Name()] = true
	}
	plan := Plan{Source: src.String(), Event: string(ev.Kind), SHA: ev.SHA, Skip: ev.Skip, Targets: []TargetPlan{}}
	if ev.Kind == tagging.EventRelease {
		plan.Version = ev.Version.String()
	}
	if ev.Kind == tagging.EventNone {
		o.Log.Info("nothing to release", "why", ev.Skip)
		return plan, nil
	}
	// Plan only reads: the credentials asked for are pull ones.
	c := clientsFor(o, append(sourceRepo(src), targets...), nil)
	// The source is read while the targets are listed.
	var (
		art     *artifact
		rev     string
		openErr error
		opened  = make(chan struct{})
	)
	go func() {
		defer close(opened)
		if art, openErr = src.open(ctx, o, c); openErr == nil && ev.SHA != "" {
			if rev, openErr = art.revision(); openErr != nil {
				openErr = fmt.Errorf("reading the revision label of %q: %w", src, openErr)
			}
		}
	}()
	source := func() (*artifact, error) {
		<-opened
		return art, openErr
	}

	targetPlans := make([]TargetPlan, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.jobs)
	for i, repo := range targets {
		g.Go(func() error {
			tp, err := planTarget(gctx, c, repo, source, ev, pol, o)
			targetPlans[i] = tp
			return err
		})
	}
	gerr := g.Wait()
	if _, err := source(); err != nil {
		if art != nil && art.close != nil {
			_ = art.close()
		}
		return Plan{}, err
	}
	plan.art = art
	plan.Digest, plan.MediaType, plan.Size = art.digest.String(), string(art.mediaType), art.size
	if plan.Platforms, err = art.platforms(); err != nil {
		return plan, fmt.Errorf("reading the platforms of %q: %w", src, err)
	}
	plan.Revision = rev
	if rev != "" && !sameCommit(rev, ev.SHA) {
		rerr := &RevisionError{Source: src.String(), Revision: rev, SHA: ev.SHA}
		if !o.allowRevision {
			return plan, rerr
		}
		o.Log.Warn("revision mismatch allowed", "source", src.String(), "revision", rev, "sha", ev.SHA)
	}
	if gerr != nil {
		return plan, gerr
	}
	plan.Targets = targetPlans
	o.Log.Info("plan computed", "digest", plan.Digest, "targets", len(targets), "changes", plan.Changes())
	if errs := plan.Conflicts(); len(errs) > 0 {
		return plan, errors.Join(errs...)
	}
	return plan, nil
}

// sameCommit compares a full or abbreviated commit id with another.
func sameCommit(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSpace(a)), strings.ToLower(strings.TrimSpace(b))
	if len(a) < 7 || len(b) < 7 {
		return a == b
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// planTarget lists one target and reads the tags the event touches, then
// waits for the source to classify them.
func planTarget(ctx context.Context, p *clients, repo name.Repository, source func() (*artifact, error), ev tagging.Event, pol tagging.Policy, o *options) (TargetPlan, error) {
	tp := TargetPlan{Repository: repo.Name(), Published: []string{}}
	existing, found, err := listRepo(ctx, p, repo)
	if err != nil {
		return tp, err
	}
	for _, v := range tagging.PublishedVersions(existing) {
		tp.Published = append(tp.Published, v.String())
	}
	res, err := ev.Tags(existing, pol)
	if err != nil {
		return tp, err
	}
	tp.Yanked = res.Yanked
	has := make(map[string]bool, len(existing))
	for _, t := range existing {
		has[t] = true
	}
	tp.Tags = make([]TagPlan, len(res.Tags))
	exists := make([]bool, len(res.Tags))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.jobs)
	for i, t := range res.Tags {
		tp.Tags[i] = TagPlan{Tag: t.Name, Kind: t.Kind, Op: OpSkip, Reason: t.Reason}
		if !t.Apply || !has[t.Name] {
			continue
		}
		g.Go(func() error {
			cur, err := headDigest(gctx, p, repo.Tag(t.Name))
			tp.Tags[i].From, exists[i] = cur, cur != ""
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return tp, err
	}
	art, err := source()
	if err != nil {
		return tp, err
	}
	digest := art.digest.String()
	for i, t := range res.Tags {
		if !t.Apply {
			continue
		}
		tag := &tp.Tags[i]
		tag.To = digest
		switch {
		case !exists[i]:
			tag.Op = OpCreate // not listed, or deleted since the listing
		case tag.From == digest:
			tag.Op = OpUnchanged
		case t.Kind.Floating():
			tag.Op = OpMove
		default:
			tag.Op = OpConflict
			tag.Reason = fmt.Sprintf("%s already points at %s and never moves", t.Name, tag.From)
		}
	}
	tp.HasManifest = art.repo == repo.Name() || slices.ContainsFunc(tp.Tags, func(t TagPlan) bool { return t.From == digest })
	// A repository that does not exist holds no manifest: no HEAD.
	if !tp.HasManifest && hasWrites(tp) && found {
		d, err := name.NewDigest(repo.Name()+"@"+digest, name.StrictValidation)
		if err != nil {
			return tp, err
		}
		cur, err := headDigest(ctx, p, d)
		if err != nil {
			return tp, err
		}
		tp.HasManifest = cur == digest
	}
	for _, t := range tp.Tags {
		o.Log.Debug("tag planned", "repo", tp.Repository, "tag", t.Tag, "op", t.Op, "from", t.From, "to", t.To)
	}
	return tp, nil
}

func listTags(ctx context.Context, p *clients, repo name.Repository) ([]string, error) {
	tags, _, err := listRepo(ctx, p, repo)
	return tags, err
}

// listRepo lists the tags of repo; found is false when the repository
// does not exist (yet).
func listRepo(ctx context.Context, p *clients, repo name.Repository) (tags []string, found bool, err error) {
	tags, err = p.List(ctx, repo)
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("listing the tags of %q: %w", repo.Name(), err)
	}
	return tags, true, nil
}

// headDigest returns the digest ref points at, "" when it does not exist.
func headDigest(ctx context.Context, p *clients, ref name.Reference) (string, error) {
	d, err := p.Head(ctx, ref)
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			return "", nil
		}
		return "", fmt.Errorf("reading %q: %w", ref.String(), err)
	}
	return d.Digest.String(), nil
}
