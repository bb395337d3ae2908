package notes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

func TestSplice(t *testing.T) {
	block := BeginMarker + "\nNOTES\n" + EndMarker
	tests := []struct {
		name, body, want string
		wantErr          bool
	}{
		{"empty", "", block + "\n", false},
		{"maintainer text kept", "Thanks to everyone!\n", "Thanks to everyone!\n\n" + block + "\n", false},
		{"block replaced in place", "Intro\n\n" + BeginMarker + "\nold\n" + EndMarker + "\n\nOutro", "Intro\n\n" + block + "\n\nOutro", false},
		{"begin without end", "Intro " + BeginMarker + " old", "", true},
		{"end before begin", EndMarker + " x " + BeginMarker, "", true},
		{"stray end before the block", "Intro " + EndMarker + "\n" + BeginMarker + "\nold\n" + EndMarker, "", true},
		{"begin after the block", BeginMarker + "\nold\n" + EndMarker + "\nOutro " + BeginMarker, "", true},
		// What the first-end-marker splice left after re-runs with notes
		// holding an end marker: the outermost pair is the block.
		{"grown body repaired", "Intro\n\n" + BeginMarker + "\nold " + EndMarker + " old\n" + EndMarker + " old\n" + EndMarker + "\n\nOutro", "Intro\n\n" + block + "\n\nOutro", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Splice(tt.body, "NOTES\n")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if err == nil {
				again, _ := Splice(got, "NOTES\n")
				if again != got {
					t.Errorf("splicing twice changed the body: %q", again)
				}
			}
		})
	}
}

// TestSpliceInertNotes: notes that hold the markers (a migration named
// after one, a template printing them) splice into a block with exactly one
// of each, and splicing again changes nothing.
func TestSpliceInertNotes(t *testing.T) {
	notes := "## v1\n- **" + EndMarker + "** (`0002_" + BeginMarker + ".sql`)\n" + EndMarker + "\n"
	got, err := Splice("Intro\n", notes)
	if err != nil {
		t.Fatal(err)
	}
	if n, m := strings.Count(got, BeginMarker), strings.Count(got, EndMarker); n != 1 || m != 1 {
		t.Errorf("%d begin and %d end markers in %q, want 1 and 1", n, m, got)
	}
	if !strings.HasPrefix(got, "Intro\n\n"+BeginMarker+"\n") || !strings.HasSuffix(got, EndMarker+"\n") {
		t.Errorf("got %q", got)
	}
	again, err := Splice(got, notes)
	if err != nil || again != got {
		t.Errorf("splicing again: %v\n%q\nwant\n%q", err, again, got)
	}
}

