package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServerErrorsRedacted: a registry (or a proxy in front of it) that
// echoes the Authorization header, or any token, in its error body must
// not put a credential in the log: the CLI redacts what it prints on
// stderr (the error, its annotation, the logs).
func TestServerErrorsRedacted(t *testing.T) {
	t.Parallel()
	const (
		registryToken = "djE6YWNtZS9idWlsZDpwdWxs.registry-bearer-token"
		githubToken   = "ghs_0123456789abcdefghijABCDEFGHIJ012345"
		configured    = "configured-oidc-request-token"
	)
	var url string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch {
		case req.URL.Path == "/v2/" && req.Header.Get("Authorization") == "":
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="test"`, url))
			w.WriteHeader(http.StatusUnauthorized)
		case req.URL.Path == "/token":
			_ = json.NewEncoder(w).Encode(map[string]string{"token": registryToken})
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"errors":[{"code":"UNAUTHORIZED","message":"denied: Authorization: %s (proxy saw %s and %s)"}]}`,
				req.Header.Get("Authorization"), githubToken, configured)
		}
	}))
	t.Cleanup(s.Close)
	url = s.URL
	host := strings.TrimPrefix(s.URL, "http://")
	env := map[string]string{"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": configured}
	code, out, errs := runCLI(t, env, "--log-level", "debug", "release", "--dry-run", "--sign", "none",
		"--source", host+"/acme/build@"+digest, "--image", host+"/acme/app", "--ref", "refs/tags/v1.0.0", "--sha", releaseSHA)
	if code != exitFailure || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errs, "denied: Authorization: Bearer ***") || !strings.Contains(errs, "::error title=sonic-release::") {
		t.Errorf("stderr lacks the redacted error or its annotation:\n%s", errs)
	}
	for _, secret := range []string{registryToken, githubToken, configured} {
		if strings.Contains(errs, secret) {
			t.Errorf("stderr holds %q:\n%s", secret, errs)
		}
	}
}
