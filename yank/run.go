package yank

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"golang.org/x/sync/errgroup"

	"github.com/sonicsaas/sonic-release/release"
)

// Verifier checks that a digest carries a signature of the configured
// signer (sign.Verify). Its errors that are refusals (Refused() true) make
// Run refuse.
type Verifier interface {
	Verify(ctx context.Context, d name.Digest) error
}

// Config is one yank or unyank in some repositories.
type Config struct {
	Request Request
	Repos   []name.Repository
	// Registry are the registry options (keychain, transport, jobs,
	// logger), as for release.BuildPlan.
	Registry []release.Option
	// Verifier checks every digest a floating tag moves to before
	// anything is written; nil checks nothing (unsigned releases).
	Verifier Verifier
	// DryRun reads, decides and verifies, and writes nothing.
	DryRun bool
}

// Result is what Run did (or, in a dry run, would do).
type Result struct {
	Plan Plan `json:"plan"`
	// Verified are the repository@digest references checked.
	Verified []string `json:"verified"`
	// Written are the tags written, repository:tag.
	Written []string `json:"written"`
}

// NotSignedError is a digest a floating tag would move to that does not
// verify: the yank is refused before anything is written.
type NotSignedError struct {
	Ref string
	Err error
}

func (e *NotSignedError) Error() string {
	return fmt.Sprintf("refusing to move floating tags to %s, which does not verify as signed by the configured signer (nothing was written): %v", e.Ref, e.Err)
}

func (e *NotSignedError) Unwrap() error { return e.Err }

// Refused reports a policy refusal when the verification refused (a
// signature missing or wrong), not when it could not run.
func (e *NotSignedError) Refused() bool {
	var r interface{ Refused() bool }
	return errors.As(e.Err, &r) && r.Refused()
}

// Run reads every repository (its tag listing, then the digests Wanted
// names), decides, verifies the digests floating tags would move to, and
// unless DryRun writes the markers, then the floating tags. It is
// idempotent: a finished yank re-run writes nothing, and an interrupted
// one is completed. The plan is returned even when a later step fails.
func Run(ctx context.Context, cfg Config) (Result, error) {
	res := Result{Verified: []string{}, Written: []string{}}
	if err := cfg.Request.check(); err != nil {
		return res, err
	}
	if len(cfg.Repos) == 0 {
		return res, fmt.Errorf("no repository given: give at least one repository such as ghcr.io/owner/app")
	}
	reg, err := release.NewRegistry(cfg.Repos, !cfg.DryRun, cfg.Registry...)
	if err != nil {
		return res, err
	}
	states := make([]State, len(cfg.Repos))
	g, gctx := errgroup.WithContext(ctx)
	for i, repo := range cfg.Repos {
		g.Go(func() error {
			tags, err := reg.Tags(gctx, repo)
			if err != nil {
				return err
			}
			d, err := reg.Digests(gctx, repo, Wanted(cfg.Request, tags))
			states[i] = State{Repository: repo.Name(), Tags: tags, Digests: d}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	if res.Plan, err = Decide(cfg.Request, states); err != nil {
		return res, err
	}
	if res.Verified, err = verify(ctx, cfg, res.Plan); err != nil {
		return res, err
	}
	if cfg.DryRun {
		return res, nil
	}
	var mu sync.Mutex
	written := func(s string) {
		mu.Lock()
		res.Written = append(res.Written, s)
		mu.Unlock()
	}
	// The markers first: from then on every release sees the state.
	g, gctx = errgroup.WithContext(ctx)
	for i, rp := range res.Plan.Repos {
		if rp.Marker == "" {
			continue
		}
		g.Go(func() error {
			if _, err := reg.PutArtifact(gctx, cfg.Repos[i], rp.Marker, rp.Manifest); err != nil {
				return err
			}
			written(rp.Repository + ":" + rp.Marker)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	g, gctx = errgroup.WithContext(ctx)
	for i, rp := range res.Plan.Repos {
		for _, tp := range rp.Tags {
			if !tp.Op.Writes() {
				continue
			}
			g.Go(func() error {
				if err := reg.Retag(gctx, cfg.Repos[i], tp.Tag, tp.To); err != nil {
					return err
				}
				written(rp.Repository + ":" + tp.Tag)
				return nil
			})
		}
	}
	err = g.Wait()
	slices.Sort(res.Written)
	return res, err
}

// verify checks every digest a floating tag moves to, once per
// repository and digest.
func verify(ctx context.Context, cfg Config, plan Plan) ([]string, error) {
	var refs []name.Digest
	seen := map[string]bool{}
	for i, rp := range plan.Repos {
		for _, tp := range rp.Tags {
			if !tp.Op.Writes() {
				continue
			}
			d := cfg.Repos[i].Digest(tp.To)
			if !seen[d.String()] {
				seen[d.String()] = true
				refs = append(refs, d)
			}
		}
	}
	out := []string{}
	if cfg.Verifier == nil {
		return out, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, d := range refs {
		g.Go(func() error {
			if err := cfg.Verifier.Verify(gctx, d); err != nil {
				return &NotSignedError{Ref: d.String(), Err: err}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	for _, d := range refs {
		out = append(out, d.String())
	}
	return out, nil
}
