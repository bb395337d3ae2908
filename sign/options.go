package sign

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
	"github.com/sonicsaas/sonic-release/internal/option"
)

// config holds the settings of a Signer and of Verify. Options that only
// make sense for one of them are ignored by the other.
type config struct {
	// signing
	key         []byte
	password    func() ([]byte, error)
	tokens      TokenSource
	fulcioURL   string
	tsaURL      string
	rekorURL    string
	annotations map[string]string
	format      Format // sign and verify: FormatLegacy, FormatBundle, …; see format.go
	rekorV2     bool   // rekorURL is a Rekor v2 log; see rekorv2.go

	// verifying
	publicKey  []byte
	identities []Identity
	workflow   GitHubWorkflow
	ignoreTlog bool
	ignoreSCT  bool

	// both
	option.Common
	jobs      int
	trusted   root.TrustedMaterial
	reg       option.Registry // WithRemoteOptions, WithRegistryOptions
	transport func(context.Context, name.Registry) (http.RoundTripper, error)
	known     func(name.Digest) ([]byte, types.MediaType, bool)
	bgChecks  bool
}

// Option configures New and Verify.
type Option func(*config) error

func makeConfig(opts []Option) (*config, error) {
	return option.Apply(&config{Common: option.Defaults(), jobs: 4}, opts)
}

// WithKey signs with a cosign private key: the PEM of an encrypted key as
// written by `cosign generate-key-pair` ("ENCRYPTED SIGSTORE PRIVATE KEY"
// or "ENCRYPTED COSIGN PRIVATE KEY"), and a function that returns its
// password (COSIGN_PASSWORD in the CLI; it may return an empty password).
// The default is keyless signing (WithKeyless).
func WithKey(pemKey []byte, password func() ([]byte, error)) Option {
	return func(c *config) error {
		if len(pemKey) == 0 {
			return badInput(errors.New("the private key is empty"))
		}
		if password == nil {
			password = func() ([]byte, error) { return nil, nil }
		}
		c.key, c.password = pemKey, password
		return nil
	}
}

// WithKeyless signs keyless: tokens provides the OIDC identity token
// (audience "sigstore") that Fulcio at fulcioURL exchanges for a signing
// certificate. Keyless signing also needs WithTimestampAuthority and
// WithTrustedMaterial. There is no default.
func WithKeyless(tokens TokenSource, fulcioURL string) Option {
	return func(c *config) error {
		if tokens == nil || fulcioURL == "" {
			return badInput(errors.New("keyless signing needs a token source and a Fulcio URL"))
		}
		c.tokens, c.fulcioURL = tokens, fulcioURL
		return nil
	}
}

// WithTimestampAuthority adds an RFC 3161 timestamp from the timestamp
// authority at url (for example https://timestamp.sigstore.dev/api/v1/timestamp)
// to every signature. The default is no timestamp. Keyless signing needs a
// timestamp or a transparency-log entry (WithRekor): without either the
// signature stops verifying once its 10-minute certificate expires.
func WithTimestampAuthority(url string) Option {
	return func(c *config) error {
		c.tsaURL = url
		return nil
	}
}

// WithTrustedMaterial sets the Sigstore trust material (Fulcio CAs,
// timestamp authorities, transparency and CT log keys), for example from
// root.NewTrustedRootFromPath("trusted_root.json"). Keyless signing checks
// its own signature against it before pushing; verification of keyless
// signatures and timestamps needs it. There is no default: nothing is
// fetched from the public TUF repository.
func WithTrustedMaterial(tm root.TrustedMaterial) Option {
	return func(c *config) error {
		c.trusted = tm
		return nil
	}
}

// The annotation keys sonic-release writes on every signature; check them
// with `cosign verify -a version=1.2.3`.
const (
	AnnotationVersion     = "version"      // the release version, 1.2.3
	AnnotationCommit      = "commit"       // the git commit SHA
	AnnotationRepository  = "repository"   // the GitHub repository, owner/name
	AnnotationWorkflowRef = "workflow-ref" // GITHUB_WORKFLOW_REF

	// The migration verdict of a release (sonic-release release, when the
	// migrations are analysed), so that `cosign verify -a
	// dev.sonicsaas.release/migrations=compatible` or a policy engine can
	// gate a deployment on it. See docs/sign.md.
	AnnotationMigrations         = "dev.sonicsaas.release/migrations"          // breaking, review, compatible, none or unknown
	AnnotationMigrationsPrevious = "dev.sonicsaas.release/migrations-previous" // the release the verdict is relative to
	AnnotationMigrationsBreaking = "dev.sonicsaas.release/migrations-breaking" // the breaking migrations, comma-separated, when short
)

