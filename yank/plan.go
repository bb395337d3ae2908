package yank

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

// Op is what a yank does with one floating tag.
type Op string

// The operations of a yank plan.
const (
	OpMove      Op = "move"      // the tag moves to another version
	OpCreate    Op = "create"    // unyank: the tag is made again
	OpUnchanged Op = "unchanged" // the tag already points where it should
	OpKeep      Op = "keep"      // its line has nothing else: it keeps the yanked version
	OpSkip      Op = "skip"      // the repository has no such tag, or the contract leaves it alone
)

// Writes reports whether the operation writes to the registry.
func (o Op) Writes() bool { return o == OpMove || o == OpCreate }

// TagPlan is the decision for one floating tag in one repository.
type TagPlan struct {
	Tag  string       `json:"tag"`
	Kind tagging.Kind `json:"kind"`
	Op   Op           `json:"op"`
	From string       `json:"from,omitempty"`
	To   string       `json:"to,omitempty"`
	// Version is the version the tag points at afterwards.
	Version string `json:"version,omitempty"`
	Reason  string `json:"reason"`
}

// RepoPlan is the plan for one repository.
type RepoPlan struct {
	Repository string `json:"repository"`
	// Digest is what the version's exact tag points at ("" when the
	// repository does not hold the version).
	Digest string `json:"digest,omitempty"`
	// Marker is the marker tag to add (tagging.YankMarker), "" when the
	// repository already records the version's state.
	Marker string `json:"marker,omitempty"`
	// Manifest is the marker's artifact manifest (with Marker).
	Manifest json.RawMessage `json:"manifest,omitempty"`
	Tags     []TagPlan       `json:"tags"`
}

// Plan is what a yank or unyank does in every repository. It is plain data.
type Plan struct {
	Version string `json:"version"`
	// Yank is true for a yank, false for an unyank.
	Yank   bool   `json:"yank"`
	Reason string `json:"reason,omitempty"`
	// Replacement is the version operators should use instead (a yank):
	// the highest other version of its minor line, else of its major
	// line, else the highest stable version; "" when there is none.
	Replacement string `json:"replacement,omitempty"`
	// Latest is the version the first repository's latest tag points at
	// afterwards, "" when it has no latest.
	Latest string     `json:"latest,omitempty"`
	Repos  []RepoPlan `json:"repositories"`
}

// Changes counts what Apply writes: markers and moved tags.
func (p Plan) Changes() int {
	n := 0
	for _, r := range p.Repos {
		if r.Marker != "" {
			n++
		}
		for _, t := range r.Tags {
			if t.Op.Writes() {
				n++
			}
		}
	}
	return n
}

// State is what a repository holds: its tag listing, and the digests of
// the tags Wanted names (a missing tag maps to "").
type State struct {
	Repository string
	Tags       []string
	Digests    map[string]string
}

// Request is one yank or unyank.
type Request struct {
	Version tagging.Version
	// Yank is true for a yank, false for an unyank.
	Yank bool
	// Reason is why (required for a yank); it goes on the marker and in
	// the GitHub release's warning.
	Reason string
	Policy tagging.Policy
	// Now is the time recorded on the marker.
	Now time.Time
}

// The marker manifest's artifact types and annotations.
const (
	ArtifactYank   = "application/vnd.sonicsaas.release.yank.v1+json"
	ArtifactUnyank = "application/vnd.sonicsaas.release.unyank.v1+json"

	AnnotationVersion     = "dev.sonicsaas.release/version"
	AnnotationReason      = "dev.sonicsaas.release/reason"
	AnnotationDigest      = "dev.sonicsaas.release/digest"
	AnnotationReplacement = "dev.sonicsaas.release/replacement"
	AnnotationCreated     = "org.opencontainers.image.created"
)

// MaxReason is the longest reason accepted, in bytes.
const MaxReason = 1024

