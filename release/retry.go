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
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/sonicsaas/sonic-release/internal/httpretry"
)

// newRetryTransport retries a request on 429 (waiting as long as
// Retry-After says, within the policy's cap), on 500/502/503/504 and on
// connection errors, with exponential backoff. A request whose body cannot
// be rewound (a streamed blob upload), and any request of a blob upload
// session, is sent once: ggcr retries the whole upload.
func newRetryTransport(inner http.RoundTripper, r Retry, log *slog.Logger) http.RoundTripper {
	return &httpretry.Transport{Base: inner, Retry: registryPolicy(r, log)}
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

// registryPolicy is the retry policy for registry requests.
func registryPolicy(r Retry, log *slog.Logger) httpretry.Policy {
	return func(req *http.Request, attempt int, resp *http.Response, err error) (time.Duration, bool, error) {
		rewindable := httpretry.Replayable(req)
		if (req.Method == http.MethodPut || req.Method == http.MethodPatch) && strings.Contains(req.URL.Path, "/blobs/uploads/") {
			// A blob upload session is not idempotent: a PUT that committed
			// the blob but lost its response cannot be sent again. ggcr
			// retries the whole upload, which starts by checking whether the
			// blob is there.
			rewindable = false
		}
		last := attempt >= r.Attempts || !rewindable
		switch {
		case err != nil:
			if !isTransient(err) || req.Context().Err() != nil {
				return 0, false, nil
			}
			if last {
				if !rewindable {
					return 0, false, nil // ggcr may retry the whole operation
				}
				return 0, false, &exhaustedError{attempt, err}
			}
			log.Debug("retrying after a connection error", "method", req.Method, "path", req.URL.Path, "attempt", attempt, "err", err)
			return r.backoff(attempt), true, nil
		case retryableStatus(resp.StatusCode) && !last:
			wait := r.backoff(attempt)
			if ra, ok := httpretry.RetryAfter(resp.Header, time.Now()); ok && ra > 0 {
				wait = min(ra, max(r.Max, wait))
			}
			log.Debug("retrying after a registry error", "method", req.Method, "path", req.URL.Path, "status", resp.StatusCode, "attempt", attempt, "wait", wait)
			return wait, true, nil
		}
		return 0, false, nil
	}
}

// backoff is the wait after a failed attempt: Base doubling up to Max,
// with ±10% jitter so racing clients spread out.
func (r Retry) backoff(attempt int) time.Duration {
	d := r.Base << (attempt - 1)
	if d > r.Max || d <= 0 {
		d = r.Max
	}
	if d > 0 {
		d += time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	}
	return d
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
