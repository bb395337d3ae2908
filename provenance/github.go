package provenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/ghclient"
	"github.com/sonicsaas/sonic-release/internal/inputerr"
)

func splitRepo(full string) (string, string, error) {
	owner, repo, ok := strings.Cut(full, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", inputerr.Errorf("repository %q: expected OWNER/NAME, such as sonicsaas/app", full)
	}
	return owner, repo, nil
}

// client is GitHub's repository attestations API.
type client struct {
	gh          *github.Client
	owner, repo string
}

func newClient(c *config) (*client, error) {
	owner, repo, err := splitRepo(c.repository)
	if err != nil {
		return nil, err
	}
	gh, err := ghclient.New(c.HTTP, c.token, c.apiURL)
	if err != nil {
		return nil, err
	}
	return &client{gh: gh, owner: owner, repo: repo}, nil
}

// APIError is a refusal of GitHub's attestations API. A 403 or 404 is
// Refused: the token lacks `attestations: write` (or the repository's plan
// has no attestations).
type APIError struct {
	Status int
	Err    error
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("GitHub's attestations API: %v", e.Err)
	if e.Status == http.StatusForbidden || e.Status == http.StatusNotFound {
		msg += " (does the job have the `attestations: write` permission, and the repository artifact attestations?)"
	}
	return msg
}
func (e *APIError) Unwrap() error { return e.Err }

// Refused reports a permission refusal (403, 404).
func (e *APIError) Refused() bool {
	return e.Status == http.StatusForbidden || e.Status == http.StatusNotFound
}

func apiError(err error) error {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return &APIError{Status: er.Response.StatusCode, Err: err}
	}
	return &APIError{Err: err}
}

// create stores a sigstore bundle and returns the attestation's id:
// POST /repos/{owner}/{repo}/attestations, {"bundle": …}.
func (c *client) create(ctx context.Context, bundle []byte) (int64, error) {
	body := struct {
		Bundle json.RawMessage `json:"bundle"`
	}{bundle}
	req, err := c.gh.NewRequest(http.MethodPost, fmt.Sprintf("repos/%s/%s/attestations", url.PathEscape(c.owner), url.PathEscape(c.repo)), body)
	if err != nil {
		return 0, err
	}
	var out struct {
		ID int64 `json:"id"`
	}
	if _, err := c.gh.Do(ctx, req, &out); err != nil {
		return 0, apiError(err)
	}
	return out.ID, nil
}

// Attestation is one attestation GitHub stores for a digest.
type Attestation struct {
	Bundle       json.RawMessage `json:"bundle"`
	RepositoryID int64           `json:"repository_id"`
}

// list returns the attestations of a subject digest (sha256:…):
// GET /repos/{owner}/{repo}/attestations/{subject_digest}.
func (c *client) list(ctx context.Context, digest, predicateType string) ([]Attestation, error) {
	u := fmt.Sprintf("repos/%s/%s/attestations/%s?per_page=100", url.PathEscape(c.owner), url.PathEscape(c.repo), url.PathEscape(digest))
	if predicateType != "" {
		u += "&predicate_type=" + url.QueryEscape(predicateType)
	}
	req, err := c.gh.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Attestations []Attestation `json:"attestations"`
	}
	if _, err := c.gh.Do(ctx, req, &out); err != nil {
		var er *github.ErrorResponse
		if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
			return nil, nil
		}
		return nil, apiError(err)
	}
	return out.Attestations, nil
}

// List returns the attestations GitHub stores in repository for the
// subject digest (sha256:…), of predicateType when it is not empty, as
// `gh attestation verify` reads them.
func List(ctx context.Context, digest, predicateType string, opts ...Option) ([]Attestation, error) {
	c, err := makeConfig(opts)
	if err != nil {
		return nil, err
	}
	if c.repository == "" {
		return nil, inputerr.New(errors.New("listing attestations needs the GitHub repository (WithGitHubAttestations)"))
	}
	cl, err := newClient(c)
	if err != nil {
		return nil, err
	}
	return cl.list(ctx, digest, predicateType)
}
