package ghclient_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/ghclient"
	"github.com/sonicsaas/sonic-release/internal/inputerr"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct{ api, base string }{
		{"", "https://api.github.com/"},
		{"https://api.github.com", "https://api.github.com/"},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/"},
		{"https://ghe.example.com", "https://ghe.example.com/api/v3/"},
	} {
		c, err := ghclient.New(nil, "", tc.api)
		if err != nil {
			t.Fatalf("New(%q): %v", tc.api, err)
		}
		if got := c.BaseURL.String(); got != tc.base {
			t.Errorf("New(%q).BaseURL = %q, want %q", tc.api, got, tc.base)
		}
	}
	_, err := ghclient.New(nil, "", "https://ghe.example.com/%zz")
	var bad *inputerr.Error
	if !errors.As(err, &bad) {
		t.Errorf("New with an unparsable URL: %v, want an input error", err)
	}
}

func TestWrapSendsTokenThroughTheWrapper(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"login":"octocat"}`))
	}))
	defer srv.Close()
	calls := 0
	hc := ghclient.Wrap(nil, func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			return base.RoundTrip(r)
		})
	})
	c, err := ghclient.New(hc, "T0KEN", srv.URL+"/api/v3/")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Users.Get(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer T0KEN" || calls != 1 {
		t.Errorf("Authorization %q after %d calls through the wrapper, want \"Bearer T0KEN\" after 1", auth, calls)
	}
	if http.DefaultClient.Transport != nil {
		t.Error("Wrap changed http.DefaultClient")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
