package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/inputerr"
	"github.com/sonicsaas/sonic-release/internal/inputfile"
	"github.com/sonicsaas/sonic-release/tagging"
)

// eventFlags are the flags that say what is released; they override the
// GitHub Actions environment. tags and release share them.
type eventFlags struct {
	ref           string
	sha           string
	eventName     string
	eventPath     string
	defaultBranch string
	prerelease    bool
	shaLength     int
	majorZero     bool
}

func (f *eventFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.ref, "ref", "", "the ref released, e.g. refs/tags/v1.2.3 or refs/heads/master (default $GITHUB_REF)")
	fs.StringVar(&f.sha, "sha", "", "the commit id released (default $GITHUB_SHA)")
	fs.StringVar(&f.eventName, "event-name", "", "the event that triggered the run: release, push, create, workflow_dispatch, pull_request, … (default $GITHUB_EVENT_NAME)")
	fs.StringVar(&f.eventPath, "event-path", "", "the event's webhook payload, a JSON file (default $GITHUB_EVENT_PATH)")
	fs.StringVar(&f.defaultBranch, "default-branch", "", "the default branch (default: the payload's repository.default_branch, else master)")
	fs.BoolVar(&f.prerelease, "prerelease", false, "treat the release as a pre-release: exact tag only")
	fs.IntVar(&f.shaLength, "sha-length", tagging.DefaultSHALength, "length of the short commit id in <branch>-<sha> tags, 7 to 40")
	fs.BoolVar(&f.majorZero, "major-zero", false, "also make the v0 tag for 0.y.z releases")
}

// resolve turns flags and the Actions environment into an event and a
// policy. Flags win over the environment; an explicit --ref without
// --event-name ignores the environment's event.
func (f *eventFlags) resolve(env actions.Env) (tagging.Event, tagging.Policy, error) {
	pol := tagging.Policy{MajorZero: f.majorZero, SHALength: f.shaLength}
	if f.shaLength < 7 || f.shaLength > 40 {
		return tagging.Event{}, pol, flagErrorf("--sha-length %d: expected 7 to 40", f.shaLength)
	}
	in := tagging.EventInput{
		Name:          f.eventName,
		Ref:           f.ref,
		SHA:           f.sha,
		DefaultBranch: f.defaultBranch,
		Prerelease:    f.prerelease,
	}
	path := f.eventPath
	fromEnv := f.ref == "" || f.eventName != "" || f.eventPath != ""
	if fromEnv {
		if in.Name == "" {
			in.Name = env.EventName
		}
		if path == "" {
			path = env.EventPath
		}
		if in.Ref == "" {
			in.Ref = env.Ref
		}
	}
	if in.SHA == "" {
		in.SHA = env.SHA
	}
	if path != "" {
		b, err := inputfile.Read(path)
		if err != nil {
			return tagging.Event{}, pol, fmt.Errorf("reading the event payload: %w (check --event-path or GITHUB_EVENT_PATH)", inputerr.New(err))
		}
		in.Payload = b
	}
	ev, err := tagging.ParseEvent(in)
	return ev, pol, err
}
