package fakegithub_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

// recorder is a testing.TB that records Errorf instead of failing, so the
// tests can assert that the fake reports contract violations.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func client(t *testing.T, s *fakegithub.Server, ghes bool) *github.Client {
	t.Helper()
	c := github.NewClient(s.Client())
	if ghes {
		var err error
		c, err = c.WithEnterpriseURLs(s.URL, s.URL)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c.BaseURL.Scheme, c.BaseURL.Host = "http", strings.TrimPrefix(s.URL, "http://")
	return c
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestReleasesPagingAndDrafts(t *testing.T) {
	for _, ghes := range []bool{false, true} {
		t.Run(fmt.Sprintf("ghes=%v", ghes), func(t *testing.T) {
			s := fakegithub.New(t)
			for i := range 45 {
				s.AddRelease("o/r", fakegithub.Release{TagName: fmt.Sprintf("v1.0.%d", i), CreatedAt: t0.Add(time.Duration(i) * time.Hour)})
			}
			s.AddRelease("o/r", fakegithub.Release{TagName: "app/v2.0.0", Draft: true, CreatedAt: t0.Add(100 * time.Hour)})
			c := client(t, s, ghes)
			ctx := t.Context()
			var all []*github.RepositoryRelease
			opt := &github.ListOptions{PerPage: 20}
			for {
				rs, resp, err := c.Repositories.ListReleases(ctx, "o", "r", opt)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, rs...)
				if resp.NextPage == 0 {
					break
				}
				opt.Page = resp.NextPage
			}
			if len(all) != 46 || all[0].GetTagName() != "app/v2.0.0" || !all[0].GetDraft() {
				t.Fatalf("got %d releases, first %q", len(all), all[0].GetTagName())
			}
			if got := s.Calls()["repos/list-releases"]; got != 3 {
				t.Errorf("list-releases calls = %d, want 3", got)
			}
			// get-by-tag skips drafts; the multi-segment tag routes.
			if _, resp, err := c.Repositories.GetReleaseByTag(ctx, "o", "r", "app/v2.0.0"); err == nil || resp.StatusCode != 404 {
				t.Errorf("draft by tag: err=%v", err)
			}
			rel, _, err := c.Repositories.GetReleaseByTag(ctx, "o", "r", "v1.0.3")
			if err != nil || rel.GetTagName() != "v1.0.3" {
				t.Fatalf("by tag: %v %v", rel, err)
			}
			// create with make_latest, then update.
			nr, _, err := c.Repositories.CreateRelease(ctx, "o", "r", &github.RepositoryRelease{TagName: github.String("v0.9.0"), Body: github.String("x"), MakeLatest: github.String("false")})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.Repositories.EditRelease(ctx, "o", "r", nr.GetID(), &github.RepositoryRelease{Body: github.String("y")}); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Release("o/r", "v0.9.0")
			if got.Body != "y" || got.MakeLatest != "false" {
				t.Errorf("read back %+v", got)
			}
			_, _, err = c.Repositories.CreateRelease(ctx, "o", "r", &github.RepositoryRelease{TagName: github.String("v0.9.0")})
			var er *github.ErrorResponse
			if err == nil || !asErr(err, &er) || er.Response.StatusCode != 422 || er.Errors[0].Code != "already_exists" {
				t.Errorf("duplicate create: %v", err)
			}
		})
	}
}

func asErr(err error, er **github.ErrorResponse) bool {
	e, ok := err.(*github.ErrorResponse)
	*er = e
	return ok
}

