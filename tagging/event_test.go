package tagging

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dispatchSHA = "ffeeddccbbaa99887766554433221100ffeeddcc"

// TestEventPayloads runs every payload under testdata: the real GitHub
// webhook examples (testdata/events, copied unchanged from
// @octokit/webhooks-examples 7.6.1) and hand-made ones for what they lack.
// Each must give the right tags or the right clear error.
func TestEventPayloads(t *testing.T) {
	t.Parallel()
	const pushSHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	release001 := "v0.0.1 v0.0 latest"
	want := map[string]struct {
		tags, skip, err string
		sha             string // GITHUB_SHA, for events whose payload has none
	}{
		"events/release.published.1.json":        {tags: release001},
		"events/release.published.2.json":        {tags: release001},
		"events/release.published.3.json":        {tags: release001},
		"events/release.created.1.json":          {tags: release001},
		"events/release.created.2.json":          {tags: release001},
		"events/release.created.3.json":          {tags: release001},
		"events/release.released.1.json":         {tags: release001},
		"events/release.edited.1.json":           {tags: release001},
		"events/release.edited.2.json":           {tags: release001},
		"events/release.prereleased.1.json":      {tags: "v0.0.1"},
		"events/release.prereleased.2.json":      {tags: "v0.0.1"},
		"events/push.tag.1.json":                 {err: `tag "simple-tag" is not a version`},
		"events/push.tag-deleted.1.json":         {err: `the push deletes "refs/tags/simple-tag"`},
		"events/push.tag-deleted.2.json":         {err: `the push deletes`},
		"events/push.tag-deleted.3.json":         {err: `the push deletes`},
		"events/push.tag-deleted.4.json":         {err: `the push deletes`},
		"events/push.branch.1.json":              {tags: "master master-" + pushSHA[:7]},
		"events/push.branch.2.json":              {tags: "master master-" + pushSHA[:7]},
		"events/create.tag.1.json":               {err: `tag "simple-tag" is not a version`},
		"events/create.tag.2.json":               {err: `tag "simple-tag" is not a version`},
		"events/create.tag.3.json":               {err: `tag "simple-tag" is not a version`},
		"events/create.tag.4.json":               {err: `tag "simple-tag" is not a version`},
		"events/create.tag.5.json":               {err: `tag "simple-tag" is not a version`},
		"events/workflow_dispatch.branch.1.json": {sha: dispatchSHA, tags: "main main-ffeeddc"},
		"events/workflow_dispatch.branch.2.json": {sha: dispatchSHA, tags: "master master-ffeeddc"},

		"handmade/release.draft.json":                              {err: `release "v1.4.0" is a draft`},
		"handmade/release.published.v-prefix.json":                 {tags: "v1.2.3 v1.2 v1 latest"},
		"handmade/release.prereleased.rc.json":                     {tags: "v1.3.0-rc.1"},
		"handmade/release.published.stable-marked-prerelease.json": {tags: "v2.0.0"},
		"handmade/release.published.build-metadata.json":           {err: "has build metadata"},
		"handmade/release.published.leading-zero.json":             {err: `tag "v1.02.3" is not a version`},
		"handmade/release.deleted.json":                            {err: "the release was deleted"},
		"handmade/push.tag.version.json":                           {tags: "v1.2.3 v1.2 v1 latest"},
		"handmade/push.branch.feature.json":                        {skip: `branch "feature/login" is not the default branch "master": no tags`},
		"handmade/push.branch.main-default.json":                   {tags: "main main-" + pushSHA[:7]},
		"handmade/create.tag.version.json":                         {tags: "v2.1.0 v2.1 v2 latest"},
		"handmade/malformed.json":                                  {err: "reading the event payload"},
		"handmade/pull_request.opened.json":                        {skip: "pull_request events are not released: no tags"},
	}
	files, _ := filepath.Glob("testdata/*/*.json")
	if len(files) != len(want) {
		t.Errorf("%d payload files, %d expectations: every payload needs one", len(files), len(want))
	}
	for _, f := range files {
		key := strings.TrimPrefix(filepath.ToSlash(f), "testdata/")
		w, ok := want[key]
		if !ok {
			t.Errorf("no expectation for %s", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			payload, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.SplitN(filepath.Base(f), ".", 2)[0]
			ev, err := ParseEvent(EventInput{Name: name, Payload: payload, SHA: w.sha})
			var res Result
			if err == nil {
				res, err = ev.Tags(nil, Policy{})
			}
			if w.err != "" {
				if err == nil || !strings.Contains(err.Error(), w.err) || !errors.Is(err, ErrBadInput) {
					t.Fatalf("err = %v, want one containing %q wrapping ErrBadInput", err, w.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := applied(res); got != w.tags {
				t.Errorf("tags = %q, want %q", got, w.tags)
			}
			if res.Skip != w.skip {
				t.Errorf("skip = %q, want %q", res.Skip, w.skip)
			}
		})
	}
}

func TestParseEventFromRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   EventInput
		tags string
		skip string
		err  string
	}{
		{name: "tag ref", in: EventInput{Ref: "refs/tags/v1.2.3"}, tags: "v1.2.3 v1.2 v1 latest"},
		{name: "tag ref prerelease flag", in: EventInput{Ref: "refs/tags/v1.2.3", Prerelease: true}, tags: "v1.2.3"},
		{name: "branch ref", in: EventInput{Ref: "refs/heads/master", SHA: dispatchSHA}, tags: "master master-ffeeddc"},
		{name: "branch ref main default", in: EventInput{Ref: "refs/heads/main", DefaultBranch: "main", SHA: dispatchSHA}, tags: "main main-ffeeddc"},
		{name: "branch without sha", in: EventInput{Ref: "refs/heads/master"}, err: "no commit id"},
		{name: "pull request ref", in: EventInput{Ref: "refs/pull/7/merge"}, skip: `"refs/pull/7/merge" is a pull request: no tags`},
		{name: "pull_request event", in: EventInput{Name: "pull_request", Ref: "refs/pull/7/merge"}, skip: "pull_request events are not released: no tags"},
		{name: "no ref", in: EventInput{}, err: "no ref to release"},
		{name: "short ref", in: EventInput{Ref: "v1.2.3"}, err: "is neither a tag nor a branch"},
		{name: "bad sha", in: EventInput{Ref: "refs/tags/v1.2.3", SHA: "xyz"}, err: "is not a commit id"},
		{name: "release event without payload uses ref", in: EventInput{Name: "release", Ref: "refs/tags/1.0.0"}, tags: "v1.0.0 v1.0 v1 latest"},
		{name: "release event without payload or ref", in: EventInput{Name: "release"}, err: "has no release"},
		{name: "schedule on default branch", in: EventInput{Name: "schedule", Ref: "refs/heads/master", SHA: dispatchSHA}, tags: "master master-ffeeddc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := ParseEvent(tt.in)
			var res Result
			if err == nil {
				res, err = ev.Tags(nil, Policy{})
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := applied(res); got != tt.tags {
				t.Errorf("tags = %q, want %q", got, tt.tags)
			}
			if res.Skip != tt.skip {
				t.Errorf("skip = %q, want %q", res.Skip, tt.skip)
			}
		})
	}
}

// TestMissingInput: an input that was not given is named, for the caller to
// say where to give it, and the error is bad input by BadInput and by
// ErrBadInput alike.
func TestMissingInput(t *testing.T) {
	t.Parallel()
	_, errRef := ParseEvent(EventInput{})
	ev, err := ParseEvent(EventInput{Ref: "refs/heads/master"})
	if err != nil {
		t.Fatal(err)
	}
	_, errSHA := ev.Tags(nil, Policy{})
	_, errBad := ParseEvent(EventInput{Ref: "v1.2.3"})
	for _, tt := range []struct {
		err     error
		missing string
	}{{errRef, MissingRef}, {errSHA, MissingSHA}, {errBad, ""}} {
		var ie *InputError
		if !errors.As(tt.err, &ie) || ie.Missing != tt.missing || !ie.BadInput() || !errors.Is(tt.err, ErrBadInput) {
			t.Errorf("%v: want an InputError missing %q", tt.err, tt.missing)
		}
		if strings.Contains(tt.err.Error(), "--") {
			t.Errorf("%v names a command-line flag", tt.err)
		}
	}
}
