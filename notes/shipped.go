package notes

import (
	"context"
	"regexp"
	"sort"
	"strconv"

	"github.com/sonicsaas/sonic-release/tagging"
)

// cherryPickRe is the trailer git cherry-pick -x writes.
var cherryPickRe = regexp.MustCompile(`\(cherry picked from commit ([0-9a-f]{40})\)`)

// earlierReleases returns the version tags below v that count as earlier
// releases (for a stable release the stable ones, for a pre-release all, as
// tagging.Previous counts them) and were made by the time of the head
// commit (a backport tagged later is not earlier: the notes of a release do
// not change when an older line is patched afterwards), lowest version
// first, one tag a version (the spelling with "v" wins).
func earlierReleases(v tagging.Version, tags map[string]tagRef, headDate int64) []string {
	type rel struct {
		tag string
		v   tagging.Version
	}
	best := map[string]rel{}
	for tag := range tags {
		w, err := tagging.ParseVersion(tag)
		if err != nil || w.Compare(v) >= 0 || (!v.Prerelease() && w.Prerelease()) || tags[tag].Date > headDate {
			continue
		}
		if b, ok := best[w.String()]; !ok || (tag[0] == 'v' && b.tag[0] != 'v') || (tag[0] == b.tag[0] && tag < b.tag) {
			best[w.String()] = rel{tag, w}
		}
	}
	rels := make([]rel, 0, len(best))
	for _, r := range best {
		rels = append(rels, r)
	}
	sort.Slice(rels, func(i, j int) bool { return rels[i].v.Compare(rels[j].v) < 0 })
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = r.tag
	}
	return out
}

// shipped is what the earlier releases hold, read from the history in a
// fixed number of git calls: the tags, one log of everything reachable
// from the head and the earlier releases, and, for the few commits that
// share an author and author date with a commit of the range (what
// cherry-pick and rebase keep), one log -p piped into one patch-id.
type shipped struct {
	releases []string       // earlier release tags, lowest version first
	label    map[string]int // commit → the lowest release that contains it
	parent   map[string]string
}

// findShipped reads the history of the earlier releases of v and the head,
// committed at headDate (Unix seconds).
func findShipped(ctx context.Context, g gitRepo, v tagging.Version, head string, headDate int64, inRange map[string]bool) (*shipped, error) {
	tags, err := g.tagCommits(ctx)
	if err != nil {
		return nil, err
	}
	s := &shipped{releases: earlierReleases(v, tags, headDate), label: map[string]int{}, parent: map[string]string{}}
	if len(s.releases) == 0 {
		return s, nil
	}
	revs := []string{head}
	for _, t := range s.releases {
		revs = append(revs, tags[t].Commit)
	}
	hs, err := g.history(ctx, revs)
	if err != nil {
		return nil, err
	}
	idx := make(map[string]int, len(hs))
	for i, h := range hs {
		idx[h.SHA] = i
	}
	// Each commit gets the lowest release that reaches it: walk from each
	// release, lowest first, stopping at commits a lower one reached.
	for k, t := range s.releases {
		stack := []string{tags[t].Commit}
		for len(stack) > 0 {
			sha := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			i, ok := idx[sha]
			if _, done := s.label[sha]; done || !ok {
				continue
			}
			s.label[sha] = k
			stack = append(stack, hs[i].Parents...)
		}
	}
	// The same change: a cherry-pick trailer names the commit it copies.
	for _, h := range hs {
		for _, m := range cherryPickRe.FindAllStringSubmatch(h.Body, -1) {
			s.union(h.SHA, m[1])
		}
	}
	// The same patch: only among commits with the same author and author
	// date, at least one of them in the range.
	groups := map[string][]string{}
	for _, h := range hs {
		if len(h.Parents) < 2 {
			key := h.Author + "\x00" + h.AuthorTime
			groups[key] = append(groups[key], h.SHA)
		}
	}
	var candidates []string
	for _, group := range groups {
		if len(group) < 2 {
			continue
		}
		for _, sha := range group {
			if inRange[sha] {
				candidates = append(candidates, group...)
				break
			}
		}
	}
	sort.Strings(candidates)
	ids, err := g.patchIDs(ctx, candidates)
	if err != nil {
		return nil, err
	}
	byID := map[string]string{}
	for _, sha := range candidates {
		id, ok := ids[sha]
		if !ok {
			continue
		}
		if first, ok := byID[id]; ok {
			s.union(first, sha)
		} else {
			byID[id] = sha
		}
	}
	// A pull request number in the subject of a released commit (a squash
	// commit, a merge, a merge cherry-picked with -m): that pull request
	// is released. Numbers are kept as pseudo-commits "#n" of the classes.
	for _, h := range hs {
		if _, ok := s.label[h.SHA]; !ok {
			continue
		}
		if n := prNumber(h.Subject); n != 0 {
			s.union(prKey(n), h.SHA)
		}
	}
	return s, nil
}

