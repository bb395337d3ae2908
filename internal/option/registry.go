package option

import (
	"context"
	"errors"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry are the go-containerregistry options a library takes: fixed
// ones (WithRemoteOptions) and, per registry, those of a run's shared
// registry access (WithRegistryOptions: release.Registries.RemoteOptions).
type Registry struct {
	Fixed []remote.Option
	For   func(ctx context.Context, reg name.Registry) ([]remote.Option, error)
}

// SetFor sets For; nil is an error.
func (r *Registry) SetFor(f func(ctx context.Context, reg name.Registry) ([]remote.Option, error)) error {
	if f == nil {
		return errors.New("registry options must not be nil")
	}
	r.For = f
	return nil
}

// Options are the options of a request to reg with ctx: the fixed ones,
// ctx, then reg's. The slice is the caller's own (clipped): concurrent
// callers may append to their copies.
func (r Registry) Options(ctx context.Context, reg name.Registry) ([]remote.Option, error) {
	opts := append(append([]remote.Option{}, r.Fixed...), remote.WithContext(ctx))
	if r.For == nil {
		return opts, nil
	}
	more, err := r.For(ctx, reg)
	if err != nil {
		return nil, err
	}
	return slices.Clip(append(opts, more...)), nil
}
