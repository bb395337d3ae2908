package notes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
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

// gitRepo runs the git binary in one repository.
type gitRepo struct {
	bin string
	dir string
}

func (g gitRepo) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, g.bin, append([]string{"-C", g.dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("running git %s in %q: %s", strings.Join(args, " "), g.dir, msg)
	}
	return out.String(), nil
}

func (g gitRepo) shallow(ctx context.Context) (bool, error) {
	out, err := g.run(ctx, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return false, err
	}
	return strings.TrimSpace(out) == "true", nil
}

// resolve returns the commit a ref names, or "" when the clone lacks it.
func (g gitRepo) resolve(ctx context.Context, ref string) (string, error) {
	cmd := exec.CommandContext(ctx, g.bin, "-C", g.dir, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return "", nil
		}
		return "", fmt.Errorf("resolving %q in %q: %w", ref, g.dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (g gitRepo) tags(ctx context.Context) ([]string, error) {
	out, err := g.run(ctx, "tag", "--list")
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
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
			return nil, fmt.Errorf("parsing git log output in %q: unexpected record %q", g.dir, rec)
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
