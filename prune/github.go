package prune

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/ghclient"
	"github.com/sonicsaas/sonic-release/internal/httpretry"
	"github.com/sonicsaas/sonic-release/internal/inputerr"
)

// Source is where a package's versions are listed and deleted: GitHub's
// Packages API (GitHub), or anything that answers like it.
type Source interface {
	// Versions lists every version of the package.
	Versions(ctx context.Context) ([]Version, error)
	// Delete deletes one version; a version already gone is an error
	// for which IsNotFound reports true.
	Delete(ctx context.Context, v Version) error
}

// versionGetter is a Source that can read one version back (the Packages
// API can for organization packages): Apply then checks, just before
// deleting a tagged version, that no tag was added to it since the plan.
type versionGetter interface {
	Version(ctx context.Context, id int64) (Version, bool, error)
}

// GitHub is the Packages API of one container package.
type GitHub struct {
	c     *github.Client
	o     *options
	owner string
	name  string
	org   atomic.Int32 // 0 unknown, 1 org, 2 user
	calls atomic.Int64
}

var _ Source = (*GitHub)(nil)
var _ versionGetter = (*GitHub)(nil)

// NewGitHub returns the Packages API client of the container package name
// ("app", or "app/worker" for ghcr.io/OWNER/app/worker) owned by owner.
func NewGitHub(owner, name string, opts ...Option) (*GitHub, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	if owner == "" || strings.Contains(owner, "/") || name == "" {
		return nil, inputerr.Errorf("package %q of owner %q: expected an owner and a package name, as in ghcr.io/OWNER/NAME", name, owner)
	}
	g := &GitHub{o: o, owner: owner, name: name}
	hc := ghclient.Wrap(o.HTTP, func(base http.RoundTripper) http.RoundTripper {
		return &httpretry.Transport{Base: countCalls{base, &g.calls}, Retry: o.retryPolicy, Sleep: o.sleep}
	})
	c, err := ghclient.New(hc, o.token, o.apiURL)
	if err != nil {
		return nil, err
	}
	g.c = c
	switch o.ownerType {
	case OwnerOrg:
		g.org.Store(1)
	case OwnerUser:
		g.org.Store(2)
	}
	return g, nil
}

// Calls is the number of HTTP requests sent to the API so far (retries
// after a rate limit included).
func (g *GitHub) Calls() int64 { return g.calls.Load() }

type countCalls struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

func (c countCalls) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.rt.RoundTrip(r)
}

// retryPolicy waits out GitHub's rate limits (Retry-After, or
// x-ratelimit-reset), as the notes' client does, and retries GitHub's
// transient 5xx with a doubling backoff.
func (o *options) retryPolicy(req *http.Request, attempt int, resp *http.Response, err error) (time.Duration, bool, error) {
	if err != nil {
		return 0, false, nil
	}
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if attempt > o.retries {
			return 0, false, nil
		}
		wait := o.backoff << (attempt - 1)
		o.Log.Warn("GitHub answered a server error: retrying", "status", resp.StatusCode, "wait", wait.String(), "method", req.Method, "path", req.URL.Path)
		return wait, true, nil
	}
	wait, limited := httpretry.GitHubRateLimit(resp, o.now())
	if !limited || attempt > o.retries {
		return 0, false, nil
	}
	if wait > o.maxWait {
		return 0, false, &httpretry.RateLimitError{Wait: wait, Reset: o.now().Add(wait)}
	}
	o.Log.Warn("GitHub rate limit: waiting", "wait", wait.String(), "method", req.Method, "path", req.URL.Path)
	return wait, true, nil
}

func (g *GitHub) path() string { return g.owner + "/" + g.name }

// Versions lists every version of the package, 100 a page.
func (g *GitHub) Versions(ctx context.Context) ([]Version, error) {
	if g.org.Load() == 0 {
		vs, err := g.list(ctx, true)
		if err == nil {
			g.org.Store(1)
			return vs, nil
		}
		if !IsNotFound(err) {
			return nil, err
		}
		g.o.Log.Debug("no organization package: trying the user's", "owner", g.owner)
		vs, err = g.list(ctx, false)
		if err != nil {
			return nil, err
		}
		g.org.Store(2)
		return vs, nil
	}
	return g.list(ctx, g.org.Load() == 1)
}