func (r Request) check() error {
	if r.Version.IsZero() {
		return inputerr.Errorf("no version given: expected a version such as v1.2.3")
	}
	if r.Yank && r.Reason == "" {
		return inputerr.Errorf("no reason given for yanking %s: say why, operators read it on the release and the marker", r.Version)
	}
	if len(r.Reason) > MaxReason {
		return inputerr.Errorf("the reason is %d bytes: at most %d", len(r.Reason), MaxReason)
	}
	return nil
}

// lines are the floating tags of v's lines, with which versions belong
// to each: vX.Y, vX (unless X = 0 without Policy.MajorZero), latest.
func lines(v tagging.Version, pol tagging.Policy) []line {
	ls := []line{{fmt.Sprintf("v%d.%d", v.Major(), v.Minor()), tagging.KindMinor, func(w tagging.Version) bool {
		return w.Major() == v.Major() && w.Minor() == v.Minor()
	}}}
	if v.Major() != 0 || pol.MajorZero {
		ls = append(ls, line{fmt.Sprintf("v%d", v.Major()), tagging.KindMajor, func(w tagging.Version) bool { return w.Major() == v.Major() }})
	}
	return append(ls, line{"latest", tagging.KindLatest, func(tagging.Version) bool { return true }})
}

type line struct {
	tag  string
	kind tagging.Kind
	in   func(tagging.Version) bool
}

// highestLive is the highest stable version of the line among tags that
// is neither yanked nor skip ("" when none).
func (l line) highestLive(tags []string, skip tagging.Version) string {
	best := tagging.Version{}
	for _, w := range tagging.LiveVersions(tags) {
		if w.Prerelease() || w.Compare(skip) == 0 || !l.in(w) {
			continue
		}
		if best.IsZero() || w.Compare(best) > 0 {
			best = w
		}
	}
	return best.String()
}

// Wanted returns the tags of a repository listing tags whose digests
// Decide needs: the version's exact tag, its floating tags and the
// versions they may move to.
func Wanted(r Request, tags []string) []string {
	if r.Version.IsZero() {
		return nil
	}
	want := []string{r.Version.String()}
	if !r.Version.Prerelease() {
		for _, l := range lines(r.Version, r.Policy) {
			if slices.Contains(tags, l.tag) {
				want = append(want, l.tag)
			}
			if h := l.highestLive(tags, r.Version); h != "" && r.Yank {
				want = append(want, h)
			}
		}
	}
	slices.Sort(want)
	return slices.Compact(want)
}

// Decide makes the plan of r over the repositories' states. It refuses a
// version that no repository holds.
func Decide(r Request, states []State) (Plan, error) {
	if err := r.check(); err != nil {
		return Plan{}, err
	}
	v := r.Version
	plan := Plan{Version: v.String(), Yank: r.Yank, Reason: r.Reason, Repos: []RepoPlan{}}
	held := false
	for i, st := range states {
		rp := RepoPlan{Repository: st.Repository, Digest: st.Digests[v.String()], Tags: []TagPlan{}}
		held = held || rp.Digest != ""
		m, add, err := tagging.NextYankMarker(v, st.Tags, r.Yank)
		if err != nil {
			return Plan{}, err
		}
		// The state once the marker is there.
		after := st.Tags
		if add {
			after = append(slices.Clone(st.Tags), m.Tag())
		}
		replacement := ""
		if !v.Prerelease() {
			for _, l := range lines(v, r.Policy) {
				tp := decideTag(r, l, st, rp.Digest, after)
				if i == 0 && l.kind == tagging.KindLatest {
					plan.Latest = tp.Version
				}
				rp.Tags = append(rp.Tags, tp)
				if h := l.highestLive(after, v); replacement == "" && h != "" {
					replacement = h
				}
			}
		}
		if i == 0 && r.Yank {
			plan.Replacement = replacement
		}
		if add && rp.Digest != "" {
			rp.Marker = m.Tag()
			if rp.Manifest, err = markerManifest(r, rp.Digest, replacement); err != nil {
				return Plan{}, err
			}
		}
		plan.Repos = append(plan.Repos, rp)
	}
	if !held {
		names := make([]string, len(states))
		for i, s := range states {
			names[i] = s.Repository
		}
		return plan, inputerr.Errorf("%s is not published in %v: there is nothing to %s", v, names, verb(r.Yank))
	}
	return plan, nil
}

