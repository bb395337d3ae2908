package notes

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/httpretry"
)

// rateLimitPolicy retries a request GitHub refused for a rate limit,
// after the wait GitHub asks for: Retry-After (secondary limits) or
// x-ratelimit-reset when x-ratelimit-remaining is 0 (primary limit). Its
// transport sits below go-github, so go-github never records the limit and
// refuses later calls on its own.
func (o *options) rateLimitPolicy(req *http.Request, attempt int, resp *http.Response, err error) (time.Duration, bool, error) {
	if err != nil {
		return 0, false, nil
	}
	wait, limited := httpretry.GitHubRateLimit(resp, o.now())
	if !limited || attempt > o.retries {
		return 0, false, nil
	}
	if wait > o.maxWait {
		return 0, false, &RateLimitError{Wait: wait, Reset: o.now().Add(wait)}
	}
	o.Log.Warn("GitHub rate limit: waiting", "wait", wait.String(), "method", req.Method, "path", req.URL.Path)
	return wait, true, nil
}

// RateLimitError is returned when GitHub's rate limit resets later than the
// longest wait allowed (WithMaxRateLimitWait).
type RateLimitError = httpretry.RateLimitError

func splitRepo(full string) (string, string, error) {
	owner, name, ok := strings.Cut(full, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", &InputError{What: fmt.Sprintf("repository %q", full), Expect: "expected OWNER/NAME, such as sonicsaas/app"}
	}
	return owner, name, nil
}

// fetchPulls returns the pull requests numbered in want. It pages through
// the repository's closed pull requests, 100 at a time, most recently
// updated first, and stops as soon as all are found or the page reaches
// pull requests last updated before since (those cannot have been merged in
// the range). The few still missing (a backport of an old pull request) are
// fetched one by one.
func fetchPulls(ctx context.Context, c *github.Client, owner, repo string, want map[int]bool, since time.Time) (map[int]*github.PullRequest, []string, error) {
	found := map[int]*github.PullRequest{}
	var warnings []string
	if len(want) == 0 {
		return found, nil, nil
	}
	opt := &github.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: 100}}
	for {
		prs, resp, err := c.PullRequests.List(ctx, owner, repo, opt)
		if err != nil {
			return nil, nil, fmt.Errorf("listing pull requests of %q: %w", owner+"/"+repo, err)
		}
		older := false
		for _, pr := range prs {
			if want[pr.GetNumber()] {
				found[pr.GetNumber()] = pr
			}
			if !since.IsZero() && pr.GetUpdatedAt().Before(since) {
				older = true
			}
		}
		if len(found) == len(want) || resp.NextPage == 0 || older {
			break
		}
		opt.Page = resp.NextPage
	}
	var missing []int
	for n := range want {
		if found[n] == nil {
			missing = append(missing, n)
		}
	}
	sort.Ints(missing)
	for _, n := range missing {
		pr, resp, err := c.PullRequests.Get(ctx, owner, repo, n)
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				warnings = append(warnings, fmt.Sprintf("pull request #%d is not in %s/%s: its commits are listed by subject", n, owner, repo))
				continue
			}
			return nil, nil, fmt.Errorf("getting pull request #%d of %q: %w", n, owner+"/"+repo, err)
		}
		found[n] = pr
	}
	return found, warnings, nil
}

// compareCommits reads the commits between base and head from GitHub's
// compare API, oldest first, 100 a page (the response has no Link header:
// the number of pages comes from total_commits).
func compareCommits(ctx context.Context, c *github.Client, owner, repo, base, head string) ([]commit, error) {
	var out []commit
	for page := 1; ; page++ {
		cmp, _, err := c.Repositories.CompareCommits(ctx, owner, repo, base, head, &github.ListOptions{PerPage: 100, Page: page})
		if err != nil {
			return nil, fmt.Errorf("comparing %q with %q on GitHub: %w", base, head, err)
		}
		for _, rc := range cmp.Commits {
			msg := rc.GetCommit().GetMessage()
			subject, body, _ := strings.Cut(msg, "\n")
			cm := commit{
				SHA:     rc.GetSHA(),
				Subject: strings.TrimSpace(subject),
				Body:    strings.TrimSpace(body),
				Author:  rc.GetCommit().GetAuthor().GetName(),
				Date:    rc.GetCommit().GetCommitter().GetDate().Time,
			}
			if l := rc.GetAuthor().GetLogin(); l != "" {
				cm.Login = l
			}
			for _, p := range rc.Parents {
				cm.Parents = append(cm.Parents, p.GetSHA())
			}
			out = append(out, cm)
		}
		if page*100 >= cmp.GetTotalCommits() || len(cmp.Commits) == 0 {
			break
		}
	}
	// GitHub lists oldest first; the rest of the package works newest first, as git log does.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// listTagNames lists the repository's tags on GitHub, for a clone that has none.
func listTagNames(ctx context.Context, c *github.Client, owner, repo string) ([]string, error) {
	var names []string
	opt := &github.ListOptions{PerPage: 100}
	for {
		tags, resp, err := c.Repositories.ListTags(ctx, owner, repo, opt)
		if err != nil {
			return nil, fmt.Errorf("listing tags of %q: %w", owner+"/"+repo, err)
		}
		for _, t := range tags {
			names = append(names, t.GetName())
		}
		if resp.NextPage == 0 {
			return names, nil
		}
		opt.Page = resp.NextPage
	}
}