func (g *GitHub) list(ctx context.Context, org bool) ([]Version, error) {
	var out []Version
	opt := &github.PackageListOptions{ListOptions: github.ListOptions{PerPage: 100}}
	if org {
		opt.State = github.String("active")
	}
	for {
		var (
			page []*github.PackageVersion
			resp *github.Response
			err  error
		)
		if org {
			page, resp, err = g.c.Organizations.PackageGetAllVersions(ctx, g.owner, "container", g.name, opt)
		} else {
			page, resp, err = g.c.Users.PackageGetAllVersions(ctx, g.owner, "container", userPackage(g.name), opt)
		}
		if err != nil {
			return nil, g.apiError("listing the versions of", err)
		}
		for _, pv := range page {
			out = append(out, versionOf(pv))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// userPackage escapes a package name for go-github's Users methods, which
// (unlike the Organizations ones, in v62) put it in the path unescaped:
// "app/worker" must travel as app%2Fworker.
func userPackage(name string) string { return url.PathEscape(name) }

func versionOf(pv *github.PackageVersion) Version {
	v := Version{ID: pv.GetID(), Digest: pv.GetName(), Created: pv.GetCreatedAt().Time}
	if m := pv.GetMetadata(); m != nil && m.Container != nil {
		v.Tags = append([]string(nil), m.Container.Tags...)
	}
	return v
}

// Version reads one version back; ok is false for a user's package (the
// API offers no such read there). A version that is gone is an error for
// which IsNotFound reports true.
func (g *GitHub) Version(ctx context.Context, id int64) (Version, bool, error) {
	if g.org.Load() != 1 {
		return Version{}, false, nil
	}
	pv, _, err := g.c.Organizations.PackageGetVersion(ctx, g.owner, "container", g.name, id)
	if err != nil {
		return Version{}, true, g.apiError(fmt.Sprintf("reading version %d of", id), err)
	}
	return versionOf(pv), true, nil
}

// Delete deletes a version of the package.
func (g *GitHub) Delete(ctx context.Context, v Version) error {
	var err error
	switch g.org.Load() {
	case 1:
		_, err = g.c.Organizations.PackageDeleteVersion(ctx, g.owner, "container", g.name, v.ID)
	case 2:
		_, err = g.c.Users.PackageDeleteVersion(ctx, g.owner, "container", userPackage(g.name), v.ID)
	default:
		return errors.New("deleting a version before listing the package: its owner's type is not known")
	}
	if err != nil {
		return g.apiError(fmt.Sprintf("deleting version %d (%s) of", v.ID, short(v.Digest)), err)
	}
	return nil
}

// APIError is a refusal of the Packages API.
type APIError struct {
	// Doing says what was being done, with the package: "listing the
	// versions of acme/app".
	Doing  string
	Status int
	Err    error
}

func (e *APIError) Error() string {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Sprintf("%s: GitHub answered %d: the Packages API needs a classic personal access token with the delete:packages scope (and read:packages), or GITHUB_TOKEN when this repository has the Admin role on the package (package settings, Manage Actions access); a fine-grained token cannot delete package versions: %v", e.Doing, e.Status, e.Err)
	case http.StatusNotFound:
		return fmt.Sprintf("%s: not found (404): check the owner and package name, and that the token can read the package (read:packages): %v", e.Doing, e.Err)
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s: GitHub answered %d: %v", e.Doing, e.Status, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Doing, e.Err)
}

func (e *APIError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

func (g *GitHub) apiError(doing string, err error) error {
	var rl *httpretry.RateLimitError
	if errors.As(err, &rl) {
		return fmt.Errorf("%s %s: %w", doing, g.path(), err)
	}
	ae := &APIError{Doing: doing + " " + g.path(), Err: err}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		ae.Status = er.Response.StatusCode
		ae.Err = errors.New(er.Message)
	}
	return ae
}
