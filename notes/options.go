package notes

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/ghclient"
	"github.com/sonicsaas/sonic-release/internal/httpretry"
	"github.com/sonicsaas/sonic-release/internal/option"
)

type options struct {
	option.Common
	token     string
	apiURL    string
	serverURL string
	git       string
	maxWait   time.Duration
	retries   int
	sleep     func(ctx context.Context, d time.Duration) error
	now       func() time.Time
}

// Option configures Build and Publish.
type Option func(*options) error

// WithHTTPClient sets the HTTP client for the GitHub API. The default is
// http.DefaultClient.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error { return o.SetHTTPClient(c) }
}

// WithAuthToken authenticates the GitHub API calls with token (a
// GITHUB_TOKEN or a personal access token), sent as a bearer token. The
// default, and an empty token, send no credentials.
func WithAuthToken(token string) Option {
	return func(o *options) error {
		o.token = token
		return nil
	}
}

// WithAPIURL sets the GitHub REST API root. Any URL other than
// https://api.github.com is taken for GitHub Enterprise Server, whose API
// lives under /api/v3/. The default is https://api.github.com.
func WithAPIURL(u string) Option {
	return func(o *options) error {
		if err := ghclient.CheckAPIURL(u); err != nil {
			return err
		}
		o.apiURL = u
		return nil
	}
}

// WithServerURL sets the web root used in links (pull requests, the compare
// link). The default is https://github.com.
func WithServerURL(u string) Option {
	return func(o *options) error {
		o.serverURL = strings.TrimSuffix(u, "/")
		return nil
	}
}

// WithGit sets the git binary. The default is "git" from $PATH.
func WithGit(path string) Option {
	return func(o *options) error {
		o.git = path
		return nil
	}
}

// WithLogger sets the logger. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { return o.SetLogger(l) }
}

// WithMaxRateLimitWait sets the longest wait for a GitHub rate limit to
// reset (Retry-After or x-ratelimit-reset); a longer one fails the call
// with the time it resets. The default is 5 minutes.
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return errors.New("max rate limit wait must not be negative")
		}
		o.maxWait = d
		return nil
	}
}

func makeOptions(opts []Option) (*options, error) {
	return option.Apply(&options{
		Common:    option.Defaults(),
		apiURL:    "https://api.github.com",
		serverURL: "https://github.com",
		git:       "git",
		maxWait:   5 * time.Minute,
		retries:   3,
		sleep:     httpretry.Sleep,
		now:       time.Now,
	}, opts)
}

// client builds the go-github client: the caller's http.Client wrapped so
// that rate-limited requests wait and retry.
func (o *options) client() (*github.Client, error) {
	hc := ghclient.Wrap(o.HTTP, func(base http.RoundTripper) http.RoundTripper {
		return &httpretry.Transport{Base: base, Retry: o.rateLimitPolicy, Sleep: o.sleep}
	})
	return ghclient.New(hc, o.token, o.apiURL)
}
