// Package httpretry is the one HTTP retry loop of sonic-release: a
// transport that sends a request again while a policy says so, waiting
// between tries with the request's context, replaying the request body,
// and reading Retry-After. The policies differ (release retries registry
// 429/5xx and connection resets with backoff; notes waits out GitHub's
// rate limits); the mechanics are here once.
package httpretry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Policy decides after each try (attempt counts from 1) whether to send
// req again and after how long. resp and err are what the try returned.
// A non-nil error ends the loop with that error (the response, if any, is
// discarded); retry false returns resp and err to the caller as they are.
type Policy func(req *http.Request, attempt int, resp *http.Response, err error) (wait time.Duration, retry bool, stop error)

// Transport sends requests through Base and again while Retry says so.
type Transport struct {
	Base  http.RoundTripper
	Retry Policy
	// Sleep waits between tries; the default is Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	sleep := t.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			var err error
			if r, err = Replay(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.Base.RoundTrip(r)
		wait, retry, stop := t.Retry(req, attempt, resp, err)
		if stop != nil {
			Discard(resp)
			return nil, stop
		}
		if !retry {
			return resp, err
		}
		Discard(resp)
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// ErrNotReplayable is returned when a request must be sent again but its
// body cannot be read a second time (no GetBody).
var ErrNotReplayable = errors.New("the request cannot be sent again: its body cannot be replayed")

// Replayable reports whether req can be sent again: it has no body, or
// GetBody gives a fresh copy.
func Replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// Replay returns req ready to be sent again: req itself when it has no
// body, else a clone with a fresh body.
func Replay(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, ErrNotReplayable
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}

// Discard reads what is left of a response body (up to 64 KiB, so that
// the connection can be reused) and closes it. A nil response is ignored.
func Discard(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// RetryAfter reads the Retry-After header: a number of seconds or an HTTP
// date (a wait from now, never negative). ok is false when the header is
// absent or unreadable.
func RetryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// Sleep waits d, or returns ctx's error when ctx ends first (at once when
// d <= 0 and ctx has ended).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
