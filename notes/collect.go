package notes

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/tagging"
)

// collect turns the commits of the range (newest first, as git log gives
// them) into the notes' commits, pull requests, breaking changes and
// categories. It runs in stages, each testable alone:
//
//   - attribute: the graph walk, the pull request each commit belongs to;
//   - walk: the commits with their conventional-commit data, and the pull
//     requests with what the commits say of them (offline titles);
//   - fetch: the pull requests from GitHub, when a repository is given;
//   - markShipped: what earlier releases already shipped, and the copies of
//     one change within the range (from the clone only);
//   - breakingChanges: what the commits and pull requests mark breaking;
//   - categorise: the new entries by category, released: the others by the
//     release that shipped them.
func (n *Notes) collect(ctx context.Context, o *options, gh *github.Client, g gitRepo, owner, name string, commits []commit, cfg *Config) error {
	links := linker{server: o.serverURL, repo: n.Repository}
	prOf := attribute(commits, n.Range.ToSHA)
	cs, prs := walk(commits, prOf, links)
	if owner != "" {
		want, since := wanted(commits, prOf)
		if len(want) > 0 {
			fetched, warnings, err := fetchPulls(ctx, gh, owner, name, want, since.Add(-time.Hour))
			if err != nil {
				return err
			}
			n.Warnings = append(n.Warnings, warnings...)
			applyFetched(prs, fetched)
		}
	}
	finishPulls(prs)
	if n.Range.Source == "git" {
		if err := markShipped(ctx, g, n.Version, n.Range.ToSHA, commits, cs, prs); err != nil {
			return err
		}
	}
	n.Commits = cs
	n.PullRequests = prs
	n.Breaking = breakingChanges(n.Commits, n.PullRequests)
	var fresh, old []item
	for _, it := range entries(n.Commits, n.PullRequests, links) {
		if it.entry.AlreadyIn != "" {
			old = append(old, it)
		} else {
			fresh = append(fresh, it)
		}
	}
	n.Categories = categorise(fresh, cfg)
	n.AlreadyReleased = released(old, cfg)
	o.Log.Info("changes sorted", "new", len(fresh), "already_released", len(old), "pull_requests", len(prs))
	return nil
}

// linker makes the links of pull requests and commits; without a
// repository there are none.
type linker struct {
	server, repo string
}

func (l linker) pull(number int) string {
	if l.repo == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/pull/%d", l.server, l.repo, number)
}

func (l linker) commit(sha string) string {
	if l.repo == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/commit/%s", l.server, l.repo, sha)
}

