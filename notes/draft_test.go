package notes

import (
	"errors"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

// TestDraftFindAndTagUsed: FindRelease finds drafts (get-release-by-tag
// does not), CreateDraft marks a pre-release version, and a tag that a
// deleted immutable release used is refused as a *TagUsedError (exit 3).
func TestDraftFindAndTagUsed(t *testing.T) {
	s := fakegithub.New(t)
	s.SetImmutableReleases(ghRepo, true)
	s.AddRelease(ghRepo, fakegithub.Release{TagName: "v1.0.0", Draft: true})
	rel, err := FindRelease(t.Context(), ghRepo, "v1.0.0", fakeOpts(s)...)
	if err != nil || rel == nil || !rel.Draft || rel.Immutable {
		t.Fatalf("FindRelease = %+v, %v: want the draft, not immutable", rel, err)
	}
	if rel, err := FindRelease(t.Context(), ghRepo, "v9.9.9", fakeOpts(s)...); err != nil || rel != nil {
		t.Errorf("FindRelease of a tag without release = %+v, %v", rel, err)
	}
	rc, err := CreateDraft(t.Context(), ghRepo, "v2.0.0-rc.1", false, fakeOpts(s)...)
	if err != nil || !rc.Draft || !rc.Prerelease {
		t.Fatalf("CreateDraft = %+v, %v: want a pre-release draft", rc, err)
	}

	s.AddRelease(ghRepo, fakegithub.Release{TagName: "v1.1.0"})
	s.DeleteRelease(ghRepo, "v1.1.0")
	_, err = CreateDraft(t.Context(), ghRepo, "v1.1.0", false, fakeOpts(s)...)
	var tu *TagUsedError
	if !errors.As(err, &tu) || !tu.Refused() || tu.Tag != "v1.1.0" {
		t.Errorf("CreateDraft of a burned tag: %v, want a *TagUsedError", err)
	}
}
