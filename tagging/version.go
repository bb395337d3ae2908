package tagging

import (
	"errors"
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// ErrBadInput is wrapped by every error caused by input that cannot be
// released: a tag that is not a version, a bad commit id, a draft release, a
// malformed payload. Callers test it with errors.Is, or, as for every
// library package here, with the BadInput method of InputError.
var ErrBadInput = errors.New("bad input")

// InputError describes input that cannot be turned into tags, and what is
// expected instead.
type InputError struct {
	What   string // what was wrong, e.g. `tag "v1.2" is not a version`
	Expect string // what is expected instead
	// Missing names the EventInput field that was not given (MissingRef,
	// MissingSHA), so that a caller can say where to give it; empty for
	// input that was given but is wrong.
	Missing string
}

// The fields an InputError may name as Missing.
const (
	MissingRef = "Ref"
	MissingSHA = "SHA"
)

// BadInput reports that the input cannot be used (the CLI exits 2).
func (e *InputError) BadInput() bool { return true }

func (e *InputError) Error() string {
	if e.Expect == "" {
		return e.What
	}
	return e.What + ": " + e.Expect
}

// Unwrap makes errors.Is(err, ErrBadInput) true.
func (e *InputError) Unwrap() error { return ErrBadInput }

func badInput(expect, format string, args ...any) error {
	return &InputError{What: fmt.Sprintf(format, args...), Expect: expect}
}

const expectVersion = "expected a semantic version MAJOR.MINOR.PATCH with an optional pre-release, such as v1.2.3 or v1.3.0-rc.1 (the v is optional)"

// MaxTagLength is the longest tag an OCI registry accepts.
const MaxTagLength = 128

// Version is a release version as this tool understands it: MAJOR.MINOR.PATCH
// with an optional pre-release, no build metadata.
type Version struct {
	v *semver.Version
}

// ParseVersion parses a release tag such as "v1.2.3", "1.2.3" or
// "v1.3.0-rc.1". It rejects anything that is not strict semantic versioning
// (v1.2, 1.2.3.4, leading zeros) and build metadata, since "+" cannot appear
// in a registry tag. Errors wrap ErrBadInput.
func ParseVersion(tag string) (Version, error) {
	s := strings.TrimPrefix(tag, "v")
	if s == "" {
		return Version{}, badInput(expectVersion, "tag %q is not a version", tag)
	}
	if strings.Contains(s, "+") {
		return Version{}, badInput("remove the build metadata (+…): '+' cannot appear in a registry tag", "tag %q has build metadata", tag)
	}
	v, err := semver.StrictNewVersion(s)
	if err != nil {
		return Version{}, badInput(expectVersion, "tag %q is not a version (%v)", tag, err)
	}
	if len("v"+v.String()) > MaxTagLength {
		return Version{}, badInput(fmt.Sprintf("a registry tag has at most %d characters", MaxTagLength), "tag %q is too long", tag)
	}
	return Version{v: v}, nil
}

// String returns the tag of the version, always with the "v" prefix.
func (v Version) String() string {
	if v.v == nil {
		return ""
	}
	return "v" + v.v.String()
}

// Major returns X of vX.Y.Z.
func (v Version) Major() uint64 { return v.v.Major() }

// Minor returns Y of vX.Y.Z.
func (v Version) Minor() uint64 { return v.v.Minor() }

// Prerelease reports whether the version has a pre-release part.
func (v Version) Prerelease() bool { return v.v.Prerelease() != "" }

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than w,
// by semantic-version precedence.
func (v Version) Compare(w Version) int { return v.v.Compare(w.v) }

// IsZero reports whether v is the zero Version.
func (v Version) IsZero() bool { return v.v == nil }

// PublishedVersions returns the release versions among a repository's tags,
// ignoring every tag that is not one (floating tags, branch tags, digests'
// signature tags, …). Duplicates written with and without "v" count once.
func PublishedVersions(tags []string) []Version {
	seen := make(map[string]bool, len(tags))
	out := make([]Version, 0, len(tags))
	for _, t := range tags {
		v, err := ParseVersion(t)
		if err != nil || seen[v.String()] {
			continue
		}
		seen[v.String()] = true
		out = append(out, v)
	}
	return out
}

// Previous returns the release before v among tags, by semantic version
// rather than by date: the highest version below v, counting only stable
// versions when v is stable and versions of any kind when v is a
// pre-release. Of two spellings of one version ("1.2.0", "v1.2.0") the one
// with "v" wins. It returns "" when there is none. The release notes and
// the migration analysis both use it, so they always compare with the
// same release.
func Previous(v Version, tags []string) string {
	best, bestTag := Version{}, ""
	for _, t := range tags {
		w, err := ParseVersion(t)
		if err != nil || w.Compare(v) >= 0 || (!v.Prerelease() && w.Prerelease()) {
			continue
		}
		if best.IsZero() || w.Compare(best) > 0 || (w.Compare(best) == 0 && strings.HasPrefix(t, "v")) {
			best, bestTag = w, t
		}
	}
	return bestTag
}
