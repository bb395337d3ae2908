package notes

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/tagging"
)

// The markers around the part of a release body that Publish owns.
const (
	BeginMarker = "<!-- sonic-release:begin -->"
	EndMarker   = "<!-- sonic-release:end -->"
)

// Splice puts notes between the markers of body, keeping everything outside
// them, and is idempotent: splicing its result again with the same notes
// changes nothing.
//
// The notes are made inert first (Inert): whatever produced them (the
// built-in layout, a template, a migration's name or SQL), the block holds
// exactly one begin marker, at its start, and one end marker, at its end.
//
// The block of body runs from its first begin marker to its last end
// marker: whatever lies between is the tool's, stray markers an older
// version left there included, so a body grown by earlier runs is repaired
// in one. A body without markers keeps its text and gets the block appended
// after it. A body with a begin marker and no end marker after it, an end
// marker before the first begin marker or a begin marker after the last
// end marker is refused: the maintainer's text cannot be told apart.
func Splice(body, notes string) (string, error) {
	block := BeginMarker + "\n" + strings.TrimRight(Inert(notes), "\n") + "\n" + EndMarker
	bi := strings.Index(body, BeginMarker)
	ei := strings.LastIndex(body, EndMarker)
	switch {
	case bi < 0 && ei < 0:
		if strings.TrimSpace(body) == "" {
			return block + "\n", nil
		}
		return strings.TrimRight(body, "\n") + "\n\n" + block + "\n", nil
	case bi >= 0 && ei > bi &&
		!strings.Contains(body[:bi], EndMarker) &&
		!strings.Contains(body[ei+len(EndMarker):], BeginMarker):
		return body[:bi] + block + body[ei+len(EndMarker):], nil
	default:
		return "", unpaired()
	}
}

// markerPrefix is what both markers start with.
const markerPrefix = "<!-- sonic-release:"

// Inert returns notes that cannot hold a marker: every "<!-- sonic-release:"
// in them gets a zero-width space before its colon, which renders the same
// (an HTML comment stays hidden, code shows the same text) but no longer
// matches BeginMarker or EndMarker.
func Inert(notes string) string {
	return strings.ReplaceAll(notes, markerPrefix, "<!-- sonic-release\u200b:")
}

// PublishInput says which release to write the notes into.
type PublishInput struct {
	// Repository is "owner/name". Required.
	Repository string
	// Tag is the release's tag, such as "v1.2.3". Required.
	Tag string
	// Markdown is the rendered notes.
	Markdown string
	// Create creates the release when the tag has none.
	Create bool
	// Name is the title of a created release. The default is Tag.
	Name string
	// Versions are the repository's version tags, used with the
	// releases' tags to decide whether a created release may become the
	// latest.
	Versions []string
	// RepoDir, when set, adds the tags of that local clone to Versions.
	RepoDir string
	// PublishDraft publishes the release when it is a draft, in the same
	// request that writes the notes: draft false and make_latest, the
	// last step of a release made as a draft (CreateDraft).
	PublishDraft bool
	// Prerelease marks the release a pre-release whatever its version
	// (the event is one): it is created or published as one, and never
	// made the latest.
	Prerelease bool
	// Yanked are yanked versions: they do not keep a created release
	// from becoming the latest.
	Yanked []string
}

// PublishResult says what Publish did.
type PublishResult struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
	// Action is "created", "updated", "published" (a draft published
	// with its notes; the pipeline reports a draft it created itself as
	// "created") or "unchanged".
	Action string `json:"action"`
	Draft  bool   `json:"draft"`
	// MakeLatest is the make_latest sent on creation or publication
	// ("true" or "false").
	MakeLatest string `json:"make_latest,omitempty"`
}

// NoReleaseError is returned when the tag has no release and Create is off:
// create the release first, or publish with Create.
type NoReleaseError struct{ Tag string }

// BadInput marks the error as unusable input: the CLI exits 2.
func (e *NoReleaseError) BadInput() bool { return true }

func (e *NoReleaseError) Error() string {
	return fmt.Sprintf("the tag %s has no GitHub release (draft or published): create it first, or have it created with the notes", e.Tag)
}

