// Package ghclient builds the go-github client of every package that talks
// to the GitHub REST API (notes, prune, provenance): one place that knows
// how a token is sent and how a GitHub Enterprise Server API URL is read.
package ghclient

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
)

// PublicAPI is the REST API root of github.com.
const PublicAPI = "https://api.github.com"

// CheckAPIURL refuses an API root that is not an http or https URL,
// before any request: GITHUB_API_URL set to a host name alone, say.
func CheckAPIURL(u string) error {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return fmt.Errorf("api url %q: expected an http or https URL", u)
	}
	return nil
}

// New returns a go-github client sending requests through hc, with token
// as a bearer token when it is not empty, against apiURL: empty or
// https://api.github.com for github.com; any other URL is taken for GitHub
// Enterprise Server (GITHUB_API_URL, https://HOST/api/v3).
func New(hc *http.Client, token, apiURL string) (*github.Client, error) {
	c := github.NewClient(hc)
	if token != "" {
		c = c.WithAuthToken(token)
	}
	if apiURL != "" && strings.TrimSuffix(apiURL, "/") != PublicAPI {
		var err error
		if c, err = c.WithEnterpriseURLs(apiURL, apiURL); err != nil {
			return nil, inputerr.Errorf("GitHub API URL %q: %v", apiURL, err)
		}
	}
	return c, nil
}

// Wrap returns a copy of hc (http.DefaultClient when nil) whose transport
// (http.DefaultTransport when nil) is wrapped by wrap: for retries and
// counting, without changing the caller's client.
func Wrap(hc *http.Client, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = wrap(base)
	return &c
}
