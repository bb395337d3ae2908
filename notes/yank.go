package notes

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/tagging"
)

// The markers around the yank notice, at the top of the notes block.
const (
	yankBegin = "<!-- sonic-release:yanked -->"
	yankEnd   = "<!-- sonic-release:yanked-end -->"
)

// YankNotice is the warning a yanked release's notes start with.
// Reason and replacement are made one line and inert.
func YankNotice(version, reason, replacement string) string {
	msg := fmt.Sprintf("> [!WARNING]\n> **Yanked:** %s", oneLineInert(reason))
	if replacement != "" {
		msg += fmt.Sprintf(" Use %s instead.", oneLineInert(replacement))
	} else {
		msg += fmt.Sprintf(" No other release replaces %s.", version)
	}
	return msg
}

func oneLineInert(s string) string {
	return strings.Join(strings.Fields(Inert(s)), " ")
}

// WithYankNotice returns body with notice (YankNotice) at the top of its
// notes block, replacing a notice already there; notice "" removes it. A
// body without a block gets the notice at its top. A body whose markers
// are unpaired is refused, as by Splice.
func WithYankNotice(body, notice string) (string, error) {
	body = withoutYankNotice(body)
	if notice == "" {
		return body, nil
	}
	block := yankBegin + "\n" + strings.TrimRight(notice, "\n") + "\n" + yankEnd + "\n"
	bi := strings.Index(body, BeginMarker)
	if bi < 0 {
		if strings.Contains(body, EndMarker) {
			return "", unpaired()
		}
		return block + "\n" + body, nil
	}
	if _, err := Splice(body, ""); err != nil { // the markers are paired
		return "", err
	}
	at := bi + len(BeginMarker)
	if !strings.HasPrefix(body[at:], "\n") {
		block = "\n" + block
	} else {
		at++
	}
	return body[:at] + block + body[at:], nil
}

// withoutYankNotice removes the yank notice of body, if any.
func withoutYankNotice(body string) string {
	bi := strings.Index(body, yankBegin)
	ei := strings.LastIndex(body, yankEnd)
	if bi < 0 || ei < bi {
		return body
	}
	end := ei + len(yankEnd)
	if strings.HasPrefix(body[end:], "\n") {
		end++
	}
	if bi == 0 && strings.HasPrefix(body[end:], "\n") { // the blank line after a notice at the top
		end++
	}
	return body[:bi] + body[end:]
}

// yankNoticeOf is the yank notice of body, "" when there is none.
func yankNoticeOf(body string) string {
	bi := strings.Index(body, yankBegin)
	ei := strings.LastIndex(body, yankEnd)
	if bi < 0 || ei < bi {
		return ""
	}
	return strings.Trim(body[bi+len(yankBegin):ei], "\n")
}

// spliceKeepingYank is Splice keeping the yank notice of body: a release's
// notes published again stay marked yanked.
func spliceKeepingYank(body, notes string) (string, error) {
	out, err := Splice(body, notes)
	if err != nil {
		return "", err
	}
	if n := yankNoticeOf(body); n != "" {
		return WithYankNotice(out, n)
	}
	return out, nil
}

func unpaired() error {
	return &InputError{
		What:   "the release body has a sonic-release marker without its pair",
		Expect: fmt.Sprintf("edit the release so it has %s, then %s, and no other marker outside them; or neither", BeginMarker, EndMarker),
	}
}

// withoutYanked removes the yanked versions from tags.
func withoutYanked(tags, yanked []string) []string {
	if len(yanked) == 0 {
		return tags
	}
	return slices.DeleteFunc(slices.Clone(tags), func(t string) bool {
		v, err := tagging.ParseVersion(t)
		return err == nil && slices.Contains(yanked, v.String())
	})
}

// YankInput says which GitHub release a yank or an unyank marks.
type YankInput struct {
	// Repository is "owner/name". Required.
	Repository string
	// Version is the yanked version, such as "v1.3.0"; its release is
	// found whether its tag has the "v" or not.
	Version string
	// Yank is true for a yank (add the notice), false for an unyank
	// (remove it).
	Yank bool
	// Reason and Replacement make the notice (YankNotice).
	Reason, Replacement string
	// Latest is the version the repository's latest release should be
	// afterwards ("" for none): with a yank, when the yanked release is
	// the latest, Latest's release is made the latest; with an unyank,
	// when Latest is the version, its release is made the latest again.
	Latest string
	// DryRun reads and decides, and writes nothing.
	DryRun bool
}

