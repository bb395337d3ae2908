package notes

import (
	"context"
	"fmt"
	"strings"

	"github.com/sonicsaas/sonic-release/migrations/report"
	"github.com/sonicsaas/sonic-release/tagging"
)

// InputError is input the notes cannot be built from (What) and what is
// expected instead (Expect): tagging's, so one type says "bad input" for
// versions and notes alike. The CLI exits 2 on it (BadInput).
type InputError = tagging.InputError

// Input is what Build needs.
type Input struct {
	// Version is the release's tag, such as "v1.2.3". Required.
	Version string
	// Previous is the tag of the release to compare with. The default is
	// the highest version tag below Version: for a stable release the
	// highest stable one, for a pre-release the highest of any kind.
	Previous string
	// Head is the commit the release is made of. The default is Version.
	Head string
	// Range, when set, is the range ResolveRange chose: the notes cover
	// Range.From to Range.To and Previous and Head are not used.
	Range *Range
	// RepoDir is the local clone. Required.
	RepoDir string
	// Repository is "owner/name" on GitHub. Empty means no GitHub calls:
	// pull requests are listed by their commit subjects.
	Repository string
	// Config is the repository's .github/release.yml; nil groups by
	// conventional-commit type.
	Config *Config
	// Migrations is the migration analysis of the range, or nil. Build
	// refuses a report of another range (*RangeMismatchError).
	Migrations *report.Report
	// MigrationsError, when set, is why the migration analysis of the range
	// failed: the notes say so in place of the migrations, and warn.
	MigrationsError string
	// Upgrades is the upgrade and rollback table of the release
	// (migrations.History.Upgrades), or nil.
	Upgrades *report.Upgrades
	// Image is the released image, or nil.
	Image *Image
}

// Notes is the data of the release notes. It is what -o json prints and
// what a --template sees.
type Notes struct {
	Version    string `json:"version"`
	Previous   string `json:"previous,omitempty"`
	Prerelease bool   `json:"prerelease"`
	// Bump is "major", "minor", "patch", "prerelease" or "initial".
	Bump         string        `json:"bump"`
	Repository   string        `json:"repository,omitempty"`
	Range        Range         `json:"range"`
	Commits      []Commit      `json:"commits"`
	PullRequests []PullRequest `json:"pull_requests"`
	Breaking     []Change      `json:"breaking"`
	Categories   []Category    `json:"categories"`
	// AlreadyReleased are the entries of the range that earlier releases
	// already shipped (cherry-picked onto a release branch, then merged
	// again), newest release first; Categories holds the others.
	AlreadyReleased []Released     `json:"already_released,omitempty"`
	Migrations      *report.Report `json:"migrations,omitempty"`
	Image           *Image         `json:"image,omitempty"`
	CompareURL      string         `json:"compare_url,omitempty"`
	// Warnings are what the operator or maintainer should know about the
	// notes themselves: a shallow clone, a breaking change in a patch
	// release, a pull request that could not be found.
	Warnings []string `json:"warnings,omitempty"`
	// MigrationsError is why the migration analysis failed, when it did:
	// the notes then cannot say whether the previous release can run
	// against the migrations of this one.
	MigrationsError string `json:"migrations_error,omitempty"`

	// Upgrades is the upgrade and rollback table (Input.Upgrades).
	Upgrades *report.Upgrades `json:"upgrades,omitempty"`
}

// Range is the commit range of the release.
type Range struct {
	From    string `json:"from,omitempty"`
	To      string `json:"to"`
	FromSHA string `json:"from_sha,omitempty"`
	ToSHA   string `json:"to_sha,omitempty"`
	// Source is "git" (the local clone) or "github-compare".
	Source  string `json:"source"`
	Shallow bool   `json:"shallow"`
}

// Commit is one commit of the range.
type Commit struct {
	SHA     string `json:"sha"`
	Subject string `json:"subject"`
	Author  string `json:"author"`
	// PR is the pull request the commit belongs to, 0 for none.
	PR       int    `json:"pr,omitempty"`
	Type     string `json:"type,omitempty"`
	Scope    string `json:"scope,omitempty"`
	Breaking bool   `json:"breaking,omitempty"`
	// BreakingNote is the text of its BREAKING CHANGE footer.
	BreakingNote string `json:"breaking_note,omitempty"`
	Merge        bool   `json:"merge,omitempty"`
	// AlreadyIn is the lowest earlier release that contains this commit
	// or the same change (a cherry-pick of it, or the commit it was
	// cherry-picked from).
	AlreadyIn string `json:"already_in,omitempty"`
	// SameAs is the commit of the range that makes the same change, when
	// this one is a copy of it (listed once, under that commit).
	SameAs string `json:"same_as,omitempty"`
}

