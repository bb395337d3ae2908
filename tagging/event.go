package tagging

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// EventInput is the raw description of what triggered a run: in GitHub
// Actions the variables GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_SHA and the
// payload at GITHUB_EVENT_PATH; on a laptop, flags.
type EventInput struct {
	// Name is the event name (release, push, create, workflow_dispatch,
	// pull_request, …). Empty means "no event": the ref decides.
	Name string
	// Payload is the webhook payload of the event; may be nil.
	Payload []byte
	// Ref is the full ref (refs/tags/v1.2.3, refs/heads/master). When set it
	// decides what is released; the payload supplies the rest.
	Ref string
	// SHA is the commit id; for a push the payload's "after" is the fallback.
	SHA string
	// DefaultBranch overrides the payload's repository.default_branch.
	// Without either, it is "master".
	DefaultBranch string
	// Prerelease marks the release as a pre-release whatever its version.
	Prerelease bool
}

// EventKind says what an event releases.
type EventKind string

// The kinds of event.
const (
	EventRelease EventKind = "release" // a version: a release, a tag push
	EventBranch  EventKind = "branch"  // a push (or dispatch) on a branch
	EventNone    EventKind = "none"    // nothing to tag: pull requests and the like
)

// Event is what a run releases, resolved from an EventInput.
type Event struct {
	Kind    EventKind `json:"kind"`
	Name    string    `json:"event,omitempty"`
	Version Version   `json:"-"`
	// Tag is the git tag of a release as the repository spells it
	// ("1.2.3" or "v1.2.3"): git and GitHub look it up by this name, while
	// registry tags always carry the v (Version.String()).
	Tag           string `json:"tag,omitempty"`
	Prerelease    bool   `json:"prerelease,omitempty"`
	Branch        string `json:"branch,omitempty"`
	DefaultBranch string `json:"default_branch,omitempty"`
	SHA           string `json:"sha,omitempty"`
	// Repository is owner/name from the payload, when it has one.
	Repository string `json:"repository,omitempty"`
	// Repo is what the payload's repository object says of the
	// repository, for the image labels (Metadata).
	Repo Repository `json:"-"`
	// CommitTime is the time of commit SHA as the payload gives it (a
	// push's head_commit or commits), zero when it does not.
	CommitTime time.Time `json:"-"`
	// Skip says why there is nothing to tag (Kind == EventNone).
	Skip string `json:"skip,omitempty"`
}

// payload holds the fields of GitHub's webhook payloads that matter here.
type payload struct {
	Action  string `json:"action"`
	Ref     string `json:"ref"`
	RefType string `json:"ref_type"`
	After   string `json:"after"`
	Deleted bool   `json:"deleted"`
	Release *struct {
		TagName    string `json:"tag_name"`
		Draft      bool   `json:"draft"`
		Prerelease bool   `json:"prerelease"`
	} `json:"release"`
	Repository *struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
		Name          string `json:"name"`
		Description   string `json:"description"`
		HTMLURL       string `json:"html_url"`
		License       *struct {
			SPDXID string `json:"spdx_id"`
		} `json:"license"`
	} `json:"repository"`
	MasterBranch string          `json:"master_branch"`
	HeadCommit   *payloadCommit  `json:"head_commit"`
	Commits      []payloadCommit `json:"commits"`
}

// payloadCommit is a commit of a push payload.
type payloadCommit struct {
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
}