// attribute is the graph walk: the pull request each commit belongs to, 0
// for none. A merge or squash subject names its own pull request. The
// mainline is the first parents from head; the commits a mainline merge of
// a pull request brought in (reachable from its other parents, not from the
// mainline) belong to that pull request, oldest merge first, unless their
// subject names one of their own.
func attribute(commits []commit, head string) []int {
	inRange := make(map[string]int, len(commits))
	for i, c := range commits {
		inRange[c.SHA] = i
	}
	prOf := make([]int, len(commits))
	for i, c := range commits {
		prOf[i] = prNumber(c.Subject)
	}
	mainline := map[string]bool{}
	var mainOrder []int
	for sha := head; len(commits) > 0; {
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
	return prOf
}

// walk returns the commits of the range oldest first, each with its pull
// request (prOf, in the order of commits) and conventional-commit data, and
// the pull requests by number with the titles their commits carry: the
// body's first line of a "Merge pull request #n from …" commit (GitHub
// writes the title there; a merge cherry-picked with -m keeps the subject
// and body but has one parent), else the subject of a squash commit
// without "(#n)".
func walk(commits []commit, prOf []int, links linker) ([]Commit, []PullRequest) {
	var cs []Commit
	byNumber := map[int]*PullRequest{}
	var numbers []int
	for i := len(commits) - 1; i >= 0; i-- {
		c := commits[i]
		cm := Commit{SHA: c.SHA, Subject: c.Subject, Author: c.Author, PR: prOf[i], Merge: len(c.Parents) > 1}
		if cc, ok := parseConventional(c.Subject); ok {
			cm.Type, cm.Scope, cm.Breaking = cc.Type, cc.Scope, cc.Breaking
		}
		if note, ok := breakingFooter(c.Body); ok {
			cm.Breaking, cm.BreakingNote = true, note
		}
		cs = append(cs, cm)
		if cm.PR == 0 {
			continue
		}
		pr := byNumber[cm.PR]
		if pr == nil {
			pr = &PullRequest{Number: cm.PR, URL: links.pull(cm.PR)}
			byNumber[cm.PR] = pr
			numbers = append(numbers, cm.PR)
		}
		pr.Commits = append(pr.Commits, c.SHA)
		if pr.Title == "" || cm.Merge || mergeSubjectRe.MatchString(c.Subject) {
			if t := offlineTitle(c); t != "" {
				pr.Title = t
			}
			if pr.Author == "" {
				pr.Author = c.Login
			}
		}
	}
	sort.Ints(numbers)
	prs := make([]PullRequest, 0, len(numbers))
	for _, k := range numbers {
		prs = append(prs, *byNumber[k])
	}
	return cs, prs
}

// offlineTitle is the pull request title a commit carries, or "".
func offlineTitle(c commit) string {
	switch {
	case mergeSubjectRe.MatchString(c.Subject):
		t, _, _ := strings.Cut(c.Body, "\n")
		return strings.TrimSpace(t)
	case squashSubjectRe.MatchString(c.Subject):
		return strings.TrimSpace(squashSubjectRe.ReplaceAllString(c.Subject, ""))
	}
	return ""
}

// wanted returns the pull request numbers of the range and the date of the
// oldest commit that belongs to one (GitHub's list is paged back to it).
func wanted(commits []commit, prOf []int) (map[int]bool, time.Time) {
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
	return want, since
}

// applyFetched puts what GitHub says of the pull requests over what the
// commits said: title, author, link and labels.
func applyFetched(prs []PullRequest, fetched map[int]*github.PullRequest) {
	for i := range prs {
		pr := &prs[i]
		f := fetched[pr.Number]
		if f == nil {
			continue
		}
		pr.Found = true
		pr.Title = f.GetTitle()
		pr.Author = f.GetUser().GetLogin()
		pr.URL = f.GetHTMLURL()
		for _, l := range f.Labels {
			pr.Labels = append(pr.Labels, l.GetName())
		}
	}
}

// finishPulls gives a title to the pull requests neither GitHub nor the
// commits named, and reads the conventional type of every title.
func finishPulls(prs []PullRequest) {
	for i := range prs {
		pr := &prs[i]
		if pr.Title == "" {
			pr.Title = fmt.Sprintf("Pull request #%d", pr.Number)
		}
		if cc, ok := parseConventional(pr.Title); ok {
			pr.Type = cc.Type
			pr.Breaking = cc.Breaking
		}
	}
}

// breakingChanges lists the breaking changes, commits first (a "!" or a
// BREAKING CHANGE footer), then pull requests (a breaking label, or a "!"
// in the title) not listed yet; it marks the pull requests of breaking
// commits breaking.
func breakingChanges(cs []Commit, prs []PullRequest) []Change {
	prIndex := make(map[int]int, len(prs))
	for i, pr := range prs {
		prIndex[pr.Number] = i
	}
	var out []Change
	for _, c := range cs {
		if !c.Breaking || c.SameAs != "" {
			continue
		}
		ch := Change{SHA: c.SHA, PR: c.PR, Why: "conventional commit !", AlreadyIn: c.AlreadyIn}
		if c.BreakingNote != "" {
			ch.Description, ch.Why = c.BreakingNote, "BREAKING CHANGE footer"
		} else if cc, ok := parseConventional(c.Subject); ok {
			ch.Description = squashSubjectRe.ReplaceAllString(cc.Description, "")
		}
		ch.Description = strings.TrimSpace(ch.Description)
		if i, ok := prIndex[c.PR]; ok && c.PR != 0 {
			prs[i].Breaking = true
			ch.URL = prs[i].URL
			ch.AlreadyIn = prs[i].AlreadyIn
		}
		out = append(out, ch)
	}
	for i := range prs {
		pr := &prs[i]
		for _, l := range pr.Labels {
			if isBreakingLabel(l) {
				if !hasChangeFor(out, pr.Number) {
					out = append(out, Change{Description: pr.Title, PR: pr.Number, URL: pr.URL, Why: "label " + l, AlreadyIn: pr.AlreadyIn})
				}
				pr.Breaking = true
				break
			}
		}
		if pr.Breaking && !hasChangeFor(out, pr.Number) {
			if cc, ok := parseConventional(pr.Title); ok {
				out = append(out, Change{Description: cc.Description, PR: pr.Number, URL: pr.URL, Why: "conventional commit !", AlreadyIn: pr.AlreadyIn})
			}
		}
	}
	return out
}

func hasChangeFor(cs []Change, pr int) bool {
	for _, c := range cs {
		if c.PR == pr {
			return true
		}
	}
	return false
}

// item is one entry to categorise, with what its category depends on.
type item struct {
	entry  Entry
	typ    string
	author string
	labels []string
}

// entries lists what the notes show: each pull request (its type from the
// title, else from its first typed commit), then each commit without one,
// merges and copies of another commit of the range left out.
func entries(cs []Commit, prs []PullRequest, links linker) []item {
	commitIdx := make(map[string]int, len(cs))
	for i, c := range cs {
		commitIdx[c.SHA] = i
	}
	var items []item
	for _, pr := range prs {
		typ := pr.Type
		if typ == "" {
			for _, sha := range pr.Commits {
				c := cs[commitIdx[sha]]
				if c.Type != "" && !c.Merge {
					typ = c.Type
					break
				}
			}
		}
		items = append(items, item{Entry{Title: pr.Title, PR: pr.Number, URL: pr.URL, Author: pr.Author, AlreadyIn: pr.AlreadyIn}, typ, pr.Author, pr.Labels})
	}
	for _, c := range cs {
		if c.PR != 0 || c.Merge || c.SameAs != "" {
			continue
		}
		items = append(items, item{Entry{Title: c.Subject, SHA: c.SHA, URL: links.commit(c.SHA), AlreadyIn: c.AlreadyIn}, c.Type, "", nil})
	}
	return items
}

// categorise groups the entries: with a release.yml as GitHub does (its
// categories in order, then otherChanges; excluded entries are left out),
// else by conventional-commit type.
func categorise(items []item, cfg *Config) []Category {
	byTitle := map[string]*Category{}
	add := func(title string, e Entry) {
		if byTitle[title] == nil {
			byTitle[title] = &Category{Title: title}
		}
		byTitle[title].Entries = append(byTitle[title].Entries, e)
	}
	var order []string
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
			add(conventionalCategory(it.typ), it.entry)
		}
	}
	var out []Category
	seen := map[string]bool{}
	for _, t := range order {
		if c := byTitle[t]; c != nil && !seen[t] {
			seen[t] = true
			out = append(out, *c)
		}
	}
	return out
}

// released groups the entries earlier releases already shipped by that
// release, newest first; a release.yml's exclusions apply to them too.
func released(items []item, cfg *Config) []Released {
	byVersion := map[string]*Released{}
	var versions []string
	for _, it := range items {
		if cfg != nil {
			if _, ok := cfg.category(it.author, it.labels); !ok {
				continue
			}
		}
		r := byVersion[it.entry.AlreadyIn]
		if r == nil {
			r = &Released{Version: it.entry.AlreadyIn}
			byVersion[r.Version] = r
			versions = append(versions, r.Version)
		}
		r.Entries = append(r.Entries, it.entry)
	}
	sort.Slice(versions, func(i, j int) bool { return versionLess(versions[j], versions[i]) })
	out := make([]Released, 0, len(versions))
	for _, v := range versions {
		out = append(out, *byVersion[v])
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// versionLess orders version tags by semantic version (tags that are not
// versions last, by name).
func versionLess(a, b string) bool {
	va, erra := tagging.ParseVersion(a)
	vb, errb := tagging.ParseVersion(b)
	switch {
	case erra == nil && errb == nil && va.Compare(vb) != 0:
		return va.Compare(vb) < 0
	case (erra == nil) != (errb == nil):
		return erra == nil
	}
	return a < b
}
