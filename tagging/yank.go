package tagging

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A yanked version keeps its exact tag (operators pinned to it still pull
// it), but no floating tag points at it any more and none ever moves back
// onto it. The state lives in the repository's own tag list, next to the
// image, as marker tags that cannot parse as versions:
//
//	yanked.v1.3.0        v1.3.0 yanked (the first time)
//	unyanked.v1.3.0      … restored
//	yanked.2.v1.3.0      … yanked again
//	unyanked.2.v1.3.0    … restored again
//
// A version is yanked when its highest yank generation is above its
// highest unyank generation. Markers are only ever added (a registry such
// as GHCR refuses deleting a tag), so the listing every release already
// reads says the state, with no extra request.
const (
	yankPrefix   = "yanked."
	unyankPrefix = "unyanked."
)

// YankMarker is one marker tag: a yank or an unyank of Version.
type YankMarker struct {
	Version Version
	// Yank is true for a yank, false for an unyank.
	Yank bool
	// Generation counts the yanks of the version: 1 for the first yank
	// and the unyank that undoes it, 2 for the next, ….
	Generation int
}

// Tag is the marker's tag name.
func (m YankMarker) Tag() string {
	p := unyankPrefix
	if m.Yank {
		p = yankPrefix
	}
	if m.Generation > 1 {
		p += strconv.Itoa(m.Generation) + "."
	}
	return p + m.Version.String()
}

// ParseYankMarker reads a marker tag; ok is false for any other tag.
func ParseYankMarker(tag string) (m YankMarker, ok bool) {
	rest, yank := strings.CutPrefix(tag, yankPrefix)
	if !yank {
		if rest, ok = strings.CutPrefix(tag, unyankPrefix); !ok {
			return YankMarker{}, false
		}
	}
	m.Yank, m.Generation = yank, 1
	if gen, after, found := strings.Cut(rest, "."); found && gen != "" && !strings.HasPrefix(gen, "v") {
		n, err := strconv.Atoi(gen)
		if err != nil || n < 2 || strconv.Itoa(n) != gen {
			return YankMarker{}, false
		}
		m.Generation, rest = n, after
	}
	if !strings.HasPrefix(rest, "v") {
		return YankMarker{}, false
	}
	v, err := ParseVersion(rest)
	if err != nil {
		return YankMarker{}, false
	}
	m.Version = v
	return m, true
}

// generations returns, per version, the highest yank and unyank
// generations among tags.
func generations(tags []string) map[string][2]int {
	g := map[string][2]int{}
	for _, t := range tags {
		m, ok := ParseYankMarker(t)
		if !ok {
			continue
		}
		k := m.Version.String()
		cur := g[k]
		i := 1
		if m.Yank {
			i = 0
		}
		cur[i] = max(cur[i], m.Generation)
		g[k] = cur
	}
	return g
}

// YankedVersions returns the versions the markers among tags say are
// yanked, lowest first.
func YankedVersions(tags []string) []Version {
	var out []Version
	for k, g := range generations(tags) {
		if g[0] > g[1] {
			v, _ := ParseVersion(k)
			out = append(out, v)
		}
	}
	slices.SortFunc(out, Version.Compare)
	return out
}

// IsYanked reports whether the markers among tags say v is yanked.
func IsYanked(v Version, tags []string) bool {
	g := generations(tags)[v.String()]
	return g[0] > g[1]
}

// LiveVersions is PublishedVersions without the yanked versions: the
// versions floating tags may point at.
func LiveVersions(tags []string) []Version {
	yanked := yankedSet(tags)
	return slices.DeleteFunc(PublishedVersions(tags), func(v Version) bool { return yanked[v.String()] })
}

func yankedSet(tags []string) map[string]bool {
	set := map[string]bool{}
	for _, v := range YankedVersions(tags) {
		set[v.String()] = true
	}
	return set
}

// NextYankMarker returns the marker to add to a repository holding tags
// so that v ends yanked (yank true) or not (yank false). ok is false when
// v already is in that state: nothing to add. A marker that would not be
// a valid registry tag (a version near the 128-character limit) is bad
// input.
func NextYankMarker(v Version, tags []string, yank bool) (m YankMarker, ok bool, err error) {
	if v.IsZero() {
		return YankMarker{}, false, badInput(expectVersion, "no version given")
	}
	g := generations(tags)[v.String()]
	if yanked := g[0] > g[1]; yanked == yank {
		return YankMarker{}, false, nil
	}
	m = YankMarker{Version: v, Yank: yank, Generation: g[0]}
	if yank {
		m.Generation = g[1] + 1
	}
	if !ValidTag(m.Tag()) {
		return YankMarker{}, false, badInput(fmt.Sprintf("a registry tag has at most %d characters", MaxTagLength), "the marker %q of %s cannot be a registry tag", m.Tag(), v)
	}
	return m, true, nil
}

// yankedRelease is the result of releasing a yanked version again: its
// exact tag only; every floating tag stays where it is.
func yankedRelease(res Result, v Version, p Policy) Result {
	why := fmt.Sprintf("stays: %s is yanked (unyank it to make it eligible again)", v)
	res.Tags = append(res.Tags,
		Tag{Name: fmt.Sprintf("v%d.%d", v.Major(), v.Minor()), Kind: KindMinor, Reason: fmt.Sprintf("v%d.%d %s", v.Major(), v.Minor(), why)})
	if v.Major() != 0 || p.MajorZero {
		res.Tags = append(res.Tags, Tag{Name: fmt.Sprintf("v%d", v.Major()), Kind: KindMajor, Reason: fmt.Sprintf("v%d %s", v.Major(), why)})
	}
	res.Tags = append(res.Tags, Tag{Name: "latest", Kind: KindLatest, Reason: "latest " + why})
	return res
}

// noteYanked adds to the reason of each floating tag that moves to v the
// yanked versions above v in its line, which would have held it back.
func noteYanked(tags []Tag, v Version, yanked []Version) {
	for i, t := range tags {
		if !t.Apply || !t.Kind.Floating() {
			continue
		}
		var above []string
		for _, y := range yanked {
			in := t.Kind == KindLatest ||
				(t.Kind == KindMajor && y.Major() == v.Major()) ||
				(t.Kind == KindMinor && y.Major() == v.Major() && y.Minor() == v.Minor())
			if in && !y.Prerelease() && y.Compare(v) > 0 {
				above = append(above, y.String())
			}
		}
		if len(above) > 0 {
			tags[i].Reason += " (yanked, not counted: " + strings.Join(above, ", ") + ")"
		}
	}
}