func TestPullsCompareContents(t *testing.T) {
	s := fakegithub.New(t)
	for i := 1; i <= 250; i++ {
		s.AddPull("o/r", fakegithub.PullRequest{Number: i, Title: fmt.Sprintf("pr %d", i), Labels: []string{"bug"}, MergedAt: t0.Add(time.Duration(i) * time.Minute)})
	}
	prev := ""
	for i := range 5 {
		sha := strings.Repeat(fmt.Sprint(i), 40)
		var parents []string
		if prev != "" {
			parents = []string{prev}
		}
		s.AddCommit("o/r", fakegithub.Commit{SHA: sha, Message: fmt.Sprintf("c%d", i), Date: t0, Parents: parents})
		prev = sha
	}
	s.AddTag("o/r", "v1.0.0", strings.Repeat("1", 40))
	s.AddTag("o/r", "v1.1.0", strings.Repeat("4", 40))
	s.AddFile("o/r", ".github/release.yml", "changelog:\n  categories: []\n")
	c := client(t, s, false)
	ctx := t.Context()

	prs, resp, err := c.PullRequests.List(ctx, "o", "r", &github.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil || len(prs) != 100 || prs[0].GetNumber() != 250 || resp.NextPage != 2 || resp.LastPage != 3 {
		t.Fatalf("pulls: %d %v next=%d", len(prs), err, resp.NextPage)
	}
	if prs[0].Labels[0].GetName() != "bug" {
		t.Errorf("labels: %v", prs[0].Labels)
	}
	cmp, _, err := c.Repositories.CompareCommits(ctx, "o", "r", "v1.0.0", "v1.1.0", &github.ListOptions{PerPage: 2, Page: 2})
	if err != nil || cmp.GetTotalCommits() != 3 || len(cmp.Commits) != 1 || cmp.Commits[0].GetCommit().GetMessage() != "c4" {
		t.Fatalf("compare: %v %v", cmp, err)
	}
	fc, _, _, err := c.Repositories.GetContents(ctx, "o", "r", ".github/release.yml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fc.GetContent(); err != nil || !strings.Contains(got, "categories") {
		t.Errorf("content %q %v", got, err)
	}
	if _, _, resp, err := c.Repositories.GetContents(ctx, "o", "r", ".github/release.yaml", nil); err == nil || resp.StatusCode != 404 {
		t.Errorf("missing file: %v", err)
	}
	ref, _, err := c.Git.GetRef(ctx, "o", "r", "refs/tags/v1.0.0")
	if err != nil || ref.GetObject().GetSHA() != strings.Repeat("1", 40) {
		t.Errorf("ref: %v %v", ref, err)
	}
	if _, _, err := c.PullRequests.ListPullRequestsWithCommit(ctx, "o", "r", strings.Repeat("1", 40), nil); err != nil {
		t.Errorf("pulls for commit: %v", err)
	}
	want := map[string]int{"pulls/list": 1, "repos/compare-commits": 1, "repos/get-content": 2, "git/get-ref": 1, "repos/list-pull-requests-associated-with-commit": 1}
	for k, v := range want {
		if s.Calls()[k] != v {
			t.Errorf("calls[%s] = %d, want %d", k, s.Calls()[k], v)
		}
	}
}

func TestRejectsRequestsOutsideTheDocument(t *testing.T) {
	rec := &recorder{TB: t}
	s := fakegithub.New(rec)
	tests := []struct{ method, path string }{
		{"GET", "/repos/o/r/issues"},                // no such operation
		{"PUT", "/repos/o/r/releases"},              // wrong method
		{"GET", "/repos/o/r/pulls?state=merged"},    // state not in the enum
		{"GET", "/repos/o/r/releases?per_page=abc"}, // not an integer
	}
	for _, tt := range tests {
		rec.errs = nil
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, s.URL+tt.path, nil)
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if len(rec.errs) == 0 {
			t.Errorf("%s %s: the fake reported no violation", tt.method, tt.path)
		}
	}
	// A response that breaks the schema is reported too: seed a commit
	// without a date (the schema's commit date is a non-null string).
	rec.errs = nil
	s.AddCommit("o/r", fakegithub.Commit{SHA: strings.Repeat("a", 40), Message: "x"})
	s.AddBranch("o/r", "main", strings.Repeat("a", 40))
	req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL+"/repos/o/r/commits", nil)
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "response 200") {
		t.Errorf("invalid response: %v", rec.errs)
	}

	// A request without the API version header is a violation too.
	rec.errs = nil
	resp, err = s.Client().Get(s.URL + "/repos/o/r/releases")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "X-GitHub-Api-Version") {
		t.Errorf("missing version header: %v", rec.errs)
	}
}

func TestRateLimitResponses(t *testing.T) {
	s := fakegithub.New(t)
	s.RateLimit("pulls/list", 1, 2*time.Second)
	c := client(t, s, false)
	_, _, err := c.PullRequests.List(t.Context(), "o", "r", nil)
	var ae *github.AbuseRateLimitError
	if e, ok := err.(*github.AbuseRateLimitError); !ok || e.GetRetryAfter() != 2*time.Second {
		t.Fatalf("got %T %v, want *AbuseRateLimitError with Retry-After 2s", err, ae)
	}
	if s.TotalCalls() != 1 {
		t.Errorf("calls %d", s.TotalCalls())
	}
}

