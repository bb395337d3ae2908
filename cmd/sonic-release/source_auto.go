package main

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

// releaseSource reads --source. "auto" promotes the tested image of a
// version, in the first --image (release.Promote): what the push of the
// tag's commit built and tagged.
func releaseSource(ctx context.Context, a *app, spec string, targets []name.Repository, ev tagging.Event, pol tagging.Policy, opts ...release.Option) (release.Source, error) {
	if spec != release.AutoSourceName {
		return release.ParseSource(spec)
	}
	switch ev.Kind {
	case tagging.EventNone:
		return release.AutoSource(), nil // nothing is released
	case tagging.EventBranch:
		return nil, flagErrorf("--source auto promotes the tested image of a version (a tag push or a release): the push to %s releases the image its build pushed; give it as --source IMAGE@sha256:…", ev.Branch)
	}
	p, err := release.Promote(ctx, targets[0], ev, pol, opts...)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(a.io.Err, "source auto: promoting %s (%s), built from commit %s\n", p.Tag, p.Digest, p.Revision)
	return p.Source, nil
}

// draftRelease reads --draft-release: auto makes the release a draft when
// a tag push (or another event than a release's) triggered the run.
func draftRelease(flag string, ev tagging.Event) (bool, error) {
	switch flag {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "auto":
		return ev.Name == "push" || ev.Name == "create" || ev.Name == "workflow_dispatch", nil
	}
	return false, flagErrorf("--draft-release %q: expected auto, true or false", flag)
}
