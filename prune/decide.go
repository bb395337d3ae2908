package prune

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
)

// Version is one version of a container package, as the Packages API lists
// it: its Name is the manifest digest.
type Version struct {
	ID      int64     `json:"id"`
	Digest  string    `json:"digest"`
	Tags    []string  `json:"tags,omitempty"`
	Created time.Time `json:"created_at"`
}

// Manifest is what the registry holds at one digest, as far as pruning
// needs it.
type Manifest struct {
	MediaType string
	// Size is the size of the manifest itself.
	Size int64
	// Children are the manifests of an index.
	Children []Child
	// Blobs are the config and layers of an image manifest (digest → size).
	Blobs map[string]int64
}

// Child is one manifest of an index.
type Child struct {
	Digest string
	// What names it: its platform ("linux/amd64"), or "attestation".
	What string
}

// Policy is what to keep. A branch build is a version tagged
// Branch-<hex commit id> (7 to 40 hex digits) and by nothing else but
// other branch-build tags and signature tags. Every other tag is always
// kept, with everything it needs.
type Policy struct {
	// Keep is how many branch builds to keep, newest first.
	Keep int
	// KeepYoungerThan keeps every branch build younger than this as well
	// (0: age keeps nothing).
	KeepYoungerThan time.Duration
	// Branch is the branch whose builds are pruned ("master").
	Branch string
	// KeepUntagged keeps versions that no tag reaches at all. Without it
	// those older than every kept branch build are deleted: children of an
	// index deleted by a run that stopped half-way, or leftovers.
	KeepUntagged bool
}

// Validate reports a policy that cannot be used.
func (p Policy) Validate() error {
	switch {
	case p.Keep < 0:
		return inputerr.Errorf("the number of branch builds to keep must not be negative, got %d", p.Keep)
	case p.KeepYoungerThan < 0:
		return inputerr.Errorf("the age to keep must not be negative, got %s", p.KeepYoungerThan)
	case p.Keep == 0 && p.KeepYoungerThan == 0:
		return inputerr.Errorf("the policy keeps no branch build: keep at least one, or those younger than a duration")
	case !branchName.MatchString(p.Branch):
		return inputerr.Errorf("branch %q: expected a branch name as it appears in tags, such as master", p.Branch)
	}
	return nil
}

