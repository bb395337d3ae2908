package tagging

import (
	"fmt"
	"regexp"
	"strings"
)

// Kind says which rule of the contract produced a tag.
type Kind string

// The kinds of tag.
const (
	KindExact  Kind = "exact"
	KindMinor  Kind = "minor"
	KindMajor  Kind = "major"
	KindLatest Kind = "latest"
	KindBranch Kind = "branch"
	KindCommit Kind = "commit"
)

// Floating reports whether tags of this kind move from one image to another
// over time (minor, major, latest, branch).
func (k Kind) Floating() bool {
	return k == KindMinor || k == KindMajor || k == KindLatest || k == KindBranch
}

// Tag is one tag of the plan with the reason it is, or is not, applied.
type Tag struct {
	Name   string `json:"name"`
	Kind   Kind   `json:"kind"`
	Apply  bool   `json:"apply"`
	Reason string `json:"reason"`
}

// Result is what Release and Branch return.
type Result struct {
	// Version is the release version ("v1.2.3"), empty for a branch push.
	Version string `json:"version,omitempty"`
	// Prerelease is true for a pre-release version or release.
	Prerelease bool `json:"prerelease,omitempty"`
	// Tags lists every tag considered, in order: exact, minor, major,
	// latest, or branch, commit. Only those with Apply set go on the image.
	Tags []Tag `json:"tags"`
	// Skip says why there is nothing to tag (a branch that is not the
	// default one, a pull request); Tags is then empty.
	Skip string `json:"skip,omitempty"`
	// Yanked are the versions the repository's yank markers name: no
	// floating tag points at them (see YankMarker).
	Yanked []string `json:"yanked,omitempty"`
}

// Names returns the names of the tags to apply, exact version first.
func (r Result) Names() []string {
	out := make([]string, 0, len(r.Tags))
	for _, t := range r.Tags {
		if t.Apply {
			out = append(out, t.Name)
		}
	}
	return out
}

// MainVersion is the image's version as docker/metadata-action's version
// output gives it: the first tag applied (the release version, or the
// branch of a push to the default branch), empty when nothing is tagged.
func (r Result) MainVersion() string {
	for _, t := range r.Tags {
		if t.Apply {
			return t.Name
		}
	}
	return ""
}

// Policy holds the choices a repository can make about its tags.
type Policy struct {
	// MajorZero also makes the floating v0 tag for 0.y.z releases.
	// The default is false.
	MajorZero bool
	// SHALength is the length of the short commit id in <branch>-<sha>
	// tags, from 7 to 40. Zero means 7.
	SHALength int
}

// DefaultSHALength is the length of the short commit id when Policy.SHALength is zero.
const DefaultSHALength = 7

func (p Policy) shaLength() (int, error) {
	n := p.SHALength
	if n == 0 {
		return DefaultSHALength, nil
	}
	if n < 7 || n > 40 {
		return 0, badInput("use a length from 7 to 40", "sha length %d is out of range", n)
	}
	return n, nil
}

// Release computes the tags of release version v for a repository that
// already holds the tags existing (its whole tag list: tags that are not
// versions are ignored). prerelease forces pre-release handling for a
// version that looks stable (a GitHub release marked pre-release).
func Release(v Version, prerelease bool, existing []string, p Policy) (Result, error) {
	if v.IsZero() {
		return Result{}, badInput(expectVersion, "no release version given")
	}
	if _, err := p.shaLength(); err != nil {
		return Result{}, err
	}
	exact := v.String()
	pre := prerelease || v.Prerelease()
	res := Result{Version: exact, Prerelease: pre}
	for _, y := range YankedVersions(existing) {
		res.Yanked = append(res.Yanked, y.String())
	}
	res.Tags = append(res.Tags, Tag{Name: exact, Kind: KindExact, Apply: true,
		Reason: exact + " is the release itself and never moves"})
	if pre {
		why := "a pre-release"
		if !v.Prerelease() {
			why = "marked as a pre-release"
		}
		res.Tags[0].Reason = exact + " is " + why + ": it gets its exact tag only"
		return res, nil
	}

	// Only stable versions count as published: a release candidate of a
	// higher version must not hold back the stable floating tags, nor
	// must a yanked version.
	var stable []Version
	for _, w := range LiveVersions(existing) {
		if !w.Prerelease() {
			stable = append(stable, w)
		}
	}
	if IsYanked(v, existing) {
		return yankedRelease(res, v, p), nil
	}
	minor := fmt.Sprintf("v%d.%d", v.Major(), v.Minor())
	res.Tags = append(res.Tags, floating(v, minor, KindMinor, minor+".*", stable, func(w Version) bool {
		return w.Major() == v.Major() && w.Minor() == v.Minor()
	}))
	major := fmt.Sprintf("v%d", v.Major())
	if v.Major() == 0 && !p.MajorZero {
		res.Tags = append(res.Tags, Tag{Name: major, Kind: KindMajor,
			Reason: "v0 is not made for 0.y.z releases unless asked (major zero)"})
	} else {
		res.Tags = append(res.Tags, floating(v, major, KindMajor, major+".*", stable, func(w Version) bool {
			return w.Major() == v.Major()
		}))
	}
	res.Tags = append(res.Tags, floating(v, "latest", KindLatest, "stable version", stable, func(Version) bool { return true }))
	noteYanked(res.Tags, v, YankedVersions(existing))
	return res, nil
}

