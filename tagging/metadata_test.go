package tagging

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readEvent(t *testing.T, file string, in EventInput) Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	in.Payload = b
	ev, err := ParseEvent(in)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestMetadataPayloads: the labels of the real payloads, every key
// metadata-action writes, the repository from the payload, the commit's
// time from a push's commits or head_commit (a release has none).
func TestMetadataPayloads(t *testing.T) {
	t.Parallel()
	const sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	tests := []struct {
		file    string
		in      EventInput
		created string // the payload's commit time, empty when it has none
		version string
	}{
		{"events/push.branch.1.json", EventInput{Name: "push"}, "2019-05-15T15:19:25.000Z", "master"},
		{"events/push.tag.1.json", EventInput{Name: "push", Ref: "refs/tags/v1.2.3"}, "2019-05-15T15:20:41.000Z", "v1.2.3"},
		{"events/release.published.1.json", EventInput{Name: "release", SHA: sha}, "", "v0.0.1"},
		// The commit of the run is not the payload's: no time from it.
		{"events/push.branch.1.json", EventInput{Name: "push", SHA: "0123456789abcdef0123456789abcdef01234567"}, "", "master"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			ev := readEvent(t, tt.file, tt.in)
			res, err := ev.Tags(nil, Policy{})
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatCreated(ev.CommitTime); (tt.created == "") != ev.CommitTime.IsZero() || (tt.created != "" && got != tt.created) {
				t.Errorf("commit time %v (%s), want %q", ev.CommitTime, got, tt.created)
			}
			got := Metadata(ev, res, MetadataInput{Created: ev.CommitTime})
			want := []Label{
				{KeyDescription, ""},
				{KeyLicenses, ""},
				{KeyRevision, ev.SHA},
				{KeySource, "https://github.com/Codertocat/Hello-World"},
				{KeyTitle, "Hello-World"},
				{KeyURL, "https://github.com/Codertocat/Hello-World"},
				{KeyVersion, tt.version},
			}
			if tt.created != "" {
				want = append([]Label{{KeyCreated, tt.created}}, want...)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestMetadataRepository: the payload's repository wins over the one the
// caller knows (the run's), which fills in what the payload lacks; a
// licence and a description come through as the payload spells them.
func TestMetadataRepository(t *testing.T) {
	t.Parallel()
	payload := `{"repository": {"full_name": "acme/app", "name": "app", "html_url": "https://github.example/acme/app",
		"description": "line one\n::warning::two", "license": {"spdx_id": "Apache-2.0"}}}`
	ev, err := ParseEvent(EventInput{Name: "push", Ref: "refs/tags/v2.0.0", SHA: "abcdef1", Payload: []byte(payload)})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := ev.Tags(nil, Policy{})
	created := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.FixedZone("x", 3600))
	got := Metadata(ev, res, MetadataInput{Created: created, Repo: Repository{FullName: "other/thing", URL: "https://elsewhere/other/thing", License: "MIT"}})
	want := []Label{
		{KeyCreated, "2026-01-02T02:04:05.006Z"},
		{KeyDescription, "line one\n::warning::two"},
		{KeyLicenses, "Apache-2.0"},
		{KeyRevision, "abcdef1"},
		{KeySource, "https://github.example/acme/app"},
		{KeyTitle, "app"},
		{KeyURL, "https://github.example/acme/app"},
		{KeyVersion, "v2.0.0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}

	// No payload: the caller's repository, its name as the title.
	ev, _ = ParseEvent(EventInput{Ref: "refs/tags/v2.0.0"})
	got = Metadata(ev, res, MetadataInput{Repo: Repository{FullName: "other/thing", URL: "https://elsewhere/other/thing"}})
	if title, url := got[slices.IndexFunc(got, func(l Label) bool { return l.Key == KeyTitle })], got[slices.IndexFunc(got, func(l Label) bool { return l.Key == KeyURL })]; title.Value != "thing" || url.Value != "https://elsewhere/other/thing" {
		t.Errorf("title %q, url %q", title.Value, url.Value)
	}
	if slices.ContainsFunc(got, func(l Label) bool { return l.Key == KeyCreated }) {
		t.Errorf("created without a time: %v", got)
	}
}

func TestAnnotationLevels(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":                                {"manifest"},
		"manifest,index":                  {"manifest", "index"},
		" index , manifest-descriptor ":   {"index", "manifest-descriptor"},
		"index,index":                     {"index"},
		"manifest[linux/amd64],index":     {"manifest[linux/amd64]", "index"},
		"index-descriptor":                {"index-descriptor"},
		"manifest,":                       nil,
		"layer":                           nil,
		"manifest\n::error::x":            nil,
		"manifest[linux/amd64]:x=y,index": nil,
	} {
		got, err := ParseAnnotationLevels(in)
		if want == nil {
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("%q: %v, %v; want a bad input error", in, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	labels := []Label{{KeyRevision, "abc"}, {KeyVersion, "v1=2"}}
	got := strings.Join(Annotations(labels, []string{"manifest", "index"}), "\n")
	want := "manifest:org.opencontainers.image.revision=abc\nmanifest:org.opencontainers.image.version=v1=2\n" +
		"index:org.opencontainers.image.revision=abc\nindex:org.opencontainers.image.version=v1=2"
	if got != want {
		t.Errorf("annotations:\n%s\nwant\n%s", got, want)
	}
}
