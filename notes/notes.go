package notes

import (
	"context"
	"fmt"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/tagging"
)

// InputError is input the notes cannot be built from, and what is
// expected instead. The CLI exits 2 on it.
type InputError struct {
	What   string
	Expect string
}

func (e *InputError) Error() string {
	if e.Expect == "" {
		return e.What
	}
	return e.What + ": " + e.Expect
}

// BadInput marks the error as unusable input.
func (e *InputError) BadInput() bool { return true }

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
	// RepoDir is the local clone. Required.
	RepoDir string
	// Repository is "owner/name" on GitHub. Empty means no GitHub calls:
	// pull requests are listed by their commit subjects.
	Repository string
	// Config is the repository's .github/release.yml; nil groups by
	// conventional-commit type.
	Config *Config
	// Migrations is the migration analysis of the range, or nil.
	Migrations *migrations.Report
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
	AlreadyReleased []Released         `json:"already_released,omitempty"`
	Migrations      *migrations.Report `json:"migrations,omitempty"`
	Image           *Image             `json:"image,omitempty"`
	CompareURL      string             `json:"compare_url,omitempty"`
	// Warnings are what the operator or maintainer should know about the
	// notes themselves: a shallow clone, a breaking change in a patch
	// release, a pull request that could not be found.
	Warnings []string `json:"warnings,omitempty"`
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
		return nil, &InputError{What: "no repository directory", Expect: "pass the local clone of the repository"}
	}
	n := &Notes{Version: in.Version, Prerelease: v.Prerelease(), Repository: in.Repository, Migrations: in.Migrations}
	var owner, name string
	if in.Repository != "" {
		if owner, name, err = splitRepo(in.Repository); err != nil {
			return nil, err
		}
	}
	g := gitRepo{bin: o.git, dir: in.RepoDir}
	shallow, err := g.shallow(ctx)
	if err != nil {
		return nil, err
	}
	n.Range.Shallow = shallow

	gh, err := o.client()
	if err != nil {
		return nil, err
	}

	// The previous release.
	prev := in.Previous
	if prev == "" {
		tags, err := g.tags(ctx)
		if err != nil {
			return nil, err
		}
		if len(tagging.PublishedVersions(tags)) == 0 && in.Repository != "" {
			// A clone without tags (actions/checkout's default): ask GitHub.
			if tags, err = listTagNames(ctx, gh, owner, name); err != nil {
				return nil, err
			}
		}
		prev = tagging.Previous(v, tags)
	} else if _, err := tagging.ParseVersion(prev); err != nil {
		return nil, err
	}
	n.Previous = prev
	n.Bump = bump(v, prev)

	head := in.Head
	if head == "" {
		head = in.Version
	}
	n.Range.From, n.Range.To = prev, head

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
				return nil, fmt.Errorf("%w (if %s is not tagged yet, name the commit to release with --head)", err, head)
			}
			return nil, err
		}
		n.Range.ToSHA = tipOf(commits)
	}
	o.log.Info("commit range read", "from", prev, "to", head, "source", n.Range.Source, "commits", len(commits))

	if err := n.collect(ctx, o, gh, g, owner, name, commits, in.Config); err != nil {
		return nil, err
	}
	if in.Image != nil {
		img, err := in.Image.complete()
		if err != nil {
			return nil, err
		}
		n.Image = &img
	}
	if prev != "" && in.Repository != "" {
		n.CompareURL = fmt.Sprintf("%s/%s/compare/%s...%s", o.serverURL, in.Repository, prev, in.Version)
	}
	// Empty lists are [] in JSON, not null.
	n.Commits = nonNil(n.Commits)
	n.PullRequests = nonNil(n.PullRequests)
	n.Breaking = nonNil(n.Breaking)
	n.Categories = nonNil(n.Categories)
	if len(n.Breaking) > 0 && (n.Bump == "minor" || n.Bump == "patch") {
		n.Warnings = append(n.Warnings, fmt.Sprintf("%s is a %s release but contains %d breaking change(s): consider a major version", in.Version, n.Bump, len(n.Breaking)))
	}
	return n, nil
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
