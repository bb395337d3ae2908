package release

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRetryTransport: 429 honours Retry-After, 5xx is retried with the
// body resent, a blob upload session request is sent once, and attempts
// are bounded.
func TestRetryTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		path       string
		failures   int    // responses failed before success
		status     int    // the failure status
		retryAfter string // on failures
		attempts   int
		wantCalls  int
		wantStatus int
		minWait    time.Duration
	}{
		{"429 with Retry-After", "GET", "/v2/a/tags/list", 1, 429, "1", 3, 2, 200, time.Second},
		{"500 then success, body resent", "PUT", "/v2/a/manifests/v1", 2, 500, "", 3, 3, 200, 0},
		{"503 until attempts run out", "HEAD", "/v2/a/manifests/v1", 9, 503, "", 3, 3, 503, 0},
		{"upload session PUT sent once", "PUT", "/v2/a/blobs/uploads/123", 1, 500, "", 3, 1, 500, 0},
		{"404 is not retried", "GET", "/v2/a/manifests/v1", 1, 404, "", 3, 1, 404, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				if r.Method == "PUT" {
					var b bytes.Buffer
					_, _ = b.ReadFrom(r.Body)
					if b.String() != "manifest" {
						t.Errorf("call %d: body %q", n, b.String())
					}
				}
				if int(n) <= tt.failures {
					if tt.retryAfter != "" {
						w.Header().Set("Retry-After", tt.retryAfter)
					}
					w.WriteHeader(tt.status)
					return
				}
				w.WriteHeader(200)
			}))
			defer srv.Close()
			rt := newRetryTransport(http.DefaultTransport, Retry{Attempts: tt.attempts, Base: time.Millisecond, Max: 5 * time.Second}, discard())
			var body *strings.Reader
			if tt.method == "PUT" {
				body = strings.NewReader("manifest")
			}
			var req *http.Request
			if body != nil {
				req, _ = http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, body)
			} else {
				req, _ = http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, nil)
			}
			start := time.Now()
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || int(calls.Load()) != tt.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, calls.Load(), tt.wantStatus, tt.wantCalls)
			}
			if waited := time.Since(start); waited < tt.minWait {
				t.Errorf("waited %v, Retry-After asked for %v", waited, tt.minWait)
			}
		})
	}
}

func TestIsTransient(t *testing.T) {
	t.Parallel()
	if isTransient(&exhaustedError{3, errReset}) {
		t.Error("an exhausted error must not be retried again")
	}
	if !isTransient(errReset) {
		t.Error("a connection reset is transient")
	}
}
