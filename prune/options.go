package prune

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/ghclient"
	"github.com/sonicsaas/sonic-release/internal/httpretry"
	"github.com/sonicsaas/sonic-release/internal/inputerr"
	"github.com/sonicsaas/sonic-release/internal/option"
)

type options struct {
	option.Common
	token     string
	apiURL    string
	ownerType OwnerType
	maxWait   time.Duration
	retries   int
	sleep     func(ctx context.Context, d time.Duration) error
	now       func() time.Time
	remote    []remote.Option
	jobs      int
	backoff   time.Duration
}

// Option configures NewGitHub, Plan and Apply.
type Option func(*options) error

// OwnerType says whether a package belongs to an organization or a user.
type OwnerType string

// The owner types. OwnerAuto asks the organization endpoints first and
// falls back to the user's on 404.
const (
	OwnerAuto OwnerType = ""
	OwnerOrg  OwnerType = "org"
	OwnerUser OwnerType = "user"
)

// WithOwnerType sets the owner's type. The default is OwnerAuto.
func WithOwnerType(t OwnerType) Option {
	return func(o *options) error {
		switch t {
		case OwnerAuto, OwnerOrg, OwnerUser:
			o.ownerType = t
			return nil
		}
		return fmt.Errorf("owner type %q: expected org or user", t)
	}
}

// WithHTTPClient sets the HTTP client for the GitHub API. The default is
// http.DefaultClient.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error { return o.SetHTTPClient(c) }
}

// WithAuthToken authenticates the GitHub API calls with token, sent as a
// bearer token. The default sends no credentials.
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

// WithMaxRateLimitWait sets the longest wait for a GitHub rate limit to
// reset; a longer one fails the call with the time it resets. The default
// is 5 minutes.
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return errors.New("max rate limit wait must not be negative")
		}
		o.maxWait = d
		return nil
	}
}

// WithRetryBackoff sets the first wait before a request GitHub answered
// with 500, 502, 503 or 504 is sent again; each next wait doubles, for up
// to 3 retries (every request prune sends is idempotent: a DELETE sent
// again finds the version gone). The default is 1 second.
func WithRetryBackoff(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return errors.New("retry backoff must be greater than zero")
		}
		o.backoff = d
		return nil
	}
}

// WithRemoteOptions sets the registry options (authentication, transport)
// used to read tags and manifests. The default is anonymous access.
func WithRemoteOptions(opts ...remote.Option) Option {
	return func(o *options) error {
		o.remote = append(o.remote, opts...)
		return nil
	}
}

// WithJobs sets how many manifests are read from the registry at once. The
// default is 8.
func WithJobs(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return errors.New("jobs must be greater than zero")
		}
		o.jobs = n
		return nil
	}
}

// WithClock sets the clock the age of versions is measured with. The
// default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		o.now = now
		return nil
	}
}

// WithLogger sets the logger. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { return o.SetLogger(l) }
}

func makeOptions(opts []Option) (*options, error) {
	o, err := option.Apply(&options{
		Common:  option.Defaults(),
		apiURL:  "https://api.github.com",
		maxWait: 5 * time.Minute,
		retries: 3,
		sleep:   httpretry.Sleep,
		now:     time.Now,
		jobs:    8,
		backoff: time.Second,
	}, opts)
	if err != nil {
		return nil, inputerr.New(err)
	}
	return o, nil
}
