package provenance

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/option"
)

type config struct {
	option.Common
	remote []remote.Option
	// remoteFor adds options per registry (WithRegistryOptions).
	remoteFor func(ctx context.Context, reg name.Registry) ([]remote.Option, error)
	// GitHub's attestations API; empty repository: not submitted.
	apiURL, token, repository string
	ifAllowed                 bool
}

// Option configures Attest.
type Option func(*config) error

// WithRemoteOptions sets the registry options (authentication, transport).
// The default is anonymous access with the default transport.
func WithRemoteOptions(opts ...remote.Option) Option {
	return func(c *config) error {
		c.remote = append(c.remote, opts...)
		return nil
	}
}

// WithRegistryOptions adds, per registry, go-containerregistry options to
// those of WithRemoteOptions for every request to it: for example
// release.Registries.RemoteOptions, so that the provenance reuses the
// ping, token and connections of the rest of a release (and its signer)
// instead of a ping and a token exchange of its own per request. The
// default (and nil) adds none.
func WithRegistryOptions(f func(ctx context.Context, reg name.Registry) ([]remote.Option, error)) Option {
	return func(c *config) error { c.remoteFor = f; return nil }
}

// WithGitHubAttestations also stores the attestation through the
// attestations API of repository (owner/name) at apiURL
// (https://api.github.com, or a GitHub Enterprise Server's /api/v3/) with
// token, which needs `attestations: write`. The default stores it in the
// registry only.
func WithGitHubAttestations(apiURL, token, repository string) Option {
	return func(c *config) error {
		if _, _, err := splitRepo(repository); err != nil {
			return err
		}
		c.apiURL, c.token, c.repository = apiURL, token, repository
		return nil
	}
}

// WithGitHubAttestationsIfAllowed is WithGitHubAttestations for a job
// that may not have `attestations: write`: GitHub's refusal (403, 404) is
// logged and reported in Result.GitHubRefused, not returned; the
// attestation is in the registry either way.
func WithGitHubAttestationsIfAllowed(apiURL, token, repository string) Option {
	return func(c *config) error {
		if err := WithGitHubAttestations(apiURL, token, repository)(c); err != nil {
			return err
		}
		c.ifAllowed = true
		return nil
	}
}

// WithHTTPClient sets the HTTP client of the GitHub API. The default is
// http.DefaultClient.
func WithHTTPClient(h *http.Client) Option {
	return func(c *config) error { return c.SetHTTPClient(h) }
}

// WithLogger sets the logger. The default discards logs.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { return c.SetLogger(l) }
}

// remoteOpts are the registry options of a request to reg.
func (c *config) remoteOpts(ctx context.Context, reg name.Registry) ([]remote.Option, error) {
	opts := append(append([]remote.Option{}, c.remote...), remote.WithContext(ctx))
	if c.remoteFor == nil {
		return opts, nil
	}
	more, err := c.remoteFor(ctx, reg)
	if err != nil {
		return nil, err
	}
	return append(opts, more...), nil
}