func verb(yank bool) string {
	if yank {
		return "yank"
	}
	return "unyank"
}

// decideTag decides one floating tag of a repository whose tags will be
// after, where the version's exact tag points at exact.
func decideTag(r Request, l line, st State, exact string, after []string) TagPlan {
	v := r.Version
	cur := st.Digests[l.tag]
	tp := TagPlan{Tag: l.tag, Kind: l.kind, Op: OpSkip, From: cur}
	if !r.Yank {
		// Unyank: the contract decides, as for a release of v.
		res, _ := tagging.Release(v, false, after, r.Policy)
		apply := slices.ContainsFunc(res.Tags, func(t tagging.Tag) bool { return t.Name == l.tag && t.Apply })
		switch {
		case exact == "":
			tp.Reason = fmt.Sprintf("%s is not in this repository", v)
		case !apply:
			tp.Reason = fmt.Sprintf("%s stays: %s is not the highest of its line", l.tag, v)
			tp.Version = versionAt(cur, st)
		case cur == exact:
			tp.Op, tp.To, tp.Version, tp.Reason = OpUnchanged, exact, v.String(), fmt.Sprintf("%s already points at %s", l.tag, v)
		case cur == "":
			tp.Op, tp.To, tp.Version, tp.Reason = OpCreate, exact, v.String(), fmt.Sprintf("%s is made again: %s is the highest of its line", l.tag, v)
		default:
			tp.Op, tp.To, tp.Version, tp.Reason = OpMove, exact, v.String(), fmt.Sprintf("%s moves back: %s is the highest of its line again", l.tag, v)
		}
		return tp
	}
	switch {
	case cur == "":
		tp.Reason = fmt.Sprintf("%s does not exist here", l.tag)
		return tp
	case exact == "" || cur != exact:
		tp.Op, tp.To, tp.Version = OpUnchanged, cur, versionAt(cur, st)
		tp.Reason = fmt.Sprintf("%s does not point at %s", l.tag, v)
		return tp
	}
	h := l.highestLive(after, v)
	if h == "" {
		tp.Op, tp.To, tp.Version = OpKeep, cur, v.String()
		tp.Reason = fmt.Sprintf("%s keeps %s: its line has no other stable version left", l.tag, v)
		return tp
	}
	tp.Op, tp.To, tp.Version = OpMove, st.Digests[h], h
	tp.Reason = fmt.Sprintf("%s moves back to %s, the highest remaining of its line", l.tag, h)
	return tp
}

// versionAt names the version among the digests read whose exact tag
// points at d ("" when none is known).
func versionAt(d string, st State) string {
	if d == "" {
		return ""
	}
	var best tagging.Version
	for t, dd := range st.Digests {
		if dd != d {
			continue
		}
		if w, err := tagging.ParseVersion(t); err == nil && (best.IsZero() || w.Compare(best) > 0) {
			best = w
		}
	}
	return best.String()
}

// markerManifest is the marker's OCI artifact manifest: the empty config
// and layer, and the yank's record as annotations.
func markerManifest(r Request, digest, replacement string) ([]byte, error) {
	empty := map[string]any{"mediaType": "application/vnd.oci.empty.v1+json", "digest": release.EmptyDigest, "size": 2}
	artifact := ArtifactUnyank
	if r.Yank {
		artifact = ArtifactYank
	}
	ann := map[string]string{
		AnnotationVersion: r.Version.String(),
		AnnotationDigest:  digest,
		AnnotationCreated: r.Now.UTC().Format(time.RFC3339),
	}
	if r.Reason != "" {
		ann[AnnotationReason] = r.Reason
	}
	if replacement != "" && r.Yank {
		ann[AnnotationReplacement] = replacement
	}
	return json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"artifactType":  artifact,
		"config":        empty,
		"layers":        []any{empty},
		"annotations":   ann,
	})
}
