package release

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/option"
)

// Option configures BuildPlan and Apply.
type Option func(*options) error

type options struct {
	option.Common
	transport     http.RoundTripper
	keychain      authn.Keychain
	jobs          int
	retry         Retry
	signer        Signer
	step          func(string)
	allowRevision bool
	pageSize      int
	maxConverge   int
	registries    *Registries
}

func makeOptions(opts ...Option) (*options, error) {
	return option.Apply(&options{
		Common:      option.Defaults(),
		transport:   remote.DefaultTransport,
		keychain:    authn.NewMultiKeychain(), // anonymous
		jobs:        4,
		retry:       DefaultRetry(),
		pageSize:    1000,
		step:        func(string) {},
		maxConverge: 5,
	}, opts)
}

// WithTransport sets the HTTP transport under the retries and the
// registry authentication (tests pass a counting or fault-injecting one).
// The default is remote.DefaultTransport.
func WithTransport(rt http.RoundTripper) Option {
	return func(o *options) error {
		if rt == nil {
			return errors.New("transport must not be nil")
		}
		o.transport = rt
		return nil
	}
}

// WithKeychain sets where registry credentials come from.
// The default is anonymous access.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) error {
		if k == nil {
			return errors.New("keychain must not be nil")
		}
		o.keychain = k
		return nil
	}
}

// WithJobs bounds how many registry writes (and reads) run at once.
// The default is 4.
func WithJobs(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return errors.New("jobs must be greater than zero")
		}
		o.jobs = n
		return nil
	}
}

// Retry is the retry policy for 429 (honouring Retry-After), 5xx and
// connection resets: at most Attempts tries per request, waiting Base,
// 2×Base, 4×Base… capped at Max between tries.
type Retry struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// DefaultRetry is the default policy: 5 attempts, 200ms doubling up to
// 10s. It is a function so that no caller can change the default of others.
func DefaultRetry() Retry {
	return Retry{Attempts: 5, Base: 200 * time.Millisecond, Max: 10 * time.Second}
}

// WithRetry sets the retry policy. The default is DefaultRetry().
func WithRetry(r Retry) Option {
	return func(o *options) error {
		if r.Attempts < 1 || r.Base < 0 || r.Max < r.Base {
			return errors.New("retry needs attempts >= 1 and 0 <= base <= max")
		}
		o.retry = r
		return nil
	}
}

// WithStepHook has Apply call step as each of its later steps starts:
// "floating tags" (after the signatures) and "read-back" (the check of
// every written tag and the convergence with racing runs), for progress
// output. The default calls nothing.
func WithStepHook(step func(name string)) Option {
	return func(o *options) error {
		if step == nil {
			return errors.New("step hook must not be nil")
		}
		o.step = step
		return nil
	}
}

// WithLogger sets the logger for decisions (plan computed, tag written) and,
// at debug level, per-request detail. Credentials are never logged.
// The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { return o.SetLogger(l) }
}

// WithSigner sets the signing hook Apply calls once per digest and
// repository, after the exact tag and before any floating tag. A signer
// with a Ready() (string, error) method is asked before the first tag is
// written; an error stops Apply there. The default signs nothing.
func WithSigner(s Signer) Option {
	return func(o *options) error {
		o.signer = s
		return nil
	}
}

// WithAllowRevisionMismatch lets BuildPlan accept a source image whose
// org.opencontainers.image.revision differs from the event's commit.
// The default is false: such a release is refused.
func WithAllowRevisionMismatch(allow bool) Option {
	return func(o *options) error {
		o.allowRevision = allow
		return nil
	}
}

// WithPageSize sets how many tags one page of a tag listing asks for.
// The default is 1000.
func WithPageSize(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return errors.New("page size must be greater than zero")
		}
		o.pageSize = n
		return nil
	}
}

// remote returns the go-containerregistry options around tr, an
// authenticated transport (a *transport.Wrapper: ggcr adds no ping, auth or
// retry of its own) over this package's retrying transport, which honours
// Retry-After and rewinds request bodies. ggcr still retries whole blob
// uploads and manifest commits, whose session requests the transport does
// not retry, with the same bound.
func (o *options) remote(tr http.RoundTripper) []remote.Option {
	return []remote.Option{
		remote.WithTransport(tr),
		remote.WithJobs(o.jobs),
		remote.WithPageSize(o.pageSize),
		remote.WithRetryStatusCodes(),
		remote.WithRetryBackoff(remote.Backoff{Duration: o.retry.Base, Factor: 2, Jitter: 0.1, Steps: o.retry.Attempts, Cap: o.retry.Max}),
		remote.WithRetryPredicate(isTransient),
	}
}