// PullRequest is one pull request merged in the range.
type PullRequest struct {
	Number   int      `json:"number"`
	Title    string   `json:"title"`
	Author   string   `json:"author,omitempty"`
	Labels   []string `json:"labels,omitempty"`
	URL      string   `json:"url,omitempty"`
	Type     string   `json:"type,omitempty"`
	Breaking bool     `json:"breaking,omitempty"`
	Commits  []string `json:"commits"`
	// Found is false when GitHub was not asked or did not know it: Title
	// then comes from the commit.
	Found bool `json:"found"`
	// AlreadyIn is the earlier release that already shipped the pull
	// request, or "".
	AlreadyIn string `json:"already_in,omitempty"`
}

// Change is one breaking change.
type Change struct {
	Description string `json:"description"`
	PR          int    `json:"pr,omitempty"`
	SHA         string `json:"sha,omitempty"`
	URL         string `json:"url,omitempty"`
	// Why is what marked it breaking: "conventional commit !",
	// "BREAKING CHANGE footer" or "label <name>".
	Why string `json:"why"`
	// AlreadyIn is the earlier release that already shipped it, or "".
	AlreadyIn string `json:"already_in,omitempty"`
}

// Category is one group of the changes.
type Category struct {
	Title   string  `json:"title"`
	Entries []Entry `json:"entries"`
}

// Entry is one line of a category: a pull request, or a commit without one.
type Entry struct {
	Title  string `json:"title"`
	PR     int    `json:"pr,omitempty"`
	SHA    string `json:"sha,omitempty"`
	URL    string `json:"url,omitempty"`
	Author string `json:"author,omitempty"`
	// AlreadyIn is the earlier release that already shipped it, or "".
	AlreadyIn string `json:"already_in,omitempty"`
}

// Released is the entries an earlier release already shipped.
type Released struct {
	Version string  `json:"version"`
	Entries []Entry `json:"entries"`
}

