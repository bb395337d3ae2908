package tagging

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustVersion(t testing.TB, s string) Version {
	t.Helper()
	v, err := ParseVersion(s)
	if err != nil {
		t.Fatalf("ParseVersion(%q): %v", s, err)
	}
	return v
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"v1.2.3":         "v1.2.3",
		"1.2.3":          "v1.2.3",
		"v0.0.1":         "v0.0.1",
		"v1.3.0-rc.1":    "v1.3.0-rc.1",
		"1.3.0-beta":     "v1.3.0-beta",
		"v10.20.30":      "v10.20.30",
		"v1.0.0-alpha-a": "v1.0.0-alpha-a",
	}
	for in, want := range good {
		v, err := ParseVersion(in)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", in, err)
			continue
		}
		if v.String() != want {
			t.Errorf("ParseVersion(%q) = %q, want %q", in, v, want)
		}
	}
	bad := []string{"", "v", "simple-tag", "v1.2", "1.2.3.4", "v01.2.3", "v1.02.3", "v1.2.03",
		"v1.2.3+build.5", "1.2.3+meta", "vv1.2.3", "V1.2.3", "v1.2.3-", "v1.2.3-rc..1", "v1.2.3-01",
		" v1.2.3", "v1.2.3 ", "latest", "v1.2.3-" + strings.Repeat("a", 130)}
	for _, in := range bad {
		_, err := ParseVersion(in)
		if err == nil {
			t.Errorf("ParseVersion(%q) succeeded, want an error", in)
			continue
		}
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("ParseVersion(%q) error %v does not wrap ErrBadInput", in, err)
		}
	}
}

func TestParseVersionBuildMetadataMessage(t *testing.T) {
	t.Parallel()
	_, err := ParseVersion("v1.2.3+build.5")
	if err == nil || !strings.Contains(err.Error(), "'+' cannot appear in a registry tag") {
		t.Fatalf("error %v does not explain build metadata", err)
	}
}

// applied returns "name" for applied tags, in order.
func applied(r Result) string { return strings.Join(r.Names(), " ") }

func TestRelease(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		version    string
		prerelease bool
		existing   []string
		policy     Policy
		want       string
	}{
		// The seed's tag table: a first release gets every tag.
		{name: "first release", version: "v1.2.3", want: "v1.2.3 v1.2 v1 latest"},
		{name: "no v on input", version: "1.2.3", want: "v1.2.3 v1.2 v1 latest"},
		{name: "next patch", version: "v1.2.4", existing: []string{"v1.2.3", "v1.2", "v1", "latest", "master"}, want: "v1.2.4 v1.2 v1 latest"},
		{name: "next minor", version: "v1.3.0", existing: []string{"v1.2.3", "v1.2.4"}, want: "v1.3.0 v1.3 v1 latest"},
		{name: "next major", version: "v2.0.0", existing: []string{"v1.2.3", "v1.3.0"}, want: "v2.0.0 v2.0 v2 latest"},
		// Backports never move floating tags of higher lines.
		{name: "backport patch after minor", version: "v1.1.5", existing: []string{"v1.1.4", "v1.2.0"}, want: "v1.1.5 v1.1"},
		{name: "backport to old major", version: "v1.9.1", existing: []string{"v1.9.0", "v2.0.1"}, want: "v1.9.1 v1.9 v1"},
		{name: "backport to old major not highest v1", version: "v1.8.3", existing: []string{"v1.9.0", "v2.0.1"}, want: "v1.8.3 v1.8"},
		{name: "backport behind a newer patch of its minor", version: "v1.1.3", existing: []string{"v1.1.4"}, want: "v1.1.3"},
		// Re-runs: the highest release keeps its tags, an old one moves nothing.
		{name: "re-run of highest", version: "v1.2.3", existing: []string{"v1.2.3", "v1.2", "v1", "latest"}, want: "v1.2.3 v1.2 v1 latest"},
		{name: "re-run of old release", version: "v1.2.3", existing: []string{"v1.2.3", "v1.3.0", "v2.0.0"}, want: "v1.2.3 v1.2"},
		{name: "existing without v", version: "v1.2.3", existing: []string{"1.3.0"}, want: "v1.2.3 v1.2"},
		// Pre-releases get their exact tag only and do not hold back stable tags.
		{name: "pre-release by tag", version: "v1.3.0-rc.1", existing: []string{"v1.2.0"}, want: "v1.3.0-rc.1"},
		{name: "pre-release by payload flag", version: "v1.3.0", prerelease: true, existing: []string{"v1.2.0"}, want: "v1.3.0"},
		{name: "stable after its rc", version: "v1.3.0", existing: []string{"v1.3.0-rc.1", "v1.2.0"}, want: "v1.3.0 v1.3 v1 latest"},
		{name: "stable below a newer rc", version: "v1.2.9", existing: []string{"v1.3.0-rc.1", "v1.2.0"}, want: "v1.2.9 v1.2 v1 latest"},
		// v0.
		{name: "v0 without major zero", version: "v0.3.1", existing: []string{"v0.3.0"}, want: "v0.3.1 v0.3 latest"},
		{name: "v0 with major zero", version: "v0.3.1", policy: Policy{MajorZero: true}, want: "v0.3.1 v0.3 v0 latest"},
		{name: "v0 after v1", version: "v0.9.0", policy: Policy{MajorZero: true}, existing: []string{"v1.0.0"}, want: "v0.9.0 v0.9 v0"},
		// Non-version tags in the repository are ignored.
		{name: "noise in tag list", version: "v1.0.0", existing: []string{"latest", "master", "master-abc1234", "sha256-abc.sig", "v2", "v1.5", "simple-tag", "v9.9.9+x"}, want: "v1.0.0 v1.0 v1 latest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Release(mustVersion(t, tt.version), tt.prerelease, tt.existing, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			if got := applied(res); got != tt.want {
				t.Errorf("tags = %q, want %q", got, tt.want)
			}
			if res.Tags[0].Kind != KindExact || !res.Tags[0].Apply {
				t.Errorf("first tag %+v is not the applied exact tag", res.Tags[0])
			}
			for _, tag := range res.Tags {
				if tag.Reason == "" {
					t.Errorf("tag %s has no reason", tag.Name)
				}
			}
		})
	}
}

