package notes

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/sonicsaas/sonic-release/internal/gitexec"
)

// commit is one commit of the range as read from git or GitHub.
type commit struct {
	SHA     string
	Parents []string
	Author  string
	Login   string // GitHub login, when read from the compare API
	Date    time.Time
	Subject string
	Body    string
}

// gitRepo reads one repository with the git binary (internal/gitexec).
type gitRepo struct {
	gitexec.Repo
}

// run runs git with args and returns its output.
func (g gitRepo) run(ctx context.Context, args ...string) (string, error) {
	out, err := g.Run(ctx, args...)
	return string(out), err
}

// resolve returns the commit a ref names, or "" when the clone lacks it.
func (g gitRepo) resolve(ctx context.Context, ref string) (string, error) {
	sha, err := g.Resolve(ctx, ref)
	if _, ok := errors.AsType[*gitexec.RefError](err); ok {
		return "", nil
	}
	return sha, err
}

// log reads the commits reachable from head and not from base (all of them
// when base is empty), newest first.
func (g gitRepo) log(ctx context.Context, base, head string) ([]commit, error) {
	rng := head
	if base != "" {
		rng = base + ".." + head
	}
	// Fields end with NUL, which no commit message, name or date holds, so
	// no text of the range (a \x1e or \x1f in a message) can break the
	// parsing; git adds a newline between records.
	out, err := g.run(ctx, "log", "--format=%H%x00%P%x00%an%x00%cI%x00%s%x00%b%x00", "--end-of-options", rng)
	if err != nil {
		return nil, err
	}
	f := strings.Split(out, "\x00")
	var commits []commit
	for i := 0; i+6 <= len(f); i += 6 {
		date, _ := time.Parse(time.RFC3339, f[i+3])
		commits = append(commits, commit{
			SHA:     strings.TrimSpace(f[i]),
			Parents: strings.Fields(f[i+1]),
			Author:  f[i+2],
			Date:    date,
			Subject: strings.TrimSpace(f[i+4]),
			Body:    strings.TrimSpace(f[i+5]),
		})
	}
	return commits, nil
}

// runInput runs git with input on its standard input.
func (g gitRepo) runInput(ctx context.Context, input string, args ...string) (string, error) {
	out, err := g.RunInput(ctx, strings.NewReader(input), args...)
	return string(out), err
}

// tagRef is a tag that names a commit: the commit, and when the tag was
// made (the tagger date of an annotated tag, else the commit date; Unix
// seconds).
type tagRef struct {
	Commit string
	Date   int64
}

// tagCommits returns the repository's tags that name a commit (directly or
// through an annotated tag), in one call.
func (g gitRepo) tagCommits(ctx context.Context) (map[string]tagRef, error) {
	out, err := g.Output(ctx, "for-each-ref", "--format=%(refname:strip=2) %(creatordate:unix) %(objecttype) %(objectname) %(*objecttype) %(*objectname)", "refs/tags")
	if err != nil {
		return nil, err
	}
	tags := map[string]tagRef{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		date, _ := strconv.ParseInt(f[1], 10, 64)
		switch {
		case f[2] == "commit":
			tags[f[0]] = tagRef{f[3], date}
		case len(f) == 6 && f[4] == "commit":
			tags[f[0]] = tagRef{f[5], date}
		}
	}
	return tags, nil
}

// histCommit is a commit of the history as the shipped-change check reads
// it: with its author date (kept by cherry-pick and rebase).
type histCommit struct {
	SHA        string
	Parents    []string
	Author     string
	AuthorTime string
	Subject    string
	Body       string
}

// history reads every commit reachable from revs, in one call. Fields are
// separated by NUL, which no commit message holds, so no text of the
// history (old commits included) can break the parsing.
func (g gitRepo) history(ctx context.Context, revs []string) ([]histCommit, error) {
	if len(revs) == 0 {
		return nil, nil
	}
	out, err := g.runInput(ctx, strings.Join(revs, "\n")+"\n", "log", "--stdin", "--format=%H%x00%P%x00%an <%ae>%x00%at%x00%s%x00%b%x00")
	if err != nil {
		return nil, err
	}
	f := strings.Split(out, "\x00")
	var hs []histCommit
	for i := 0; i+6 <= len(f); i += 6 {
		hs = append(hs, histCommit{SHA: strings.TrimSpace(f[i]), Parents: strings.Fields(f[i+1]), Author: f[i+2], AuthorTime: f[i+3], Subject: strings.TrimSpace(f[i+4]), Body: f[i+5]})
	}
	return hs, nil
}

// patchIDs returns the stable patch id (git patch-id --stable) of each
// commit, with one git log and one git patch-id for all of them. A commit
// without a diff (a merge, an empty commit) has none.
func (g gitRepo) patchIDs(ctx context.Context, shas []string) (map[string]string, error) {
	ids := map[string]string{}
	if len(shas) == 0 {
		return ids, nil
	}
	diffs, err := g.runInput(ctx, strings.Join(shas, "\n")+"\n", "log", "--stdin", "--no-walk=unsorted", "-p", "--no-renames", "--no-color", "--format=commit %H")
	if err != nil {
		return nil, err
	}
	out, err := g.runInput(ctx, diffs, "patch-id", "--stable")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(out, "\n") {
		if id, sha, ok := strings.Cut(line, " "); ok {
			ids[sha] = id
		}
	}
	return ids, nil
}
