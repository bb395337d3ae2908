package httpretry_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/httpretry"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"0", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true}, // in the past: no wait
	} {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Retry-After", tt.header)
		}
		if got, ok := httpretry.RetryAfter(h, now); got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

// TestTransport sends a POST that fails twice: the body arrives whole each
// time, the waits the policy asked for are slept, the third answer returned.
func TestTransport(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != "payload" {
			t.Errorf("try %d got body %q", n.Load()+1, b)
		}
		if n.Add(1) < 3 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "done")
	}))
	defer srv.Close()
	var slept []time.Duration
	tr := &httpretry.Transport{
		Base: http.DefaultTransport,
		Retry: func(_ *http.Request, attempt int, resp *http.Response, err error) (time.Duration, bool, error) {
			if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt >= 5 {
				return 0, false, nil
			}
			wait, _ := httpretry.RetryAfter(resp.Header, time.Now())
			return wait, true, nil
		},
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader("payload"))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "done" || n.Load() != 3 || len(slept) != 2 || slept[0] != 2*time.Second {
		t.Errorf("body %q after %d tries, slept %v", b, n.Load(), slept)
	}

	// A policy's error ends the loop with it.
	stop := errors.New("give up")
	tr.Retry = func(*http.Request, int, *http.Response, error) (time.Duration, bool, error) { return 0, false, stop }
	if _, err := tr.RoundTrip(req); !errors.Is(err, stop) {
		t.Errorf("stop: err = %v", err)
	}
	// A body that cannot be replayed is not sent twice.
	tr.Retry = func(*http.Request, int, *http.Response, error) (time.Duration, bool, error) { return 0, true, nil }
	req2, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, io.NopCloser(strings.NewReader("payload")))
	if httpretry.Replayable(req2) {
		t.Error("a body without GetBody is replayable")
	}
	before := n.Load()
	if _, err := tr.RoundTrip(req2); !errors.Is(err, httpretry.ErrNotReplayable) || n.Load() != before+1 {
		t.Errorf("not replayable: err = %v after %d tries", err, n.Load()-before)
	}
}

func TestSleepCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := httpretry.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context = %v", err)
	}
	if err := httpretry.Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) on a cancelled context = %v", err)
	}
	if err := httpretry.Sleep(t.Context(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
}
