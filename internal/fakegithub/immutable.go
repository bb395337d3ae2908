package fakegithub

// Immutable releases, as GitHub models them since 2025: a repository
// setting (SetImmutableReleases) under which every release published
// becomes immutable. An immutable release refuses new, changed or deleted
// assets (422 "Cannot upload assets to an immutable release."), its tag
// cannot move (nor can the release be pointed at another tag or made a
// draft again), and once it is deleted its tag name can never be used by a
// release again. Its title and body stay editable. Drafts are never
// immutable: assets go on while the release is a draft, and it is
// published last.

import (
	"fmt"
	"net/http"
	"time"
)

// immutability is the state of a repository's immutable releases.
type immutability struct {
	on bool
	// burned are the tags of deleted immutable releases.
	burned map[string]bool
}

func (r *repo) immutability() *immutability {
	if r.imm == nil {
		r.imm = &immutability{burned: map[string]bool{}}
	}
	return r.imm
}

// SetImmutableReleases turns the repository setting "immutable releases"
// on or off. Releases published while it is on become immutable; turning
// it off does not unfreeze them, as on GitHub.
func (s *Server) SetImmutableReleases(fullName string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(fullName).immutability().on = on
}

// DeleteRelease deletes the release of tag (drafts included), as a
// maintainer does in the web interface: the tag of an immutable release can
// never be used by a release again. It reports whether there was one.
func (s *Server) DeleteRelease(fullName, tag string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(fullName)
	for i, rel := range r.releases {
		if rel.TagName == tag {
			if rel.Immutable {
				r.immutability().burned[tag] = true
			}
			r.releases = append(r.releases[:i], r.releases[i+1:]...)
			return true
		}
	}
	return false
}

// MoveTag points tag at another commit, as a forced tag push does. The tag
// of an immutable release cannot move: GitHub refuses the push, and so does
// MoveTag, with an error.
func (s *Server) MoveTag(fullName, tag, sha string) error {
	s.mu.Lock()
	r := s.repo(fullName)
	for _, rel := range r.releases {
		if rel.TagName == tag && rel.Immutable {
			s.mu.Unlock()
			return fmt.Errorf("tag %s belongs to immutable release %d: it cannot move", tag, rel.ID)
		}
	}
	s.mu.Unlock()
	s.AddTag(fullName, tag, sha)
	return nil
}

// seal makes a release published under the setting immutable.
func (r *repo) seal(rel *Release) {
	if !rel.Draft && r.immutability().on {
		rel.Immutable = true
	}
}

// refuseCreate answers create-release for a tag an immutable release
// used: the 422 Validation Failed GitHub sends.
func (s *Server) refuseCreate(w *response, r *repo, tag string) bool {
	if !r.immutability().burned[tag] {
		return false
	}
	w.validationFailed("custom", "Release", "tag_name", "tag_name was used by an immutable release")
	return true
}

// refuseUpdate answers update-release of an immutable release that would
// change its tag or make it a draft again. The document declares no 422
// for update-release, GitHub sends one: it is not validated.
func (s *Server) refuseUpdate(w *response, rel *Release, req *releaseRequest) bool {
	if !rel.Immutable {
		return false
	}
	field := ""
	switch {
	case req.TagName != nil && *req.TagName != rel.TagName:
		field = "tag_name"
	case req.TargetCommitish != nil && *req.TargetCommitish != rel.TargetCommitish:
		field = "target_commitish"
	case req.Draft != nil && *req.Draft:
		field = "draft"
	default:
		return false
	}
	w.validationFailed("custom", "Release", field, "Cannot change the "+field+" of an immutable release")
	w.unchecked = true
	return true
}

// refuseAssets answers an asset upload or deletion on an immutable
// release: 422 with GitHub's message (upload-release-asset declares the 422
// without a body schema; delete-release-asset does not declare it, so that
// response is not validated).
func (s *Server) refuseAssets(w *response, rel *Release, upload bool) bool {
	if rel == nil || !rel.Immutable {
		return false
	}
	msg := "Cannot upload assets to an immutable release."
	if !upload {
		msg = "Cannot delete assets of an immutable release."
		w.unchecked = true
	}
	w.json(http.StatusUnprocessableEntity, map[string]any{
		"message":           msg,
		"request_id":        fmt.Sprintf("FAKE:%X", time.Now().UnixNano()),
		"documentation_url": "https://docs.github.com/rest",
	})
	return true
}

// assetRelease is the release holding asset id.
func (r *repo) assetRelease(id int64) *Release {
	for _, rel := range r.releases {
		for _, a := range rel.assets {
			if a.ID == id {
				return rel
			}
		}
	}
	return nil
}