// YankResult says what Yank did (or would do).
type YankResult struct {
	ID  int64  `json:"id,omitempty"`
	URL string `json:"url,omitempty"`
	// Action is "updated", "unchanged" or "none" (the version has no
	// GitHub release).
	Action string `json:"action"`
	// MadeLatest is the tag of the release made the repository's latest.
	MadeLatest string `json:"made_latest,omitempty"`
	// Note says what could not be done (no release to make the latest).
	Note string `json:"note,omitempty"`
}

// Yank puts the yank notice at the top of the notes block of the
// version's GitHub release (drafts included), or removes it (an unyank),
// and moves the repository's latest release off the yanked version (or
// back onto it). It is idempotent: a second run writes nothing.
func Yank(ctx context.Context, in YankInput, opts ...Option) (YankResult, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return YankResult{}, err
	}
	owner, name, err := splitRepo(in.Repository)
	if err != nil {
		return YankResult{}, err
	}
	v, err := tagging.ParseVersion(in.Version)
	if err != nil {
		return YankResult{}, err
	}
	c, err := o.client()
	if err != nil {
		return YankResult{}, err
	}
	var rels []*github.RepositoryRelease
	err = listReleases(ctx, c, owner, name, func(r *ghRelease) bool {
		rels = append(rels, &r.RepositoryRelease)
		return true
	})
	if err != nil {
		return YankResult{}, err
	}
	rel, latest := releaseOf(rels, v), (*github.RepositoryRelease)(nil)
	if in.Latest != "" {
		lv, err := tagging.ParseVersion(in.Latest)
		if err != nil {
			return YankResult{}, err
		}
		latest = releaseOf(rels, lv)
	}
	if rel == nil {
		return YankResult{Action: "none", Note: fmt.Sprintf("%s has no GitHub release", v)}, nil
	}
	res := YankResult{ID: rel.GetID(), URL: rel.GetHTMLURL(), Action: "unchanged"}
	notice := ""
	if in.Yank {
		notice = YankNotice(v.String(), in.Reason, in.Replacement)
	}
	body, err := WithYankNotice(rel.GetBody(), notice)
	if err != nil {
		return res, fmt.Errorf("marking release %q: %w", rel.GetTagName(), err)
	}
	if body != rel.GetBody() {
		res.Action = "updated"
	}

	// The latest release: off the yanked version, or back onto it.
	var promote *github.RepositoryRelease
	if in.Yank || in.Latest == v.String() {
		cur, resp, err := c.Repositories.GetLatestRelease(ctx, owner, name)
		if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
			return res, fmt.Errorf("reading the latest release of %q: %w", in.Repository, err)
		}
		isV := cur != nil && cur.GetID() == rel.GetID()
		switch {
		case in.Yank && isV && (latest == nil || latest.GetID() == rel.GetID()):
			res.Note = fmt.Sprintf("%s stays the latest GitHub release: no other release to make the latest", v)
		case in.Yank && isV:
			promote = latest
		case !in.Yank && !isV && !rel.GetDraft() && !rel.GetPrerelease():
			promote = rel
		}
	}
	if promote != nil {
		res.MadeLatest = promote.GetTagName()
	}
	if in.DryRun {
		return res, nil
	}
	// One request when the body and the latest are the same release's.
	edit := &github.RepositoryRelease{}
	if body != rel.GetBody() {
		edit.Body = &body
	}
	if promote == rel {
		edit.MakeLatest, promote = github.String("true"), nil
	}
	if edit.Body != nil || edit.MakeLatest != nil {
		if _, _, err := c.Repositories.EditRelease(ctx, owner, name, rel.GetID(), edit); err != nil {
			return res, fmt.Errorf("updating release %q of %q: %w", rel.GetTagName(), in.Repository, err)
		}
		o.Log.Info("release marked", "tag", rel.GetTagName(), "yanked", in.Yank, "latest", edit.MakeLatest != nil)
	}
	if promote != nil {
		if _, _, err := c.Repositories.EditRelease(ctx, owner, name, promote.GetID(), &github.RepositoryRelease{MakeLatest: github.String("true")}); err != nil {
			return res, fmt.Errorf("making %q the latest release of %q: %w", promote.GetTagName(), in.Repository, err)
		}
		o.Log.Info("latest release", "tag", promote.GetTagName())
	}
	return res, nil
}

// releaseOf is the release (drafts included) whose tag is version v,
// spelled with or without "v"; nil when none.
func releaseOf(rels []*github.RepositoryRelease, v tagging.Version) *github.RepositoryRelease {
	for _, r := range rels {
		if w, err := tagging.ParseVersion(r.GetTagName()); err == nil && w.Compare(v) == 0 {
			return r
		}
	}
	return nil
}