// floating decides one floating tag: it moves to v when v is >= every
// published version of its line, and stays otherwise.
func floating(v Version, name string, kind Kind, line string, published []Version, inLine func(Version) bool) Tag {
	highest := v
	for _, w := range published {
		if inLine(w) && w.Compare(highest) > 0 {
			highest = w
		}
	}
	if highest.Compare(v) == 0 {
		return Tag{Name: name, Kind: kind, Apply: true,
			Reason: fmt.Sprintf("%s moves: %s ≥ every published %s", name, v, line)}
	}
	return Tag{Name: name, Kind: kind,
		Reason: fmt.Sprintf("%s stays: %s is published", name, highest)}
}

// tagPattern is the OCI distribution spec's grammar for a tag.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

var hexPattern = regexp.MustCompile(`^[0-9a-f]{7,40}$`)

// ValidTag reports whether s can be a tag in an OCI registry.
func ValidTag(s string) bool { return tagPattern.MatchString(s) }

// ParseSHA checks a commit id: 7 to 40 hexadecimal digits. Upper case is
// accepted and lowered.
func ParseSHA(sha string) (string, error) {
	s := strings.ToLower(sha)
	if !hexPattern.MatchString(s) {
		return "", badInput("expected 7 to 40 hexadecimal digits", "commit id %q is not a commit id", sha)
	}
	return s, nil
}

// Branch computes the tags of a push to branch at commit sha:
// "<branch>" and "<branch>-<short sha>" when branch is the default branch,
// nothing (with Result.Skip saying so) otherwise.
func Branch(branch, defaultBranch, sha string, p Policy) (Result, error) {
	n, err := p.shaLength()
	if err != nil {
		return Result{}, err
	}
	if branch == "" {
		return Result{}, badInput("expected a branch name", "no branch given")
	}
	if defaultBranch == "" {
		defaultBranch = "master"
	}
	if branch != defaultBranch {
		return Result{Tags: []Tag{}, Skip: fmt.Sprintf("branch %q is not the default branch %q: no tags", branch, defaultBranch)}, nil
	}
	s, err := ParseSHA(sha)
	if err != nil {
		return Result{}, err
	}
	if len(s) < n {
		return Result{}, badInput(fmt.Sprintf("give the full commit id, or a sha length of at most %d", len(s)), "commit id %q is shorter than the sha length %d", sha, n)
	}
	commit := branch + "-" + s[:n]
	if !ValidTag(branch) || !ValidTag(commit) {
		return Result{}, badInput("a registry tag is letters, digits, '_', '.' and '-', at most 128 characters, not starting with '.' or '-'",
			"branch %q cannot become a registry tag", branch)
	}
	return Result{Tags: []Tag{
		{Name: branch, Kind: KindBranch, Apply: true, Reason: branch + " moves: head of the default branch"},
		{Name: commit, Kind: KindCommit, Apply: true, Reason: fmt.Sprintf("%s is commit %s of %s and never moves", commit, s[:n], branch)},
	}}, nil
}