func TestAssetsPackagesGenerateNotes(t *testing.T) {
	for _, ghes := range []bool{false, true} {
		t.Run(fmt.Sprintf("ghes=%v", ghes), func(t *testing.T) {
			s := fakegithub.New(t)
			id := s.AddRelease("o/r", fakegithub.Release{TagName: "v1.0.0"})
			c := client(t, s, ghes)
			if !ghes {
				c.UploadURL = c.BaseURL // the uploads host is the same fake
			}
			ctx := t.Context()
			f := filepath.Join(t.TempDir(), "sbom.json")
			if err := os.WriteFile(f, []byte(`{"x":1}`), 0o644); err != nil {
				t.Fatal(err)
			}
			upload := func() (*github.ReleaseAsset, error) {
				fh, err := os.Open(f)
				if err != nil {
					t.Fatal(err)
				}
				defer fh.Close()
				a, _, err := c.Repositories.UploadReleaseAsset(ctx, "o", "r", id, &github.UploadOptions{Name: "sbom.json", Label: "SBOM"}, fh)
				return a, err
			}
			a, err := upload()
			if err != nil || a.GetName() != "sbom.json" || a.GetSize() != 7 || a.GetContentType() != "application/json" {
				t.Fatalf("upload: %+v %v", a, err)
			}
			var er *github.ErrorResponse
			if _, err := upload(); !asErr(err, &er) || er.Response.StatusCode != 422 {
				t.Errorf("duplicate upload: %v", err)
			}
			list, _, err := c.Repositories.ListReleaseAssets(ctx, "o", "r", id, nil)
			if err != nil || len(list) != 1 {
				t.Fatalf("list assets: %v %v", list, err)
			}
			if _, err := c.Repositories.DeleteReleaseAsset(ctx, "o", "r", a.GetID()); err != nil {
				t.Fatal(err)
			}
			if got := s.Assets("o/r", "v1.0.0"); len(got) != 0 {
				t.Errorf("assets after delete: %v", got)
			}

			digest := "sha256:" + strings.Repeat("c", 64)
			vid := s.AddPackageVersion("o", true, "container", "app", fakegithub.PackageVersion{Name: digest, Tags: []string{"v1.0.0", "latest"}})
			s.AddPackageVersion("u", false, "container", "app", fakegithub.PackageVersion{Name: digest})
			vs, _, err := c.Organizations.PackageGetAllVersions(ctx, "o", "container", "app", &github.PackageListOptions{State: github.String("active")})
			if err != nil || len(vs) != 1 || vs[0].GetName() != digest || len(vs[0].GetMetadata().GetContainer().Tags) != 2 {
				t.Fatalf("org versions: %v %v", vs, err)
			}
			if _, _, err := c.Users.PackageGetAllVersions(ctx, "u", "container", "app", nil); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Organizations.PackageDeleteVersion(ctx, "o", "container", "app", vid); err != nil {
				t.Fatal(err)
			}
			if got := s.PackageVersions("o", true, "container", "app"); len(got) != 0 {
				t.Errorf("versions after delete: %v", got)
			}

			s.AddCommit("o/r", fakegithub.Commit{SHA: strings.Repeat("1", 40), Message: "a", Date: t0})
			s.AddCommit("o/r", fakegithub.Commit{SHA: strings.Repeat("2", 40), Message: "b", Date: t0, Parents: []string{strings.Repeat("1", 40)}})
			s.AddTag("o/r", "v0.9.0", strings.Repeat("1", 40))
			s.AddTag("o/r", "v1.0.0", strings.Repeat("2", 40))
			s.AddPull("o/r", fakegithub.PullRequest{Number: 3, Title: "Add b", Author: "alice", MergedAt: t0, MergeCommitSHA: strings.Repeat("2", 40)})
			gn, _, err := c.Repositories.GenerateReleaseNotes(ctx, "o", "r", &github.GenerateNotesOptions{TagName: "v1.0.0", PreviousTagName: github.String("v0.9.0")})
			if err != nil || !strings.Contains(gn.Body, "* Add b by @alice in https://github.com/o/r/pull/3") {
				t.Errorf("generate notes: %+v %v", gn, err)
			}
		})
	}
}