func TestPublish(t *testing.T) {
	ctx := t.Context()
	s := fakegithub.New(t)
	// 120 releases so that finding the tag pages through the list.
	for i := range 120 {
		s.AddRelease(ghRepo, fakegithub.Release{TagName: fmt.Sprintf("v0.0.%d", i), CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
	}
	// The draft is only found through the list: get-by-tag skips drafts.
	s.AddRelease(ghRepo, fakegithub.Release{TagName: "v1.2.0", Draft: true, Body: "Hand-written intro.\n", CreatedAt: t0.Add(-time.Hour)})
	opts := fakeOpts(s)

	res, err := Publish(ctx, PublishInput{Repository: ghRepo, Tag: "v1.2.0", Markdown: "## v1.2.0\n"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != "updated" || !res.Draft {
		t.Errorf("result = %+v", res)
	}
	rel, _ := s.Release(ghRepo, "v1.2.0")
	want := "Hand-written intro.\n\n" + BeginMarker + "\n## v1.2.0\n" + EndMarker + "\n"
	if rel.Body != want {
		t.Errorf("body = %q, want %q", rel.Body, want)
	}
	if diff := cmp.Diff(map[string]int{"repos/list-releases": 2, "repos/update-release": 1}, s.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}

	// Re-running with the same notes writes nothing; new notes replace
	// only the block.
	s.ResetCalls()
	if res, err = Publish(ctx, PublishInput{Repository: ghRepo, Tag: "v1.2.0", Markdown: "## v1.2.0\n"}, opts...); err != nil || res.Action != "unchanged" {
		t.Errorf("re-run: %+v %v", res, err)
	}
	if s.Calls()["repos/update-release"] != 0 {
		t.Errorf("re-run updated the release")
	}
	if _, err = Publish(ctx, PublishInput{Repository: ghRepo, Tag: "v1.2.0", Markdown: "## v1.2.0 (fixed)\n"}, opts...); err != nil {
		t.Fatal(err)
	}
	rel, _ = s.Release(ghRepo, "v1.2.0")
	if !strings.HasPrefix(rel.Body, "Hand-written intro.\n\n"+BeginMarker+"\n## v1.2.0 (fixed)\n") {
		t.Errorf("body = %q", rel.Body)
	}

	// No release and no Create: a clear error.
	_, err = Publish(ctx, PublishInput{Repository: ghRepo, Tag: "v1.3.0", Markdown: "x"}, opts...)
	var nr *NoReleaseError
	if !errors.As(err, &nr) || !nr.BadInput() || strings.Contains(err.Error(), "--") {
		t.Errorf("err = %v, want NoReleaseError, naming no flag", err)
	}
}

func TestPublishCreate(t *testing.T) {
	tests := []struct {
		name       string
		tag        string
		versions   []string
		releases   []string
		wantLatest string
		wantPre    bool
	}{
		{"highest stable", "v1.3.0", []string{"v1.2.0", "v1.3.0-rc.1"}, []string{"v1.2.0"}, "true", false},
		{"backport below a release", "v1.1.1", []string{"v1.1.0"}, []string{"v1.2.0"}, "false", false},
		{"backport below a tag without release", "v1.1.1", []string{"v1.1.0", "v1.2.0"}, nil, "false", false},
		{"pre-release", "v2.0.0-rc.1", []string{"v1.2.0"}, []string{"v1.2.0"}, "false", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakegithub.New(t)
			s.AddRepo(ghRepo)
			for _, r := range tt.releases {
				s.AddRelease(ghRepo, fakegithub.Release{TagName: r})
			}
			// The create is refused once for a secondary rate limit: the
			// request, body included, is sent again after Retry-After.
			s.RateLimit("repos/create-release", 1, 3*time.Second)
			sl := &sleeper{}
			res, err := Publish(t.Context(), PublishInput{Repository: ghRepo, Tag: tt.tag, Markdown: "notes", Create: true, Versions: tt.versions}, append(fakeOpts(s), withSleep(sl.sleep))...)
			if err != nil {
				t.Fatal(err)
			}
			rel, ok := s.Release(ghRepo, tt.tag)
			if !ok || res.Action != "created" {
				t.Fatalf("no release created: %+v", res)
			}
			if rel.MakeLatest != tt.wantLatest || rel.Prerelease != tt.wantPre || rel.Name != tt.tag {
				t.Errorf("release = %+v, want make_latest %q prerelease %v", rel, tt.wantLatest, tt.wantPre)
			}
			if rel.Body != BeginMarker+"\nnotes\n"+EndMarker+"\n" {
				t.Errorf("body = %q", rel.Body)
			}
			if diff := cmp.Diff([]time.Duration{3 * time.Second}, sl.waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]int{"repos/list-releases": 1, "repos/create-release": 2}, s.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// sleeper records the waits instead of sleeping.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

func withSleep(f func(context.Context, time.Duration) error) Option {
	return func(o *options) error { o.sleep = f; return nil }
}

func withNow(now time.Time) Option {
	return func(o *options) error { o.now = func() time.Time { return now }; return nil }
}

func TestRateLimits(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		limit     func(*fakegithub.Server)
		maxWait   time.Duration
		wantWaits []time.Duration
		wantErr   bool
	}{
		{
			name:      "secondary: Retry-After",
			limit:     func(s *fakegithub.Server) { s.RateLimit("pulls/list", 2, 7*time.Second) },
			maxWait:   time.Minute,
			wantWaits: []time.Duration{7 * time.Second, 7 * time.Second},
		},
		{
			name:      "primary: x-ratelimit-reset",
			limit:     func(s *fakegithub.Server) { s.PrimaryRateLimit("pulls/list", 1, 30*time.Second) },
			maxWait:   time.Minute,
			wantWaits: []time.Duration{31 * time.Second},
		},
		{
			name:    "reset too far away",
			limit:   func(s *fakegithub.Server) { s.PrimaryRateLimit("", 1, time.Hour) },
			maxWait: time.Minute,
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := squashRepo(t)
			s := fakegithub.New(t, fakegithub.WithClock(func() time.Time { return now }))
			squashPulls(s)
			tt.limit(s)
			sl := &sleeper{}
			opts := append(fakeOpts(s), withSleep(sl.sleep), withNow(now), WithMaxRateLimitWait(tt.maxWait))
			n, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir, Repository: ghRepo}, opts...)
			if tt.wantErr {
				var rl *RateLimitError
				if !errors.As(err, &rl) || !strings.Contains(err.Error(), "resets in 1h0m1s") {
					t.Fatalf("err = %v, want RateLimitError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantWaits, sl.waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if len(n.PullRequests) != 3 || !n.PullRequests[0].Found {
				t.Errorf("pull requests = %+v", n.PullRequests)
			}
			if got := s.Calls()["pulls/list"]; got != 1+len(tt.wantWaits) {
				t.Errorf("pulls/list calls = %d, want %d", got, 1+len(tt.wantWaits))
			}
		})
	}
}