// Publish writes the notes into the GitHub release of the tag, drafts
// included, between BeginMarker and EndMarker. It finds the release through
// the release list, because get-release-by-tag does not return drafts. A
// body that already holds the same notes is not written again. With Create,
// a missing release is created: marked pre-release for a pre-release
// version, and made the latest release only when the version is stable and
// not lower than any other version, so a backport never becomes "latest".
// With PublishDraft a draft is published by the same request, with the
// same make_latest rule.
func Publish(ctx context.Context, in PublishInput, opts ...Option) (PublishResult, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return PublishResult{}, err
	}
	owner, name, err := splitRepo(in.Repository)
	if err != nil {
		return PublishResult{}, err
	}
	v, err := tagging.ParseVersion(in.Tag)
	if err != nil {
		return PublishResult{}, err
	}
	c, err := o.client()
	if err != nil {
		return PublishResult{}, err
	}
	known := append([]string(nil), in.Versions...)
	if in.RepoDir != "" {
		tags, err := o.repo(in.RepoDir).Tags(ctx)
		if err != nil {
			return PublishResult{}, err
		}
		known = append(known, tags...)
	}
	var found *ghRelease
	err = listReleases(ctx, c, owner, name, func(r *ghRelease) bool {
		// Drafts are not published versions: they do not hold back the
		// latest release.
		if !r.GetDraft() {
			known = append(known, r.GetTagName())
		}
		if r.GetTagName() == in.Tag && found == nil {
			found = r
		}
		return true
	})
	if err != nil {
		return PublishResult{}, err
	}
	pre := v.Prerelease() || in.Prerelease
	latest := "false"
	if !pre && isHighestStable(v, withoutYanked(known, in.Yanked)) {
		latest = "true"
	}
	if found != nil {
		body, err := spliceKeepingYank(found.GetBody(), in.Markdown)
		if err != nil {
			return PublishResult{}, fmt.Errorf("updating release %q: %w", in.Tag, err)
		}
		res := PublishResult{ID: found.GetID(), URL: found.GetHTMLURL(), Action: "unchanged", Draft: found.GetDraft()}
		edit := &github.RepositoryRelease{}
		if body != found.GetBody() {
			edit.Body, res.Action = &body, "updated"
		}
		if in.PublishDraft && found.GetDraft() {
			// The maintainer's pre-release mark is kept, never removed.
			pre = pre || found.GetPrerelease()
			if pre {
				latest = "false"
				edit.Prerelease = github.Bool(true)
			}
			edit.Draft, edit.MakeLatest = github.Bool(false), github.String(latest)
			res.Action, res.Draft, res.MakeLatest = "published", false, latest
		}
		if res.Action == "unchanged" {
			return res, nil
		}
		if _, _, err := c.Repositories.EditRelease(ctx, owner, name, found.GetID(), edit); err != nil {
			return PublishResult{}, fmt.Errorf("updating release %q of %q: %w", in.Tag, in.Repository, err)
		}
		o.Log.Info("release notes published", "tag", in.Tag, "release", found.GetID(), "op", res.Action, "latest", res.MakeLatest)
		return res, nil
	}
	if !in.Create {
		return PublishResult{}, &NoReleaseError{Tag: in.Tag}
	}
	body, _ := Splice("", in.Markdown)
	title := in.Name
	if title == "" {
		title = in.Tag
	}
	rel, _, err := c.Repositories.CreateRelease(ctx, owner, name, &github.RepositoryRelease{
		TagName:    github.String(in.Tag),
		Name:       github.String(title),
		Body:       github.String(body),
		Prerelease: github.Bool(pre),
		MakeLatest: github.String(latest),
	})
	if err != nil {
		return PublishResult{}, fmt.Errorf("creating the release of %q in %q: %w", in.Tag, in.Repository, tagUsed(err, in.Tag))
	}
	o.Log.Info("release notes published", "tag", in.Tag, "release", rel.GetID(), "op", "created", "latest", latest)
	return PublishResult{ID: rel.GetID(), URL: rel.GetHTMLURL(), Action: "created", Draft: rel.GetDraft(), MakeLatest: latest}, nil
}

// isHighestStable reports whether v is stable and not below any stable
// version among tags.
func isHighestStable(v tagging.Version, tags []string) bool {
	if v.Prerelease() {
		return false
	}
	for _, w := range tagging.PublishedVersions(tags) {
		if !w.Prerelease() && w.Compare(v) > 0 {
			return false
		}
	}
	return true
}
