package notes

import (
	"context"
	"errors"
	"fmt"
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
	out, err := g.run(ctx, "log", "--format=%H%x1f%P%x1f%an%x1f%cI%x1f%s%x1f%b%x1e", "--end-of-options", rng)
	if err != nil {
		return nil, err
	}
	var commits []commit
	for _, rec := range strings.Split(out, "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		f := strings.SplitN(rec, "\x1f", 6)
		if len(f) != 6 {
			return nil, fmt.Errorf("parsing git log output in %q: unexpected record %q", g.Dir, rec)
		}
		date, _ := time.Parse(time.RFC3339, f[3])
		commits = append(commits, commit{
			SHA:     f[0],
			Parents: strings.Fields(f[1]),
			Author:  f[2],
			Date:    date,
			Subject: strings.TrimSpace(f[4]),
			Body:    strings.TrimSpace(f[5]),
		})
	}
	return commits, nil
}
