package httpretry

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// GitHubRateLimit says whether resp is GitHub's rate-limit refusal and how
// long to wait before retrying: Retry-After (secondary limits), or
// x-ratelimit-reset when x-ratelimit-remaining is 0 (primary limit); a 429
// without either waits a minute.
func GitHubRateLimit(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	if wait, ok := RetryAfter(resp.Header, now); ok {
		return wait, true
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			// One second more: the reset time is rounded down to a second.
			return max(0, time.Unix(s, 0).Sub(now)) + time.Second, true
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return time.Minute, true
	}
	return 0, false
}

// RateLimitError is returned when GitHub's rate limit resets later than the
// longest wait allowed.
type RateLimitError struct {
	Wait  time.Duration
	Reset time.Time
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("GitHub rate limit exceeded: it resets in %s (at %s), longer than the allowed wait; run again later or raise the wait", e.Wait.Round(time.Second), e.Reset.UTC().Format(time.RFC3339))
}
