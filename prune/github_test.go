package prune_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/prune"
)

// TestGitHubVersions pages through a user's package (the organization API
// answers 404 first: auto owner type), through the Enterprise URL form
// (/api/v3/, as every test here), waiting out a rate limit.
func TestGitHubVersions(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 250 {
		gh.AddPackageVersion("octo", false, "container", "app/worker", fakegithub.PackageVersion{Name: fmt.Sprintf("sha256:%064x", i), Tags: []string{fmt.Sprintf("master-%07x", i)}, CreatedAt: at.Add(time.Duration(i) * time.Minute)})
	}
	gh.RateLimit("packages/get-all-package-versions-for-package-owned-by-user", 1, 0)
	src, err := prune.NewGitHub("octo", "app/worker", prune.WithHTTPClient(gh.Client()), prune.WithAPIURL(gh.URL))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := src.Versions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 250 {
		t.Fatalf("%d versions, want 250", len(vs))
	}
	seen := map[string]bool{}
	for _, v := range vs {
		seen[v.Digest] = true
		if len(v.Tags) != 1 || v.Created.IsZero() || v.ID == 0 {
			t.Errorf("version %+v", v)
		}
	}
	if len(seen) != 250 {
		t.Errorf("%d distinct versions, want 250", len(seen))
	}
	// 1 org 404, 1 rate-limited, 3 pages.
	calls := gh.Calls()
	if calls["packages/get-all-package-versions-for-package-owned-by-org"] != 1 || calls["packages/get-all-package-versions-for-package-owned-by-user"] != 4 || src.Calls() != 5 {
		t.Errorf("calls %v (%d sent)", calls, src.Calls())
	}
}