func prKey(n int) string { return "#" + strconv.Itoa(n) }

func (s *shipped) find(x string) string {
	for {
		p, ok := s.parent[x]
		if !ok || p == x {
			return x
		}
		if gp, ok := s.parent[p]; ok {
			s.parent[x] = gp
		}
		x = p
	}
}

func (s *shipped) union(a, b string) {
	ra, rb := s.find(a), s.find(b)
	if ra != rb {
		s.parent[ra] = rb
	}
}

// mark sets what the earlier releases already shipped: each commit of the
// range that is, or makes the same change as, a commit of an earlier
// release gets AlreadyIn (the lowest such release); a commit that makes the
// same change as another commit of the range gets SameAs (the first of
// them, one with a pull request first). A pull request is already released
// when an earlier release names its number, or when all of its commits are
// (for a pull request of merges only: the commits they merge), as of the
// highest release among them.
func (s *shipped) mark(cs []Commit, prs []PullRequest, merged map[string][]string) {
	if len(s.releases) == 0 {
		return
	}
	classLabel := map[string]int{}
	for sha, k := range s.label {
		r := s.find(sha)
		if l, ok := classLabel[r]; !ok || k < l {
			classLabel[r] = k
		}
	}
	label := func(sha string) (int, bool) {
		if k, ok := s.label[sha]; ok {
			return k, true
		}
		k, ok := classLabel[s.find(sha)]
		return k, ok
	}
	canon := map[string]int{}
	count := map[string]int{}
	for i, c := range cs {
		r := s.find(c.SHA)
		count[r]++
		if cur, ok := canon[r]; !ok || (c.PR != 0 && cs[cur].PR == 0) {
			canon[r] = i
		}
	}
	commitLabel := map[string]int{}
	for i := range cs {
		c := &cs[i]
		if k, ok := label(c.SHA); ok {
			c.AlreadyIn = s.releases[k]
			commitLabel[c.SHA] = k
		}
		if r := s.find(c.SHA); count[r] > 1 && cs[canon[r]].SHA != c.SHA {
			c.SameAs = cs[canon[r]].SHA
		}
	}
	for i := range prs {
		pr := &prs[i]
		if k, ok := classLabel[s.find(prKey(pr.Number))]; ok {
			pr.AlreadyIn = s.releases[k]
			continue
		}
		high, all, some := -1, true, false
		own := 0
		for _, sha := range pr.Commits {
			if _, isMerge := merged[sha]; isMerge {
				continue
			}
			own++
			k, ok := commitLabel[sha]
			all, some = all && ok, true
			high = max(high, k)
		}
		if own == 0 {
			for _, sha := range pr.Commits {
				for _, p := range merged[sha] {
					k, ok := label(p)
					all, some = all && ok, true
					high = max(high, k)
				}
			}
		}
		if all && some && high >= 0 {
			pr.AlreadyIn = s.releases[high]
		}
	}
}

// markShipped marks the commits and pull requests of the range that
// earlier releases of version already shipped, and the copies of one
// change within the range (see shipped.mark).
func markShipped(ctx context.Context, g gitRepo, version, head string, commits []commit, cs []Commit, prs []PullRequest) error {
	v, err := tagging.ParseVersion(version)
	if err != nil {
		return err
	}
	inRange := make(map[string]bool, len(commits))
	merged := map[string][]string{}
	var headDate int64
	for _, c := range commits {
		inRange[c.SHA] = true
		if len(c.Parents) > 1 {
			merged[c.SHA] = c.Parents[1:]
		}
		if c.SHA == head {
			headDate = c.Date.Unix()
		}
	}
	if headDate == 0 {
		return nil // no commit: nothing to mark
	}
	s, err := findShipped(ctx, g, v, head, headDate, inRange)
	if err != nil {
		return err
	}
	s.mark(cs, prs, merged)
	return nil
}
