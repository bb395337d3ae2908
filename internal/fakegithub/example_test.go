package fakegithub_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

// TestUsage shows the API the end-to-end tests use: seed, point a
// GHES-style go-github client at the server, read back what it did.
func TestUsage(t *testing.T) {
	s := fakegithub.New(t)
	s.AddPull("o/app", fakegithub.PullRequest{Number: 7, Title: "feat: x", Labels: []string{"enhancement"}, MergedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	s.AddRelease("o/app", fakegithub.Release{TagName: "v1.0.0", Draft: true, Body: "intro"})

	c, err := github.NewClient(s.Client()).WithEnterpriseURLs(s.URL, s.URL) // requests arrive under /api/v3/
	if err != nil {
		t.Fatal(err)
	}
	rels, _, err := c.Repositories.ListReleases(t.Context(), "o", "app", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Repositories.EditRelease(t.Context(), "o", "app", rels[0].GetID(), &github.RepositoryRelease{Body: github.String("intro\n\nnotes")}); err != nil {
		t.Fatal(err)
	}

	rel, _ := s.Release("o/app", "v1.0.0")
	got := fmt.Sprintf("%q draft=%v calls=%v total=%d", rel.Body, rel.Draft, s.Calls(), s.TotalCalls())
	want := `"intro\n\nnotes" draft=true calls=map[repos/list-releases:1 repos/update-release:1] total=2`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
