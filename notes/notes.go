package notes

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

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
	// Upgrades is the upgrade and rollback table of the release
	// (migrations.History.Upgrades), or nil.
	Upgrades *migrations.Upgrades
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
	Bump         string             `json:"bump"`
	Repository   string             `json:"repository,omitempty"`
	Range        Range              `json:"range"`
	Commits      []Commit           `json:"commits"`
	PullRequests []PullRequest      `json:"pull_requests"`
	Breaking     []Change           `json:"breaking"`
	Categories   []Category         `json:"categories"`
	Migrations   *migrations.Report `json:"migrations,omitempty"`
	Image        *Image             `json:"image,omitempty"`
	CompareURL   string             `json:"compare_url,omitempty"`
	// Warnings are what the operator or maintainer should know about the
	// notes themselves: a shallow clone, a breaking change in a patch
	// release, a pull request that could not be found.
	Warnings []string `json:"warnings,omitempty"`

	// Upgrades is the upgrade and rollback table (Input.Upgrades).
	Upgrades *migrations.Upgrades `json:"upgrades,omitempty"`
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
	n.Upgrades = in.Upgrades
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

	if err := n.collect(ctx, o, gh, owner, name, commits, in.Config); err != nil {
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

// collect turns the commits into commits, pull requests, breaking changes
// and categories.
func (n *Notes) collect(ctx context.Context, o *options, gh *github.Client, owner, name string, commits []commit, cfg *Config) error {
	inRange := make(map[string]int, len(commits))
	for i, c := range commits {
		inRange[c.SHA] = i
	}
	prOf := make([]int, len(commits))
	for i, c := range commits {
		prOf[i] = prNumber(c.Subject)
	}
	// The mainline: first parents from the head. The commits a merge
	// brought in (reachable from its other parents, not from the mainline)
	// belong to the merge's pull request. Oldest merge first.
	mainline := map[string]bool{}
	var mainOrder []int
	if len(commits) > 0 {
		for sha := n.Range.ToSHA; ; {
			i, ok := inRange[sha]
			if !ok || mainline[sha] {
				break
			}
			mainline[sha] = true
			mainOrder = append(mainOrder, i)
			if len(commits[i].Parents) == 0 {
				break
			}
			sha = commits[i].Parents[0]
		}
	}
	assigned := make([]bool, len(commits))
	for k := len(mainOrder) - 1; k >= 0; k-- {
		i := mainOrder[k]
		c := commits[i]
		if len(c.Parents) < 2 || prOf[i] == 0 {
			continue
		}
		stack := append([]string(nil), c.Parents[1:]...)
		for len(stack) > 0 {
			sha := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			j, ok := inRange[sha]
			if !ok || mainline[sha] || assigned[j] {
				continue
			}
			assigned[j] = true
			if prOf[j] == 0 {
				prOf[j] = prOf[i]
			}
			stack = append(stack, commits[j].Parents...)
		}
	}

	// Pull requests, from GitHub when a repository is given.
	want := map[int]bool{}
	var since time.Time
	for i, c := range commits {
		if prOf[i] != 0 {
			want[prOf[i]] = true
			if since.IsZero() || c.Date.Before(since) {
				since = c.Date
			}
		}
	}
	fetched := map[int]*github.PullRequest{}
	if owner != "" && len(want) > 0 {
		prs, warnings, err := fetchPulls(ctx, gh, owner, name, want, since.Add(-time.Hour))
		if err != nil {
			return err
		}
		n.Warnings = append(n.Warnings, warnings...)
		for k, pr := range prs {
			fetched[k] = pr
		}
	}

	// Commits, oldest first.
	prs := map[int]*PullRequest{}
	for i := len(commits) - 1; i >= 0; i-- {
		c := commits[i]
		cm := Commit{SHA: c.SHA, Subject: c.Subject, Author: c.Author, PR: prOf[i], Merge: len(c.Parents) > 1}
		if cc, ok := parseConventional(c.Subject); ok {
			cm.Type, cm.Scope, cm.Breaking = cc.Type, cc.Scope, cc.Breaking
		}
		if note, ok := breakingFooter(c.Body); ok {
			cm.Breaking, cm.BreakingNote = true, note
		}
		n.Commits = append(n.Commits, cm)
		if cm.PR == 0 {
			continue
		}
		pr := prs[cm.PR]
		if pr == nil {
			pr = &PullRequest{Number: cm.PR}
			if n.Repository != "" {
				pr.URL = fmt.Sprintf("%s/%s/pull/%d", o.serverURL, n.Repository, cm.PR)
			}
			prs[cm.PR] = pr
		}
		pr.Commits = append(pr.Commits, c.SHA)
		// Without GitHub: the title of a squash commit is its subject
		// without "(#n)"; a merge commit carries the title in its body.
		if pr.Title == "" || cm.Merge {
			switch {
			case cm.Merge && mergeSubjectRe.MatchString(c.Subject):
				if t, _, _ := strings.Cut(c.Body, "\n"); strings.TrimSpace(t) != "" {
					pr.Title = strings.TrimSpace(t)
				}
			case squashSubjectRe.MatchString(c.Subject):
				pr.Title = strings.TrimSpace(squashSubjectRe.ReplaceAllString(c.Subject, ""))
			}
			if pr.Author == "" {
				pr.Author = c.Login
			}
		}
	}
	numbers := make([]int, 0, len(prs))
	for k := range prs {
		numbers = append(numbers, k)
	}
	sort.Ints(numbers)
	for _, k := range numbers {
		pr := prs[k]
		if f := fetched[k]; f != nil {
			pr.Found = true
			pr.Title = f.GetTitle()
			pr.Author = f.GetUser().GetLogin()
			pr.URL = f.GetHTMLURL()
			for _, l := range f.Labels {
				pr.Labels = append(pr.Labels, l.GetName())
			}
		}
		if pr.Title == "" {
			pr.Title = fmt.Sprintf("Pull request #%d", k)
		}
		if cc, ok := parseConventional(pr.Title); ok {
			pr.Type = cc.Type
			pr.Breaking = cc.Breaking
		}
		n.PullRequests = append(n.PullRequests, *pr)
	}
	prIndex := map[int]int{}
	for i, pr := range n.PullRequests {
		prIndex[pr.Number] = i
	}

	// Breaking changes.
	for _, c := range n.Commits {
		if !c.Breaking {
			continue
		}
		ch := Change{SHA: c.SHA, PR: c.PR, Why: "conventional commit !"}
		if c.BreakingNote != "" {
			ch.Description, ch.Why = c.BreakingNote, "BREAKING CHANGE footer"
		} else if cc, ok := parseConventional(c.Subject); ok {
			ch.Description = squashSubjectRe.ReplaceAllString(cc.Description, "")
		}
		ch.Description = strings.TrimSpace(ch.Description)
		if c.PR != 0 {
			pr := &n.PullRequests[prIndex[c.PR]]
			pr.Breaking = true
			ch.URL = pr.URL
		}
		n.Breaking = append(n.Breaking, ch)
	}
	for i := range n.PullRequests {
		pr := &n.PullRequests[i]
		for _, l := range pr.Labels {
			if isBreakingLabel(l) {
				if !hasChangeFor(n.Breaking, pr.Number) {
					n.Breaking = append(n.Breaking, Change{Description: pr.Title, PR: pr.Number, URL: pr.URL, Why: "label " + l})
				}
				pr.Breaking = true
				break
			}
		}
		if pr.Breaking && !hasChangeFor(n.Breaking, pr.Number) {
			if cc, ok := parseConventional(pr.Title); ok {
				n.Breaking = append(n.Breaking, Change{Description: cc.Description, PR: pr.Number, URL: pr.URL, Why: "conventional commit !"})
			}
		}
	}

	// Categories.
	type item struct {
		entry  Entry
		typ    string
		author string
		labels []string
	}
	var items []item
	commitIdx := make(map[string]int, len(n.Commits))
	for i, c := range n.Commits {
		commitIdx[c.SHA] = i
	}
	for _, pr := range n.PullRequests {
		typ := pr.Type
		if typ == "" {
			for _, sha := range pr.Commits {
				c := n.Commits[commitIdx[sha]]
				if c.Type != "" && !c.Merge {
					typ = c.Type
					break
				}
			}
		}
		items = append(items, item{Entry{Title: pr.Title, PR: pr.Number, URL: pr.URL, Author: pr.Author}, typ, pr.Author, pr.Labels})
	}
	for _, c := range n.Commits {
		if c.PR != 0 || c.Merge {
			continue
		}
		e := Entry{Title: c.Subject, SHA: c.SHA}
		if n.Repository != "" {
			e.URL = fmt.Sprintf("%s/%s/commit/%s", o.serverURL, n.Repository, c.SHA)
		}
		items = append(items, item{e, c.Type, "", nil})
	}
	byTitle := map[string]*Category{}
	var order []string
	add := func(title string, e Entry) {
		if byTitle[title] == nil {
			byTitle[title] = &Category{Title: title}
		}
		byTitle[title].Entries = append(byTitle[title].Entries, e)
	}
	if cfg != nil {
		for _, c := range cfg.Changelog.Categories {
			order = append(order, c.Title)
		}
		order = append(order, otherChanges)
		for _, it := range items {
			if title, ok := cfg.category(it.author, it.labels); ok {
				add(title, it.entry)
			}
		}
	} else {
		for _, ct := range conventionalTitles {
			order = append(order, ct.Title)
		}
		for _, it := range items {
			title := "Other changes"
			for _, ct := range conventionalTitles {
				if contains(ct.Types, it.typ) {
					title = ct.Title
					break
				}
			}
			add(title, it.entry)
		}
	}
	seen := map[string]bool{}
	for _, t := range order {
		if c := byTitle[t]; c != nil && !seen[t] {
			seen[t] = true
			n.Categories = append(n.Categories, *c)
		}
	}
	return nil
}

func hasChangeFor(cs []Change, pr int) bool {
	for _, c := range cs {
		if c.PR == pr {
			return true
		}
	}
	return false
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
