package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// retryTransport retries a request on 429 (waiting as long as Retry-After
// says, within the policy's cap), on 500/502/503/504 and on connection
// errors, with exponential backoff. A request whose body cannot be rewound
// (a streamed blob upload), and any request of a blob upload session, is
// sent once: ggcr retries the whole upload.
type retryTransport struct {
	inner http.RoundTripper
	r     Retry
	log   *slog.Logger
}

func newRetryTransport(inner http.RoundTripper, r Retry, log *slog.Logger) http.RoundTripper {
	return &retryTransport{inner: inner, r: r, log: log}
}

// exhaustedError is a transient error that was already retried: ggcr must
// not retry it again.
type exhaustedError struct {
	attempts int
	err      error
}

func (e *exhaustedError) Error() string {
	return fmt.Sprintf("%v (after %d attempts)", e.err, e.attempts)
}
func (e *exhaustedError) Unwrap() error { return e.err }

func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if (req.Method == http.MethodPut || req.Method == http.MethodPatch) && strings.Contains(req.URL.Path, "/blobs/uploads/") {
		// A blob upload session is not idempotent: a PUT that committed
		// the blob but lost its response cannot be sent again. ggcr
		// retries the whole upload, which starts by checking whether the
		// blob is there.
		rewindable = false
	}
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := t.inner.RoundTrip(r)
		last := attempt >= t.r.Attempts || !rewindable
		switch {
		case err != nil:
			if !isTransient(err) || req.Context().Err() != nil {
				return nil, err
			}
			if last {
				if !rewindable {
					return nil, err // ggcr may retry the whole operation
				}
				return nil, &exhaustedError{attempt, err}
			}
			t.log.Debug("retrying after a connection error", "method", req.Method, "path", req.URL.Path, "attempt", attempt, "err", err)
		case retryableStatus(resp.StatusCode):
			if last {
				return resp, nil
			}
			wait := t.backoff(attempt)
			if ra := retryAfter(resp); ra > 0 {
				wait = min(ra, max(t.r.Max, wait))
			}
			t.log.Debug("retrying after a registry error", "method", req.Method, "path", req.URL.Path, "status", resp.StatusCode, "attempt", attempt, "wait", wait)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			if err := sleep(req.Context(), wait); err != nil {
				return nil, err
			}
			continue
		default:
			return resp, nil
		}
		if err := sleep(req.Context(), t.backoff(attempt)); err != nil {
			return nil, err
		}
	}
}

func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.r.Base << (attempt - 1)
	if d > t.r.Max || d <= 0 {
		d = t.r.Max
	}
	// ±10% jitter so racing clients spread out.
	if d > 0 {
		d += time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	}
	return d
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(resp *http.Response) time.Duration {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
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

// isTransient reports errors worth another try: connection resets,
// unexpected EOFs, temporary network errors, and registry errors that
// ggcr marks temporary. Errors this package already retried are not.
func isTransient(err error) bool {
	if err == nil {
		return false
	}
	var ex *exhaustedError
	if errors.As(err, &ex) {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		return terr.Temporary()
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return true
	}
	return false
}