// Build collects the notes of a release.
func Build(ctx context.Context, in Input, opts ...Option) (*Notes, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	v, err := tagging.ParseVersion(in.Version)
	if err != nil {
		return nil, err
	}
	if in.RepoDir == "" {
		return nil, errNoRepoDir
	}
	if in.Migrations != nil && in.MigrationsError != "" {
		return nil, &InputError{What: "both a migration report and a failed migration analysis", Expect: "pass one or the other"}
	}
	n := &Notes{Version: in.Version, Prerelease: v.Prerelease(), Repository: in.Repository, Migrations: in.Migrations,
		MigrationsError: strings.Join(strings.Fields(in.MigrationsError), " ")}
	n.Upgrades = in.Upgrades
	var owner, name string
	if in.Repository != "" {
		if owner, name, err = splitRepo(in.Repository); err != nil {
			return nil, err
		}
	}
	g := o.repo(in.RepoDir)
	shallow, err := g.Shallow(ctx)
	if err != nil {
		return nil, err
	}
	gh, err := o.client()
	if err != nil {
		return nil, err
	}

	// The range: chosen by the caller (ResolveRange), else here.
	var rng Range
	if in.Range != nil {
		rng = Range{From: in.Range.From, To: in.Range.To}
		if rng.From != "" {
			if _, err := tagging.ParseVersion(rng.From); err != nil {
				return nil, err
			}
		}
	} else if rng, err = chooseRange(ctx, g, gh, owner, name, v, in); err != nil {
		return nil, err
	}
	prev, head := rng.From, rng.To
	n.Previous = prev
	n.Bump = bump(v, prev)
	n.Range.From, n.Range.To, n.Range.Shallow = prev, head, shallow

	// The commits: from the clone when it has the whole range, else GitHub.
	headSHA, err := g.resolve(ctx, head)
	if err != nil {
		return nil, err
	}
	prevSHA := ""
	if prev != "" {
		if prevSHA, err = g.resolve(ctx, prev); err != nil {
			return nil, err
		}
	}
	if err := checkReport(ctx, g, Range{From: prev, To: head, FromSHA: prevSHA, ToSHA: headSHA}, in.Migrations); err != nil {
		return nil, err
	}
	var commits []commit
	switch {
	case !shallow && headSHA != "" && (prev == "" || prevSHA != ""):
		n.Range.Source = "git"
		n.Range.FromSHA, n.Range.ToSHA = prevSHA, headSHA
		if commits, err = g.log(ctx, prevSHA, headSHA); err != nil {
			return nil, err
		}
	default:
		why := "the clone is shallow"
		switch {
		case shallow:
		case headSHA == "":
			why = fmt.Sprintf("the clone has no %s", head)
		default:
			why = fmt.Sprintf("the clone has no %s", prev)
		}
		if in.Repository == "" {
			return nil, &InputError{What: why, Expect: "fetch the full history with tags (git fetch --unshallow --tags; actions/checkout with fetch-depth: 0), or give the GitHub repository so its compare API can be used"}
		}
		if prev == "" {
			return nil, &InputError{What: why + " and there is no previous release to compare with", Expect: "fetch the full history (fetch-depth: 0) or pass the previous release"}
		}
		n.Warnings = append(n.Warnings, why+": the commits come from GitHub's compare API")
		n.Range.Source = "github-compare"
		if commits, err = compareCommits(ctx, gh, owner, name, prev, head); err != nil {
			if headSHA == "" {
				return nil, &UnknownHeadError{Head: head, Err: err}
			}
			return nil, err
		}
		n.Range.ToSHA = tipOf(commits)
	}
	o.Log.Info("commit range read", "from", prev, "to", head, "source", n.Range.Source, "commits", len(commits))

	if err := n.collect(ctx, o, gh, g, owner, name, commits, in.Config); err != nil {
		return nil, err
	}
	if err := n.SetImage(in.Image); err != nil {
		return nil, err
	}
	if prev != "" && in.Repository != "" {
		n.CompareURL = fmt.Sprintf("%s/%s/compare/%s...%s", o.serverURL, in.Repository, prev, in.Version)
	}
	// Empty lists are [] in JSON, not null.
	n.Commits = nonNil(n.Commits)
	n.PullRequests = nonNil(n.PullRequests)
	n.Breaking = nonNil(n.Breaking)
	n.Categories = nonNil(n.Categories)
	if n.MigrationsError != "" {
		n.Warnings = append(n.Warnings, migrationsFailed(n))
	}
	if len(n.Breaking) > 0 && (n.Bump == "minor" || n.Bump == "patch") {
		n.Warnings = append(n.Warnings, fmt.Sprintf("%s is a %s release but contains %d breaking change(s): consider a major version", in.Version, n.Bump, len(n.Breaking)))
	}
	return n, nil
}

// SetImage puts the released image img into the notes, checked as Build
// checks Input.Image; nil leaves them without one. A release builds its
// notes (the commits, GitHub's pull requests) while the image is tagged
// and signed, and sets the image once it is.
func (n *Notes) SetImage(img *Image) error {
	if img == nil {
		return nil
	}
	c, err := img.complete()
	if err != nil {
		return err
	}
	n.Image = &c
	return nil
}

func bump(v tagging.Version, prev string) string {
	if v.Prerelease() {
		return "prerelease"
	}
	p, err := tagging.ParseVersion(prev)
	if prev == "" || err != nil {
		return "initial"
	}
	switch {
	case v.Major() != p.Major():
		return "major"
	case v.Minor() != p.Minor():
		if v.Major() == 0 {
			// 0.y.z: a minor bump may break (semver item 4).
			return "major"
		}
		return "minor"
	default:
		return "patch"
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// tipOf returns the commit of the range that no other commit of the range
// has as a parent: the head. (GitHub's compare lists commits by date, which
// does not always put the head last.)
func tipOf(commits []commit) string {
	isParent := make(map[string]bool, len(commits))
	for _, c := range commits {
		for _, p := range c.Parents {
			isParent[p] = true
		}
	}
	for _, c := range commits {
		if !isParent[c.SHA] {
			return c.SHA
		}
	}
	return ""
}