var branchName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$`)

// Action is what happens to a version.
type Action string

// The actions.
const (
	Keep   Action = "keep"
	Delete Action = "delete"
)

// Item is the decision on one version.
type Item struct {
	Version
	Action Action `json:"action"`
	// Reason says why, in words: "tag v1.2.3", "linux/amd64 of v1.2.3",
	// "branch build older than the newest 10".
	Reason string `json:"reason"`
	// Root marks a tagged version deleted for its own tags (not as part of
	// another's closure): Apply checks just before deleting it that no tag
	// was added to it since the plan.
	Root bool `json:"root,omitempty"`
	// Level orders deletions: every version of a level is deleted before
	// any of the next (an index before its children, an image before its
	// signatures).
	Level int `json:"level,omitempty"`
	// Bytes is what deleting it frees: its manifest and the blobs no kept
	// image and no earlier deletion shares.
	Bytes int64 `json:"bytes,omitempty"`
}

// Plan is the decision on every version of a package.
type Plan struct {
	// Items holds every version: the deletions first, in the order Apply
	// deletes them, then the kept versions.
	Items []Item `json:"items"`
	// DeleteCount and KeepCount count the items by action.
	DeleteCount int `json:"delete"`
	KeepCount   int `json:"keep"`
	// Bytes is what the deletions free, about (blobs shared with a kept
	// image are not counted).
	Bytes int64 `json:"bytes"`
	// Warnings are problems found on the way, such as a kept image that is
	// already missing a part.
	Warnings []string `json:"warnings,omitempty"`
}

// Deletions returns the items to delete, in order.
func (p *Plan) Deletions() []Item { return p.Items[:p.DeleteCount] }

// tagKind is what a tag says of its version.
type tagKind int

const (
	keptTag   tagKind = iota // a version, floating or any other tag: kept
	branchTag                // a branch build: the policy decides
	sigTag                   // a signature, attestation, SBOM or referrers tag of another digest
)

var sigTagRE = regexp.MustCompile(`^(sha256|sha512)-([0-9a-f]{64}|[0-9a-f]{128})(\.sig|\.att|\.sbom)?$`)

// subjectOf returns the digest a signature-style tag belongs to and what it
// is ("signature", "attestation", "sbom", "referrers").
func subjectOf(tag string) (digest, rel string, ok bool) {
	m := sigTagRE.FindStringSubmatch(tag)
	if m == nil {
		return "", "", false
	}
	rel = map[string]string{".sig": "signature", ".att": "attestation", ".sbom": "sbom", "": "referrers"}[m[3]]
	return m[1] + ":" + m[2], rel, true
}

// attached returns the tags that hang off digest d, in a fixed order.
func attached(d string) [4]struct{ tag, rel string } {
	base := strings.Replace(d, ":", "-", 1)
	return [4]struct{ tag, rel string }{{base + ".sig", "signature"}, {base + ".att", "attestation"}, {base + ".sbom", "sbom"}, {base, "referrers"}}
}

func (p Policy) kind(tag string) tagKind {
	if _, _, ok := subjectOf(tag); ok {
		return sigTag
	}
	if rest, ok := strings.CutPrefix(tag, p.Branch+"-"); ok && len(rest) >= 7 && len(rest) <= 40 && isHex(rest) {
		return branchTag
	}
	return keptTag
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Input is what Decide reads.
type Input struct {
	// Versions are the package's versions (the Packages API).
	Versions []Version
	// Tags maps every tag to its digest, as the registry resolves it; a
	// version's tags absent here are taken from Versions.
	Tags map[string]string
	// Manifests holds the manifests read so far; a nil entry is a digest the
	// registry does not have.
	Manifests map[string]*Manifest
	Policy    Policy
	Now       time.Time
}

// member is how a digest entered a closure.
type member struct {
	label string // "v1.2.3", "linux/amd64 of v1.2.3", …
	from  string // the digest it hangs off ("" for a root)
	leaf  bool   // a signature or attestation: no manifests below it
}

// attestationManifest is what a BuildKit attestation manifest of an index
// is called (Child.What).
const attestationManifest = "attestation manifest"

// Decide computes the plan from what is known. missing lists the digests
// whose manifest it needs next (reached by a closure, not yet in
// in.Manifests): read them, add them to in.Manifests and decide again,
// until missing is empty. Only then is the plan final.
func Decide(in Input) (plan *Plan, missing []string) {
	pol := in.Policy
	byDigest := map[string]*Version{}
	for i := range in.Versions {
		byDigest[in.Versions[i].Digest] = &in.Versions[i]
	}
	// tag → digest: the registry's answer wins over the API's metadata.
	tags := map[string]string{}
	for _, v := range in.Versions {
		for _, t := range v.Tags {
			tags[t] = v.Digest
		}
	}
	for t, d := range in.Tags {
		tags[t] = d
	}
	tagsOf := map[string][]string{}
	for t, d := range tags {
		tagsOf[d] = append(tagsOf[d], t)
	}
	for _, ts := range tagsOf {
		slices.Sort(ts)
	}

	need := map[string]bool{}
	// closure adds to into everything roots reach, stopping at stop. With
	// light (the deleted side), signatures, attestations and BuildKit
	// attestation manifests are taken as leaves without reading them:
	// they are small, and were one to list manifests, those would be left
	// untagged and unreachable, for the untagged rule.
	closure := func(roots []string, labels map[string]string, into map[string]member, stop map[string]member, light bool) {
		queue := slices.Clone(roots)
		for _, r := range roots {
			if _, ok := into[r]; !ok {
				into[r] = member{label: labels[r]}
			}
		}
		for len(queue) > 0 {
			d := queue[0]
			queue = queue[1:]
			m := into[d]
			add := func(c, label string, leaf bool) {
				if _, ok := into[c]; ok {
					return
				}
				if _, ok := stop[c]; ok {
					return
				}
				into[c] = member{label: label, from: d, leaf: leaf}
				queue = append(queue, c)
			}
			for _, a := range attached(d) {
				if s, ok := tags[a.tag]; ok {
					add(s, a.rel+" of "+m.label, a.rel != "referrers")
				}
			}
			man, read := in.Manifests[d]
			if !read {
				if !light || !m.leaf {
					need[d] = true
				}
				continue
			}
			if man == nil {
				continue
			}
			for _, c := range man.Children {
				add(c.Digest, c.What+" of "+m.label, c.What == attestationManifest)
			}
		}
	}

	// Roots: every digest with a kept tag, and the branch builds the
	// policy keeps. Builds are ranked newest first, whatever other tags
	// they carry: "the newest N" counts every build.
	keptLabels := map[string]string{}
	tagLabel := map[string]string{}
	var keptRoots, builds []string
	for d, ts := range tagsOf {
		var kept []string
		build := false
		for _, t := range ts {
			switch pol.kind(t) {
			case keptTag:
				kept = append(kept, t)
			case branchTag:
				build = true
			}
		}
		if len(kept) > 0 {
			tagLabel[d] = "tag " + strings.Join(kept, ", ")
		}
		switch {
		case build && byDigest[d] != nil:
			builds = append(builds, d)
		case len(kept) > 0:
			keptRoots = append(keptRoots, d)
			keptLabels[d] = tagLabel[d]
		case build:
			// A tag the registry has but the package list does not (yet):
			// kept, it cannot be ranked.
			keptRoots = append(keptRoots, d)
			keptLabels[d] = "tag " + strings.Join(ts, ", ") + " (not listed by the Packages API yet)"
		}
	}
	slices.SortFunc(builds, func(a, b string) int {
		va, vb := byDigest[a], byDigest[b]
		return cmp.Or(vb.Created.Compare(va.Created), cmp.Compare(vb.ID, va.ID))
	})
	var pruned []string
	prunedLabels := map[string]string{}
	var oldestKept time.Time
	for i, d := range builds {
		var names []string
		for _, t := range tagsOf[d] {
			if pol.kind(t) == branchTag {
				names = append(names, t)
			}
		}
		label := strings.Join(names, ", ")
		age := in.Now.Sub(byDigest[d].Created)
		switch {
		case i < pol.Keep:
			keptLabels[d] = fmt.Sprintf("%s: one of the newest %d %s builds", label, pol.Keep, pol.Branch)
		case pol.KeepYoungerThan > 0 && age < pol.KeepYoungerThan:
			keptLabels[d] = fmt.Sprintf("%s: younger than %s", label, pol.KeepYoungerThan)
		case tagLabel[d] != "":
			keptRoots = append(keptRoots, d)
			keptLabels[d] = tagLabel[d]
			continue
		default:
			pruned = append(pruned, d)
			prunedLabels[d] = label
			continue
		}
		if tagLabel[d] != "" {
			keptLabels[d] = tagLabel[d] + "; " + keptLabels[d]
		}
		keptRoots = append(keptRoots, d)
		oldestKept = byDigest[d].Created
	}
	slices.SortFunc(keptRoots, func(a, b string) int { return cmp.Compare(keptLabels[a], keptLabels[b]) })

	kept := map[string]member{}
	closure(keptRoots, keptLabels, kept, nil, false)

	// What goes: the pruned builds' closures, signatures whose image is
	// gone, and (unless kept) untagged versions no tag reaches.
	gone := map[string]member{}
	closure(pruned, prunedLabels, gone, kept, true)
	var orphanSigs []string
	orphanLabels := map[string]string{}
	for t, d := range tags {
		if s, rel, ok := subjectOf(t); ok && byDigest[s] == nil {
			if _, ok := kept[d]; ok {
				continue
			}
			if _, ok := gone[d]; ok {
				continue
			}
			orphanSigs = append(orphanSigs, d)
			orphanLabels[d] = fmt.Sprintf("%s of %s, which is no longer in the package", rel, short(s))
		}
	}
	slices.Sort(orphanSigs)
	orphanSigs = slices.Compact(orphanSigs)
	closure(orphanSigs, orphanLabels, gone, kept, true)
	var untagged []string
	untaggedLabels := map[string]string{}
	cutoff := oldestKept
	if pol.KeepYoungerThan > 0 && (cutoff.IsZero() || in.Now.Add(-pol.KeepYoungerThan).Before(cutoff)) {
		cutoff = in.Now.Add(-pol.KeepYoungerThan)
	}
	// Only once the closures are complete: before, a child of an index not
	// read yet would look unreachable.
	if !pol.KeepUntagged && !cutoff.IsZero() && len(need) == 0 {
		for _, v := range in.Versions {
			if len(tagsOf[v.Digest]) > 0 || !v.Created.Before(cutoff) {
				continue
			}
			if _, ok := kept[v.Digest]; ok {
				continue
			}
			if _, ok := gone[v.Digest]; ok {
				continue
			}
			untagged = append(untagged, v.Digest)
			untaggedLabels[v.Digest] = "untagged, reached by no tag, older than every kept " + pol.Branch + " build"
		}
		slices.Sort(untagged)
		closure(untagged, untaggedLabels, gone, kept, true)
	}

	for d := range need {
		missing = append(missing, d)
	}
	slices.Sort(missing)

	plan = &Plan{}
	// Levels: a version is deleted after everything it hangs off that is
	// deleted too.
	level := map[string]int{}
	var levelOf func(d string, depth int) int
	levelOf = func(d string, depth int) int {
		if l, ok := level[d]; ok {
			return l
		}
		l := 0
		if from := gone[d].from; from != "" && depth < len(gone) {
			if _, ok := gone[from]; ok {
				l = levelOf(from, depth+1) + 1
			}
		}
		level[d] = l
		return l
	}
	keptBlobs := map[string]bool{}
	for d := range kept {
		if m := in.Manifests[d]; m != nil {
			for b := range m.Blobs {
				keptBlobs[b] = true
			}
		}
	}
	var del, keep []Item
	for _, v := range in.Versions {
		it := Item{Version: v}
		it.Tags = tagsOf[v.Digest]
		if m, ok := kept[v.Digest]; ok {
			it.Action, it.Reason = Keep, m.label
		} else if m, ok := gone[v.Digest]; ok {
			it.Action, it.Reason, it.Level = Delete, m.label, levelOf(v.Digest, 0)
			it.Root = m.from == "" && len(it.Tags) > 0
			if m.from == "" && prunedLabels[v.Digest] != "" {
				it.Reason = fmt.Sprintf("%s: %s", m.label, buildReason(pol))
			}
		} else {
			it.Action = Keep
			switch {
			case len(it.Tags) > 0:
				// Only signature-style tags are left here: their image is
				// an untagged version that is kept.
				it.Reason = "tag " + strings.Join(it.Tags, ", ") + " of a version that is kept"
				if s, rel, ok := subjectOf(it.Tags[0]); ok {
					it.Reason = fmt.Sprintf("%s of %s, which is kept", rel, short(s))
				}
			case pol.KeepUntagged:
				it.Reason = "untagged, reached by no tag (kept: untagged versions are kept)"
			default:
				it.Reason = "untagged, reached by no tag, not older than every kept " + pol.Branch + " build (maybe a build in progress)"
			}
		}
		if it.Action == Delete {
			del = append(del, it)
		} else {
			keep = append(keep, it)
		}
	}
	slices.SortStableFunc(del, func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	slices.SortStableFunc(keep, func(a, b Item) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.ID, a.ID))
	})
	counted := map[string]bool{}
	for i := range del {
		m := in.Manifests[del[i].Digest]
		if m == nil {
			continue
		}
		del[i].Bytes = m.Size
		for _, b := range slices.Sorted(maps.Keys(m.Blobs)) {
			if !keptBlobs[b] && !counted[b] {
				counted[b] = true
				del[i].Bytes += m.Blobs[b]
			}
		}
		plan.Bytes += del[i].Bytes
	}
	plan.Items = append(del, keep...)
	plan.DeleteCount, plan.KeepCount = len(del), len(keep)

	// A kept image that already misses a part is worth saying.
	for _, d := range slices.Sorted(maps.Keys(kept)) {
		m := kept[d]
		if m.from == "" {
			continue
		}
		man, read := in.Manifests[d]
		if byDigest[d] == nil || (read && man == nil) {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s (%s) is not in the package: that image is already incomplete", short(d), m.label))
		}
	}
	return plan, missing
}

func buildReason(p Policy) string {
	var parts []string
	if p.Keep > 0 {
		parts = append(parts, fmt.Sprintf("not one of the newest %d %s builds", p.Keep, p.Branch))
	}
	if p.KeepYoungerThan > 0 {
		parts = append(parts, fmt.Sprintf("older than %s", p.KeepYoungerThan))
	}
	return strings.Join(parts, ", ")
}

// short abbreviates a digest for messages: "sha256:0123456789ab".
func short(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}
