package notes

// The draft → publish flow of a GitHub release: the release job finds the
// release of its tag (the maintainer's draft included) or creates it as a
// draft, does the whole release (tags, signatures, assets, notes) and
// publishes it last (Publish with PublishDraft). This is the order that
// works with GitHub's immutable releases, which take no asset once
// published.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/tagging"
)

// Release is a GitHub release as the release job reads it.
type Release struct {
	ID         int64  `json:"id"`
	Tag        string `json:"tag"`
	URL        string `json:"url"`
	UploadURL  string `json:"upload_url"`
	Draft      bool   `json:"draft"`
	Prerelease bool   `json:"prerelease"`
	// Immutable is a release published while the repository had
	// immutable releases on: it takes no new asset, ever.
	Immutable bool `json:"immutable"`
}

// Asset is a file attached to a release.
type Asset struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// ghRelease is go-github's release with the field v62 does not know.
type ghRelease struct {
	github.RepositoryRelease
	Immutable bool `json:"immutable"`
}

func (r *ghRelease) release() *Release {
	return &Release{
		ID: r.GetID(), Tag: r.GetTagName(), URL: r.GetHTMLURL(), UploadURL: r.GetUploadURL(),
		Draft: r.GetDraft(), Prerelease: r.GetPrerelease(), Immutable: r.Immutable,
	}
}

// listReleases pages through the repository's releases, drafts included,
// 100 at a time, until visit returns false.
func listReleases(ctx context.Context, c *github.Client, owner, name string, visit func(*ghRelease) bool) error {
	for page := 1; page != 0; {
		req, err := c.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/releases?per_page=100&page=%d", owner, name, page), nil)
		if err != nil {
			return err
		}
		var rels []*ghRelease
		resp, err := c.Do(ctx, req, &rels)
		if err != nil {
			return fmt.Errorf("listing releases of %q: %w", owner+"/"+name, err)
		}
		for _, r := range rels {
			if !visit(r) {
				return nil
			}
		}
		page = resp.NextPage
	}
	return nil
}

// repoClient is the options, the GitHub client and the owner and name of
// repository.
func repoClient(repository string, opts []Option) (*options, *github.Client, string, string, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, nil, "", "", err
	}
	owner, name, err := splitRepo(repository)
	if err != nil {
		return nil, nil, "", "", err
	}
	c, err := o.client()
	return o, c, owner, name, err
}

// FindRelease returns the release of tag, drafts included (GitHub's
// get-release-by-tag does not return drafts, so it reads the release
// list); nil when the tag has none.
func FindRelease(ctx context.Context, repository, tag string, opts ...Option) (*Release, error) {
	_, c, owner, name, err := repoClient(repository, opts)
	if err != nil {
		return nil, err
	}
	var found *Release
	err = listReleases(ctx, c, owner, name, func(r *ghRelease) bool {
		if r.GetTagName() == tag {
			found = r.release()
		}
		return found == nil
	})
	return found, err
}

// CreateDraft creates the release of tag as a draft, titled tag, marked
// pre-release when prerelease is set or the version is one. Publish with
// PublishDraft publishes it. A tag that an immutable release used (and
// that was deleted) is refused by GitHub for ever: a *TagUsedError.
func CreateDraft(ctx context.Context, repository, tag string, prerelease bool, opts ...Option) (*Release, error) {
	o, c, owner, name, err := repoClient(repository, opts)
	if err != nil {
		return nil, err
	}
	rel, _, err := c.Repositories.CreateRelease(ctx, owner, name, &github.RepositoryRelease{
		TagName:    github.String(tag),
		Name:       github.String(tag),
		Draft:      github.Bool(true),
		Prerelease: github.Bool(prerelease || isPrerelease(tag)),
	})
	if err != nil {
		return nil, fmt.Errorf("creating the draft release of %q in %q: %w", tag, repository, tagUsed(err, tag))
	}
	o.Log.Info("draft release created", "tag", tag, "release", rel.GetID())
	return (&ghRelease{RepositoryRelease: *rel}).release(), nil
}

// ReleaseAssets lists the assets of release id.
func ReleaseAssets(ctx context.Context, repository string, id int64, opts ...Option) ([]Asset, error) {
	_, c, owner, name, err := repoClient(repository, opts)
	if err != nil {
		return nil, err
	}
	var out []Asset
	opt := &github.ListOptions{PerPage: 100}
	for {
		as, resp, err := c.Repositories.ListReleaseAssets(ctx, owner, name, id, opt)
		if err != nil {
			return nil, fmt.Errorf("listing the assets of release %d of %q: %w", id, repository, err)
		}
		for _, a := range as {
			out = append(out, Asset{ID: a.GetID(), Name: a.GetName(), Size: int64(a.GetSize())})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// ImmutableError is a published immutable GitHub release that cannot take
// the assets the release attaches: GitHub refuses them for ever (422
// "Cannot upload assets to an immutable release"). The CLI exits 1.
type ImmutableError struct {
	Tag string
	// Assets are the assets it lacks.
	Assets []string
	// Err is GitHub's refusal, when an upload got one.
	Err error
}

func (e *ImmutableError) Error() string {
	what := "the release's assets"
	if len(e.Assets) > 0 {
		what = strings.Join(e.Assets, ", ")
	}
	cause := "GitHub refuses new assets on it (422 Cannot upload assets to an immutable release)"
	if e.Err != nil {
		cause = fmt.Sprintf("GitHub refused the upload: %v", e.Err)
	}
	msg := fmt.Sprintf("the GitHub release %s is published and immutable: %s, so %s cannot be attached; nothing was uploaded. "+
		"Run the release on the tag push instead of on release: published (on: push: tags: [\"v*\"]), so that it creates the release as a draft, attaches the assets and publishes it last; "+
		"or keep release: published and attach no assets. %s can no longer get them: release a new version to ship them",
		e.Tag, cause, what, e.Tag)
	return strings.Join(strings.Fields(msg), " ")
}

func (e *ImmutableError) Unwrap() error { return e.Err }

// AsImmutable returns err as an *ImmutableError when it is GitHub's
// refusal of an asset upload to an immutable release, and err otherwise:
// the asset step wraps its upload errors with it.
func AsImmutable(err error, tag string, assets ...string) error {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity &&
		strings.Contains(strings.ToLower(er.Message), "immutable release") {
		return &ImmutableError{Tag: tag, Assets: assets, Err: err}
	}
	return err
}

// TagUsedError is a tag that an immutable release used: once that release
// is deleted, GitHub never lets a release use the tag again.
type TagUsedError struct {
	Tag string
	Err error
}

func (e *TagUsedError) Error() string {
	return fmt.Sprintf("GitHub refuses a release for %s: an immutable release used that tag and was deleted, and its tag can never be released again; release a new version (%v)", e.Tag, e.Err)
}

func (e *TagUsedError) Unwrap() error { return e.Err }

// Refused reports a refusal by policy (exit 3), like an immutable image tag.
func (e *TagUsedError) Refused() bool { return true }

// tagUsed returns a create-release error as a *TagUsedError when GitHub
// refused the tag as one an immutable release used.
func tagUsed(err error, tag string) error {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return err
	}
	for _, e := range er.Errors {
		if e.Field == "tag_name" && strings.Contains(e.Message, "immutable release") {
			return &TagUsedError{Tag: tag, Err: err}
		}
	}
	return err
}

// isPrerelease reports whether tag is a pre-release version.
func isPrerelease(tag string) bool {
	v, err := tagging.ParseVersion(tag)
	return err == nil && v.Prerelease()
}
