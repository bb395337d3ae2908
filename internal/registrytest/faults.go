package registrytest

import (
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Faults fails a share of the requests it sees, before they reach the
// registry (429 with Retry-After, 500, a reset connection) or after (the
// registry did the work but the client sees a 500 or a reset).
type Faults struct {
	mu         sync.Mutex
	rate       float64
	retryAfter string
	rng        *rand.Rand
	injected   int
	seen       int
}

// Set makes the injector fail share rate (0 to 1) of the requests, with
// Retry-After: retryAfter on its 429s ("" for none), drawing from seed.
func (f *Faults) Set(rate float64, retryAfter string, seed uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate, f.retryAfter = rate, retryAfter
	f.rng = rand.New(rand.NewPCG(seed, seed^0x5eed))
	f.injected, f.seen = 0, 0
}

// Injected returns how many requests were failed and how many were seen.
func (f *Faults) Injected() (failed, seen int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected, f.seen
}

const (
	faultNone = iota
	fault429
	fault500
	faultReset
	fault500After
	faultResetAfter
)

func (f *Faults) draw() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen++
	if f.rng == nil || f.rate <= 0 || f.rng.Float64() >= f.rate {
		return faultNone
	}
	f.injected++
	return 1 + f.rng.IntN(5)
}

// Wrap injects faults in front of h.
func (f *Faults) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch f.draw() {
		case fault429:
			f.mu.Lock()
			ra := f.retryAfter
			f.mu.Unlock()
			if ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}`, http.StatusTooManyRequests)
		case fault500:
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, "injected", http.StatusInternalServerError)
		case faultReset:
			reset(w)
		case fault500After:
			h.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "injected after the work was done", http.StatusInternalServerError)
		case faultResetAfter:
			h.ServeHTTP(httptest.NewRecorder(), r)
			reset(w)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// reset closes the client's connection with an RST.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("registrytest: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