// WithAnnotations adds annotations to the signed payload (cosign's
// "optional" section, what `cosign sign -a k=v` writes and
// `cosign verify -a k=v` checks): for example version, git commit,
// repository and workflow ref. Verify requires every given annotation on
// the signature. The default is none.
func WithAnnotations(a map[string]string) Option {
	return func(c *config) error {
		if c.annotations == nil {
			c.annotations = map[string]string{}
		}
		for k, v := range a {
			if k == "" {
				return badInput(errors.New("an annotation has an empty key"))
			}
			c.annotations[k] = v
		}
		return nil
	}
}

// WithPublicKey verifies against a cosign public key (PEM, as in
// cosign.pub). Verify needs WithPublicKey or WithIdentity.
func WithPublicKey(pemKey []byte) Option {
	return func(c *config) error {
		c.publicKey = pemKey
		return nil
	}
}

// Identity is the keyless signer a signature must come from: the
// certificate's subject (SAN, for GitHub Actions
// https://github.com/OWNER/REPO/.github/workflows/FILE@REF) and the OIDC
// issuer (https://token.actions.githubusercontent.com), each exact or as a
// regular expression.
type Identity struct {
	Subject, SubjectRegexp string
	Issuer, IssuerRegexp   string
}

// WithIdentity accepts keyless signatures from id; given several times,
// any of them is accepted. There is no default.
func WithIdentity(id Identity) Option {
	return func(c *config) error {
		if id.Subject == "" && id.SubjectRegexp == "" {
			return badInput(errors.New("a certificate identity needs a subject or a subject regexp"))
		}
		if id.Issuer == "" && id.IssuerRegexp == "" {
			return badInput(errors.New("a certificate identity needs an OIDC issuer or an issuer regexp"))
		}
		c.identities = append(c.identities, id)
		return nil
	}
}

// GitHubWorkflow are the GitHub Actions claims a keyless certificate must
// carry (Fulcio's GitHub extensions); empty fields are not checked.
type GitHubWorkflow struct {
	Repository string // owner/name
	Ref        string // refs/tags/v1.2.3
	Trigger    string // event name: push, release, …
	SHA        string // commit
	Name       string // workflow name
}

// WithGitHubWorkflow requires the certificate's GitHub workflow claims.
// The default checks none.
func WithGitHubWorkflow(w GitHubWorkflow) Option {
	return func(c *config) error {
		c.workflow = w
		return nil
	}
}

// WithRekor uploads every signature to the Rekor v1 transparency log at
// url (https://rekor.sigstore.dev for the public-good instance) and
// attaches the entry to the signature (cosign's bundle), as
// `cosign sign` v2 does by default. The default uploads nothing.
func WithRekor(url string) Option {
	return func(c *config) error {
		c.rekorURL = url
		return nil
	}
}

// WithRequireTransparencyLog makes Verify require, on every signature, a
// Rekor entry whose signed entry timestamp verifies offline against the
// transparency-log keys of the trusted material (like `cosign verify`
// without --insecure-ignore-tlog). The default is true.
func WithRequireTransparencyLog(required bool) Option {
	return func(c *config) error {
		c.ignoreTlog = !required
		return nil
	}
}

// WithIgnoreSCT skips the check of the certificate transparency (CT)
// timestamp embedded in Fulcio certificates, for private Fulcio instances
// that run without a CT log (`cosign verify --insecure-ignore-sct`).
// The default checks it against the CT log keys of the trusted material.
func WithIgnoreSCT(ignore bool) Option {
	return func(c *config) error {
		c.ignoreSCT = ignore
		return nil
	}
}

// WithRemoteOptions sets the registry options (authentication, transport,
// context, …). The default is anonymous access with the default transport.
func WithRemoteOptions(opts ...remote.Option) Option {
	return func(c *config) error {
		c.reg.Fixed = append(c.reg.Fixed, opts...)
		return nil
	}
}

// WithRegistryOptions adds, per registry, go-containerregistry options to
// those of WithRemoteOptions for every request to it: for example
// release.Registries.RemoteOptions, so that signing reuses the ping, token
// and connections of the rest of a release instead of its own. The
// default adds none. Give WithRegistryTransport with it: a remote.Reuse'd
// Puller keeps its own referrers tag fallback, so without a transport of
// our own the referrers API cannot be told from the fallback tag.
func WithRegistryOptions(f func(ctx context.Context, reg name.Registry) ([]remote.Option, error)) Option {
	return func(c *config) error {
		return c.reg.SetFor(f)
	}
}

