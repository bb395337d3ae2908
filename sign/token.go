package sign

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// TokenSource provides an OIDC identity token for Fulcio.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken is a token obtained elsewhere (given by the user, or read
// from a file).
type StaticToken string

// Token returns the token.
func (s StaticToken) Token(context.Context) (string, error) {
	if s == "" {
		return "", badInput(errors.New("the identity token is empty"))
	}
	return strings.TrimSpace(string(s)), nil
}

// CheckToken says, without using the token, whether it is there and
// reads as a JWT.
func (s StaticToken) CheckToken() (string, error) {
	if strings.TrimSpace(string(s)) == "" {
		return "", badInput(errors.New("the identity token is empty"))
	}
	sub, err := tokenSubject(strings.TrimSpace(string(s)))
	if err != nil {
		return "", badInput(fmt.Errorf("reading the identity token: %w", err))
	}
	return "identity token given (subject " + sub + ")", nil
}

// TokenChecker is a TokenSource that can tell, without fetching a token,
// whether it can give one, and describe it (Signer.Ready asks).
type TokenChecker interface {
	CheckToken() (string, error)
}

// ErrNoActionsToken says the GitHub Actions OIDC variables are missing.
var ErrNoActionsToken = errors.New("no GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set; " +
	"give the job the `id-token: write` permission (permissions: id-token: write) or sign with a key")

// ActionsToken fetches the GitHub Actions ID token from the runner, as the
// Actions toolkit does: GET RequestURL&audience=AUDIENCE with
// "Authorization: bearer RequestToken" returns {"value": "<jwt>"}.
// RequestURL and RequestToken are the runner's ACTIONS_ID_TOKEN_REQUEST_URL
// and ACTIONS_ID_TOKEN_REQUEST_TOKEN.
type ActionsToken struct {
	RequestURL   string
	RequestToken string
	Audience     string       // default "sigstore"
	Client       *http.Client // default http.DefaultClient
}

// CheckToken says whether the runner offers an ID token: both variables
// are set (the job has the `id-token: write` permission). It requests none.
func (a ActionsToken) CheckToken() (string, error) {
	if a.RequestURL == "" || a.RequestToken == "" {
		return "", ErrNoActionsToken
	}
	return "GitHub Actions OIDC token available", nil
}

// Token requests a fresh ID token.
func (a ActionsToken) Token(ctx context.Context) (string, error) {
	if a.RequestURL == "" || a.RequestToken == "" {
		return "", ErrNoActionsToken
	}
	u, err := url.Parse(a.RequestURL)
	if err != nil {
		return "", fmt.Errorf("parsing ACTIONS_ID_TOKEN_REQUEST_URL %q: %w", a.RequestURL, err)
	}
	q := u.Query()
	q.Set("audience", cmp.Or(a.Audience, "sigstore"))
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "bearer "+a.RequestToken)
	req.Header.Set("Accept", "application/json")
	resp, err := cmp.Or(a.Client, http.DefaultClient).Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting the GitHub Actions ID token: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("reading the GitHub Actions ID token: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("requesting the GitHub Actions ID token: %s: %s (does the job have `id-token: write`?)",
			resp.Status, strings.TrimSpace(string(body)))
	}
	var v struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Value == "" {
		return "", fmt.Errorf("the GitHub Actions ID token response has no value: %.200q", body)
	}
	return v.Value, nil
}