// commitTime is the time of commit sha in a push payload: the commit of
// that id in commits, else head_commit when it is that commit (as
// docker/metadata-action reads it). Zero when the payload does not say or
// the time is not RFC 3339.
func (p payload) commitTime(sha string) time.Time {
	if sha == "" {
		return time.Time{}
	}
	cs := p.Commits
	if p.HeadCommit != nil {
		cs = append(cs[:len(cs):len(cs)], *p.HeadCommit)
	}
	for _, c := range cs {
		if strings.EqualFold(c.ID, sha) {
			if t, err := time.Parse(time.RFC3339, c.Timestamp); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// ParseEvent resolves what an event releases. Errors wrap ErrBadInput.
func ParseEvent(in EventInput) (Event, error) {
	var p payload
	if len(in.Payload) > 0 {
		if err := json.Unmarshal(in.Payload, &p); err != nil {
			return Event{}, badInput("expected the JSON webhook payload of a GitHub event", "reading the event payload: %v", err)
		}
	}
	ev := Event{Name: in.Name, Prerelease: in.Prerelease, DefaultBranch: in.DefaultBranch}
	if p.Repository != nil {
		ev.Repository = p.Repository.FullName
		ev.Repo = Repository{FullName: p.Repository.FullName, Name: p.Repository.Name, Description: p.Repository.Description, URL: p.Repository.HTMLURL}
		if p.Repository.License != nil {
			ev.Repo.License = p.Repository.License.SPDXID
		}
		if ev.DefaultBranch == "" {
			ev.DefaultBranch = p.Repository.DefaultBranch
		}
	}
	if ev.DefaultBranch == "" {
		ev.DefaultBranch = p.MasterBranch // create events carry it
	}
	if ev.DefaultBranch == "" {
		ev.DefaultBranch = "master"
	}
	ev.SHA = in.SHA
	if ev.SHA == "" && strings.Trim(p.After, "0") != "" {
		ev.SHA = p.After
	}
	if ev.SHA != "" {
		s, err := ParseSHA(ev.SHA)
		if err != nil {
			return Event{}, err
		}
		ev.SHA = s
		ev.CommitTime = p.commitTime(s)
	}

	switch in.Name {
	case "pull_request", "pull_request_target", "pull_request_review", "merge_group":
		ev.Kind, ev.Skip = EventNone, fmt.Sprintf("%s events are not released: no tags", in.Name)
		return ev, nil
	case "release":
		if p.Release == nil && in.Ref == "" {
			return Event{}, badInput("expected a release event payload with a \"release\" object", "the release event payload has no release")
		}
		switch p.Action {
		case "deleted", "unpublished":
			return Event{}, badInput("run on release events of type published, released or prereleased", "the release was %s: nothing to release", p.Action)
		}
		if p.Release != nil {
			if p.Release.Draft {
				return Event{}, badInput("publish the release first (drafts have no tag yet), or run on release: published", "release %q is a draft", p.Release.TagName)
			}
			ev.Prerelease = ev.Prerelease || p.Release.Prerelease
			if in.Ref == "" {
				return releaseOf(ev, p.Release.TagName)
			}
		}
	case "push":
		if p.Deleted {
			return Event{}, badInput("nothing is released when a ref is deleted; run on tag or branch creation", "the push deletes %q", cmp.Or(in.Ref, p.Ref))
		}
	case "create":
		if in.Ref == "" && p.Ref != "" {
			// create events carry the short name with ref_type.
			switch p.RefType {
			case "tag":
				return releaseOf(ev, p.Ref)
			case "branch":
				return branchOf(ev, p.Ref)
			}
		}
	}

	ref := cmp.Or(in.Ref, p.Ref)
	switch {
	case strings.HasPrefix(ref, "refs/tags/"):
		return releaseOf(ev, strings.TrimPrefix(ref, "refs/tags/"))
	case strings.HasPrefix(ref, "refs/heads/"):
		return branchOf(ev, strings.TrimPrefix(ref, "refs/heads/"))
	case strings.HasPrefix(ref, "refs/pull/"):
		ev.Kind, ev.Skip = EventNone, fmt.Sprintf("%q is a pull request: no tags", ref)
		return ev, nil
	case ref == "":
		return Event{}, &InputError{What: "no ref to release", Expect: "give a ref such as refs/tags/v1.2.3 or refs/heads/master", Missing: MissingRef}
	default:
		return Event{}, badInput("expected a full ref such as refs/tags/v1.2.3 or refs/heads/master", "ref %q is neither a tag nor a branch", ref)
	}
}

func releaseOf(ev Event, tag string) (Event, error) {
	v, err := ParseVersion(tag)
	if err != nil {
		return Event{}, err
	}
	ev.Kind, ev.Version, ev.Tag = EventRelease, v, tag
	ev.Prerelease = ev.Prerelease || v.Prerelease()
	return ev, nil
}

func branchOf(ev Event, branch string) (Event, error) {
	ev.Kind, ev.Branch = EventBranch, branch
	if branch != ev.DefaultBranch {
		ev.Kind, ev.Skip = EventNone, fmt.Sprintf("branch %q is not the default branch %q: no tags", branch, ev.DefaultBranch)
	}
	return ev, nil
}

// Tags computes the tags of the event for a repository holding existing.
func (e Event) Tags(existing []string, p Policy) (Result, error) {
	switch e.Kind {
	case EventRelease:
		return Release(e.Version, e.Prerelease, existing, p)
	case EventBranch:
		if e.SHA == "" {
			return Result{}, &InputError{What: fmt.Sprintf("no commit id for the push to %q", e.Branch), Expect: "give the commit id of the push", Missing: MissingSHA}
		}
		return Branch(e.Branch, e.DefaultBranch, e.SHA, p)
	default:
		return Result{Tags: []Tag{}, Skip: e.Skip}, nil
	}
}