// WithRegistryTransport gives, per registry, an authenticated transport
// (its ping and token done, such as release.Registries.Transport) that
// Sign uses to upload a signature's blobs in one request each (a
// monolithic upload, or two: POST then PUT) instead of
// go-containerregistry's four (HEAD, POST, PATCH, PUT). The default uses
// go-containerregistry's upload.
func WithRegistryTransport(f func(ctx context.Context, reg name.Registry) (http.RoundTripper, error)) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("registry transport must not be nil")
		}
		c.transport = f
		return nil
	}
}

// WithKnownManifests gives Sign the manifests the caller already holds
// (such as release.Registries.KnownManifest: what the release read from
// the source or wrote to the targets), by digest: the manifest to sign,
// and for an index the descriptors of its platform images, are taken
// from there instead of being fetched again. A manifest is used only
// when its bytes hash to the digest asked for; otherwise, and for an
// unknown digest, Sign fetches it. The default fetches every manifest.
func WithKnownManifests(f func(name.Digest) (raw []byte, mediaType types.MediaType, ok bool)) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("known manifests must not be nil")
		}
		c.known = f
		return nil
	}
}

// WithBackgroundChecks lets Sign return, in the format both, before the
// check that each bundle it pushed stays listed in the referrers
// fallback tag (a concurrent writer may drop it; the check waits about
// as long as the push took, at least 100 ms, reads the index again and
// adds the entry back): the manifest is signed by its legacy signature
// already, which every verifier reads. The caller must call
// Signer.Settle, which waits for those checks and returns their errors,
// before it reports success: a release moves its floating tags
// meanwhile. In the formats legacy and bundle Sign always waits. A check
// is not cancelled with Sign's context (the caller's errgroup ends it as
// soon as Sign returns); it ends on its own, after at most
// fallbackRounds waits of at most 5 s each, usually one of about 100 ms.
func WithBackgroundChecks() Option {
	return func(c *config) error {
		c.bgChecks = true
		return nil
	}
}

// WithJobs bounds how many manifests one Sign call signs at once (an
// index and its platform images). The default is 4.
func WithJobs(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return badInput(errors.New("jobs must be greater than zero"))
		}
		c.jobs = n
		return nil
	}
}

// WithHTTPClient sets the HTTP client for the timestamp authority (Fulcio
// and Rekor use their own clients; ActionsToken has its own Client).
// The default is http.DefaultClient.
func WithHTTPClient(h *http.Client) Option {
	return func(c *config) error { return c.SetHTTPClient(h) }
}

// WithLogger sets the logger. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { return c.SetLogger(l) }
}

// remoteOpts are the registry options with ctx.
func (c *config) remoteOpts(ctx context.Context) []remote.Option {
	return append(append([]remote.Option{}, c.reg.Fixed...), remote.WithContext(ctx))
}

// registryTransport is WithRegistryTransport's transport to reg, or nil
// without one.
func (c *config) registryTransport(ctx context.Context, reg name.Registry) (http.RoundTripper, error) {
	if c.transport == nil {
		return nil, nil
	}
	return c.transport(ctx, reg)
}

// registryOpts are the registry options for requests to reg, with ctx
// (clipped: concurrent signatures append to their own copy).
func (c *config) registryOpts(ctx context.Context, reg name.Registry) ([]remote.Option, error) {
	return c.reg.Options(ctx, reg)
}

// badInput marks unusable input (exit 2 in the CLI).
func badInput(err error) error { return inputerr.New(err) }

// TrustError is a verification that needs trusted material (a Sigstore
// trusted root, WithTrustedMaterial) that was not given. BadInput reports
// true.
type TrustError struct {
	// TransparencyLog is true when the material is needed to check Rekor
	// entries (WithRequireTransparencyLog(true), the default), false when
	// it is needed for keyless certificates.
	TransparencyLog bool
}

func (e *TrustError) Error() string {
	if e.TransparencyLog {
		return "checking the Rekor transparency-log entry needs trusted material with the log's key; signatures made without Rekor can be verified without requiring the log"
	}
	return "keyless verification needs trusted material (a trusted root with the Fulcio CA)"
}

// BadInput marks the missing trusted material as unusable input.
func (e *TrustError) BadInput() bool { return true }

// VerifyError is a failed verification: no signature, none from an
// accepted signer, a tampered or mismatched one. Refused reports true (the
// CLI exits 3).
type VerifyError struct {
	Ref    string // the manifest that failed, by digest
	Reason error
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("verifying %s: %v", e.Ref, e.Reason)
}
func (e *VerifyError) Unwrap() error { return e.Reason }

// Refused reports that verification refused the image.
func (e *VerifyError) Refused() bool { return true }
