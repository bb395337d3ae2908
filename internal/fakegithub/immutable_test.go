package fakegithub_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

// TestImmutableReleases: under the repository setting a draft takes assets
// and is published last; once published its assets cannot be added or
// deleted (422 with GitHub's message), its tag cannot move, its body stays
// editable, and a deleted immutable release's tag is never usable again.
// Without the setting none of it applies.
func TestImmutableReleases(t *testing.T) {
	s := fakegithub.New(t)
	s.SetImmutableReleases("o/r", true)
	c := client(t, s, false)
	c.UploadURL = c.BaseURL
	ctx := t.Context()
	f := filepath.Join(t.TempDir(), "SHA256SUMS")
	if err := os.WriteFile(f, []byte("x  y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	upload := func(id int64, name string) (*github.ReleaseAsset, error) {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		a, _, err := c.Repositories.UploadReleaseAsset(ctx, "o", "r", id, &github.UploadOptions{Name: name}, fh)
		return a, err
	}
	refused := func(err error, want string) bool {
		var er *github.ErrorResponse
		return asErr(err, &er) && er.Response.StatusCode == 422 && strings.Contains(er.Error(), want)
	}

	draft, _, err := c.Repositories.CreateRelease(ctx, "o", "r", &github.RepositoryRelease{TagName: github.String("v1.0.0"), Draft: github.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := upload(draft.GetID(), "SHA256SUMS")
	if err != nil {
		t.Fatalf("a draft takes assets: %v", err)
	}
	if rel, _ := s.Release("o/r", "v1.0.0"); rel.Immutable {
		t.Error("a draft is immutable")
	}
	if _, _, err := c.Repositories.EditRelease(ctx, "o", "r", draft.GetID(), &github.RepositoryRelease{Draft: github.Bool(false), MakeLatest: github.String("true")}); err != nil {
		t.Fatal(err)
	}
	if rel, _ := s.Release("o/r", "v1.0.0"); !rel.Immutable || rel.Draft || rel.MakeLatest != "true" {
		t.Errorf("published release %+v, want immutable and latest", rel)
	}
	if _, err := upload(draft.GetID(), "more.tar.gz"); !refused(err, "Cannot upload assets to an immutable release") {
		t.Errorf("upload to a published immutable release: %v, want 422", err)
	}
	if _, err := c.Repositories.DeleteReleaseAsset(ctx, "o", "r", a.GetID()); !refused(err, "immutable") {
		t.Errorf("asset deletion: %v, want 422", err)
	}
	if _, _, err := c.Repositories.EditRelease(ctx, "o", "r", draft.GetID(), &github.RepositoryRelease{TagName: github.String("v1.0.1")}); !refused(err, "tag_name") {
		t.Errorf("retagging: %v, want 422", err)
	}
	if err := s.MoveTag("o/r", "v1.0.0", strings.Repeat("3", 40)); err == nil {
		t.Error("the tag of an immutable release moved")
	}
	if _, _, err := c.Repositories.EditRelease(ctx, "o", "r", draft.GetID(), &github.RepositoryRelease{Body: github.String("edited")}); err != nil {
		t.Errorf("the body of an immutable release: %v", err)
	}
	if got := s.Assets("o/r", "v1.0.0"); len(got) != 1 {
		t.Errorf("assets %v, want the one uploaded as a draft", got)
	}

	// A deleted immutable release burns its tag.
	if !s.DeleteRelease("o/r", "v1.0.0") {
		t.Fatal("no release deleted")
	}
	_, _, err = c.Repositories.CreateRelease(ctx, "o", "r", &github.RepositoryRelease{TagName: github.String("v1.0.0"), Draft: github.Bool(true)})
	if !refused(err, "tag_name was used by an immutable release") {
		t.Errorf("reusing the tag: %v, want 422", err)
	}

	// Without the setting a published release takes assets.
	s.SetImmutableReleases("o/r", false)
	id := s.AddRelease("o/r", fakegithub.Release{TagName: "v2.0.0"})
	if _, err := upload(id, "SHA256SUMS"); err != nil {
		t.Errorf("upload to a mutable release: %v", err)
	}
}
