package tagging

import (
	"strings"
	"testing"
)

func TestYankMarkers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tags   []string
		yanked string // YankedVersions, space-separated
	}{
		{name: "none", tags: []string{"v1.3.0", "latest", "yanked", "yanked.", "yanked.v1.2", "yanked.1.v1.3.0", "yanked.02.v1.3.0", "yanked.x.v1.3.0", "yanked.1.3.0"}},
		{name: "yanked", tags: []string{"v1.3.0", "yanked.v1.3.0"}, yanked: "v1.3.0"},
		{name: "unyanked", tags: []string{"yanked.v1.3.0", "unyanked.v1.3.0"}},
		{name: "yanked again", tags: []string{"yanked.v1.3.0", "unyanked.v1.3.0", "yanked.2.v1.3.0"}, yanked: "v1.3.0"},
		{name: "restored again", tags: []string{"yanked.v1.3.0", "unyanked.v1.3.0", "yanked.2.v1.3.0", "unyanked.2.v1.3.0"}},
		{name: "several, sorted", tags: []string{"yanked.v2.0.0", "yanked.v1.3.0-rc.1", "yanked.v1.3.0"}, yanked: "v1.3.0-rc.1 v1.3.0 v2.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, v := range YankedVersions(tt.tags) {
				got = append(got, v.String())
			}
			if strings.Join(got, " ") != tt.yanked {
				t.Errorf("yanked %q, want %q", got, tt.yanked)
			}
		})
	}
}

func TestNextYankMarker(t *testing.T) {
	t.Parallel()
	v := mustVersion(t, "v1.3.0")
	var tags []string
	// yank, unyank, yank, unyank: each step adds one marker, and asking
	// for the state it is already in adds nothing.
	for i, want := range []string{"yanked.v1.3.0", "unyanked.v1.3.0", "yanked.2.v1.3.0", "unyanked.2.v1.3.0"} {
		yank := i%2 == 0
		m, ok, err := NextYankMarker(v, tags, yank)
		if err != nil || !ok || m.Tag() != want {
			t.Fatalf("step %d: %+v %v %v, want %s", i, m, ok, err, want)
		}
		back, ok := ParseYankMarker(m.Tag())
		if !ok || back.Tag() != m.Tag() || back.Yank != m.Yank || back.Generation != m.Generation || back.Version.Compare(m.Version) != 0 {
			t.Errorf("ParseYankMarker(%q) = %+v %v", m.Tag(), back, ok)
		}
		tags = append(tags, m.Tag())
		if IsYanked(v, tags) != yank {
			t.Errorf("step %d: IsYanked = %v", i, !yank)
		}
		if _, ok, _ := NextYankMarker(v, tags, yank); ok {
			t.Errorf("step %d: a second marker for the same state", i)
		}
	}
	long := mustVersion(t, "v1.2.3-"+strings.Repeat("a", 115))
	if _, _, err := NextYankMarker(long, nil, true); err == nil || !strings.Contains(err.Error(), "cannot be a registry tag") {
		t.Errorf("a marker over 128 characters: %v", err)
	}
}

// TestReleaseYanked: a yanked version holds back no floating tag, and a
// release of it (a re-run) moves none onto it.
func TestReleaseYanked(t *testing.T) {
	t.Parallel()
	existing := []string{"v1.2.0", "v1.2.1", "v1.3.0", "yanked.v1.3.0", "v1.3", "v1", "latest"}
	tests := []struct {
		version, want string
	}{
		{"v1.2.2", "v1.2.2 v1.2 v1 latest"},
		{"v1.3.0", "v1.3.0"},
		{"v1.3.1", "v1.3.1 v1.3 v1 latest"},
		{"v1.1.9", "v1.1.9 v1.1"},
	}
	for _, tt := range tests {
		res, err := Release(mustVersion(t, tt.version), false, existing, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		if got := applied(res); got != tt.want {
			t.Errorf("%s: tags %q, want %q", tt.version, got, tt.want)
		}
		if strings.Join(res.Yanked, " ") != "v1.3.0" {
			t.Errorf("%s: yanked %q", tt.version, res.Yanked)
		}
	}
	res, _ := Release(mustVersion(t, "v1.2.2"), false, existing, Policy{})
	if r := res.Tags[3].Reason; !strings.Contains(r, "yanked, not counted: v1.3.0") {
		t.Errorf("latest's reason %q does not name the yanked version", r)
	}
	res, _ = Release(mustVersion(t, "v1.3.0"), false, existing, Policy{})
	if r := res.Tags[1].Reason; !strings.Contains(r, "v1.3.0 is yanked") {
		t.Errorf("v1.3's reason %q", r)
	}
	// Unyanked, it is the highest again.
	res, _ = Release(mustVersion(t, "v1.3.0"), false, append(existing, "unyanked.v1.3.0"), Policy{})
	if got := applied(res); got != "v1.3.0 v1.3 v1 latest" {
		t.Errorf("unyanked: %q", got)
	}
}