func TestReleaseReasons(t *testing.T) {
	t.Parallel()
	res, err := Release(mustVersion(t, "v1.4.0"), false, []string{"v1.3.0", "v2.0.1"}, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Tag{
		{Name: "v1.4.0", Kind: KindExact, Apply: true, Reason: "v1.4.0 is the release itself and never moves"},
		{Name: "v1.4", Kind: KindMinor, Apply: true, Reason: "v1.4 moves: v1.4.0 ≥ every published v1.4.*"},
		{Name: "v1", Kind: KindMajor, Apply: true, Reason: "v1 moves: v1.4.0 ≥ every published v1.*"},
		{Name: "latest", Kind: KindLatest, Apply: false, Reason: "latest stays: v2.0.1 is published"},
	}
	if diff := cmp.Diff(want, res.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
}

func TestBranch(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name, branch, def, sha string
		policy                 Policy
		want, skip, err        string
	}{
		{name: "master", branch: "master", def: "master", sha: sha, want: "master master-0123456"},
		{name: "default is main", branch: "main", def: "main", sha: sha, want: "main main-0123456"},
		{name: "empty default means master", branch: "master", sha: sha, want: "master master-0123456"},
		{name: "sha length 12", branch: "master", sha: sha, policy: Policy{SHALength: 12}, want: "master master-0123456789ab"},
		{name: "sha length 40", branch: "master", sha: sha, policy: Policy{SHALength: 40}, want: "master master-" + sha},
		{name: "upper-case sha", branch: "master", sha: strings.ToUpper(sha), want: "master master-0123456"},
		{name: "other branch", branch: "feature/x", def: "master", sha: sha, skip: `branch "feature/x" is not the default branch "master": no tags`},
		{name: "sha not hex", branch: "master", sha: "not-a-sha", err: "is not a commit id"},
		{name: "sha too short", branch: "master", sha: "abc12", err: "is not a commit id"},
		{name: "sha shorter than length", branch: "master", sha: "0123456789", policy: Policy{SHALength: 12}, err: "shorter than the sha length"},
		{name: "sha length out of range", branch: "master", sha: sha, policy: Policy{SHALength: 41}, err: "out of range"},
		{name: "branch not a tag", branch: "release/1.x", def: "release/1.x", sha: sha, err: "cannot become a registry tag"},
		{name: "branch starting with dash", branch: "-x", def: "-x", sha: sha, err: "cannot become a registry tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Branch(tt.branch, tt.def, tt.sha, tt.policy)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrBadInput) {
					t.Fatalf("err = %v, want one containing %q wrapping ErrBadInput", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := applied(res); got != tt.want {
				t.Errorf("tags = %q, want %q", got, tt.want)
			}
			if res.Skip != tt.skip {
				t.Errorf("skip = %q, want %q", res.Skip, tt.skip)
			}
		})
	}
}

func ExampleRelease() {
	v, _ := ParseVersion("v1.1.5")
	res, _ := Release(v, false, []string{"v1.1.4", "v1.2.0", "latest"}, Policy{})
	for _, t := range res.Tags {
		fmt.Printf("%-7s %-5v %s\n", t.Name, t.Apply, t.Reason)
	}
	// Output:
	// v1.1.5  true  v1.1.5 is the release itself and never moves
	// v1.1    true  v1.1 moves: v1.1.5 ≥ every published v1.1.*
	// v1      false v1 stays: v1.2.0 is published
	// latest  false latest stays: v1.2.0 is published
}

func TestPrevious(t *testing.T) {
	t.Parallel()
	tags := []string{"v1.0.0", "v1.1.0", "v1.1.1", "v1.2.0-rc.1", "1.2.0-rc.2", "v1.2.0", "v2.0.0", "latest", "v1.2", "1.1.1"}
	tests := []struct{ v, want string }{
		{"v1.2.0", "v1.1.1"},          // a backport published later still counts: semver, not date
		{"v1.1.1", "v1.1.0"},          // the backport's own previous
		{"v2.0.0", "v1.2.0"},          // stable: pre-releases do not count
		{"v1.2.0-rc.3", "1.2.0-rc.2"}, // pre-release: any kind counts
		{"v1.2.0-rc.1", "v1.1.1"},
		{"v1.0.0", ""},       // the first release
		{"v1.1.2", "v1.1.1"}, // "v1.1.1" wins over "1.1.1"
	}
	for _, tt := range tests {
		if got := Previous(mustVersion(t, tt.v), tags); got != tt.want {
			t.Errorf("Previous(%s) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
