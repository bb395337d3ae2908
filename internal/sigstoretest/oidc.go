// Package sigstoretest starts real Sigstore servers for tests, on
// 127.0.0.1 and ports chosen at run time: Fulcio (ephemeral CA, no CT log),
// the timestamp authority (memory signer), an in-memory OCI registry and a
// fake OIDC issuer that mints GitHub-Actions-shaped ID tokens. The server
// binaries are the pinned tools of scripts/tools.sh (testtool.Path).
package sigstoretest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Issuer is a fake OIDC issuer. Fulcio trusts it as a GitHub Actions
// issuer, so its tokens carry every claim Fulcio's github-workflow type
// requires.
type Issuer struct {
	URL string // the issuer (iss) URL
	// ActionsURL and ActionsRequestToken stand in for the runner's
	// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	ActionsURL          string
	ActionsRequestToken string

	key *rsa.PrivateKey

	mu     sync.Mutex
	claims map[string]string
}

// SetClaims overrides the default claims of every token minted from now on
// (for example {"ref": "refs/heads/main"}); nil restores the defaults. It
// is safe while the issuer serves tokens.
func (is *Issuer) SetClaims(c map[string]string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.claims = c
}

// NewIssuer starts a fake issuer for the test.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &Issuer{key: key, ActionsRequestToken: "fake-actions-request-token"}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	is.URL = srv.URL
	is.ActionsURL = srv.URL + "/gha?api-version=2.0"
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": is.URL, "jwks_uri": is.URL + "/.well-known/jwks",
			"authorization_endpoint": is.URL + "/authorize", "token_endpoint": is.URL + "/token",
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/.well-known/jwks", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	mux.HandleFunc("/gha", func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Authorization"), "bearer "+is.ActionsRequestToken) {
			http.Error(w, "bad bearer token", http.StatusUnauthorized)
			return
		}
		aud := r.URL.Query().Get("audience")
		writeJSON(w, map[string]string{"value": is.Token(map[string]string{"aud": aud})})
	})
	return is
}

// Identity is the certificate subject Fulcio issues for a token with the
// given ref (default refs/tags/v1.2.3).
func (is *Issuer) Identity(ref string) string {
	if ref == "" {
		ref = "refs/tags/v1.2.3"
	}
	return "https://github.com/acme/app/.github/workflows/release.yml@" + ref
}

// Token mints a GitHub Actions ID token: repository acme/app, workflow
// release.yml, ref refs/tags/v1.2.3, audience sigstore, unless the
// Issuer's claims (SetClaims) or over say otherwise.
func (is *Issuer) Token(over map[string]string) string {
	c := map[string]string{
		"aud": "sigstore", "ref": "refs/tags/v1.2.3", "repository": "acme/app",
		"sha": "0123456789abcdef0123456789abcdef01234567", "event_name": "push",
		"workflow": "Release", "workflow_file": "release.yml",
	}
	is.mu.Lock()
	set := is.claims
	is.mu.Unlock()
	for _, m := range []map[string]string{set, over} {
		for k, v := range m {
			if v != "" {
				c[k] = v
			}
		}
	}
	repo, ref := c["repository"], c["ref"]
	owner, _, _ := strings.Cut(repo, "/")
	wfRef := fmt.Sprintf("%s/.github/workflows/%s@%s", repo, c["workflow_file"], ref)
	refType := "branch"
	if strings.HasPrefix(ref, "refs/tags/") {
		refType = "tag"
	}
	now := time.Now()
	claims := map[string]any{
		"iss": is.URL, "aud": c["aud"], "sub": fmt.Sprintf("repo:%s:ref:%s", repo, ref),
		"iat": now.Unix(), "nbf": now.Add(-5 * time.Second).Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		"jti": fmt.Sprint(now.UnixNano()), "ref": ref, "ref_type": refType, "sha": c["sha"],
		"repository": repo, "repository_id": "123456789", "repository_owner": owner,
		"repository_owner_id": "987654321", "repository_visibility": "public",
		"run_id": "4242", "run_number": "7", "run_attempt": "1", "actor": owner, "actor_id": "987654321",
		"workflow": c["workflow"], "workflow_ref": wfRef, "workflow_sha": c["sha"],
		"job_workflow_ref": wfRef, "job_workflow_sha": c["sha"],
		"event_name": c["event_name"], "runner_environment": "github-hosted",
	}
	hb, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	cb, _ := json.Marshal(claims)
	in := b64(hb) + "." + b64(cb)
	h := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, is.key, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return in + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
