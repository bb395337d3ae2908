package notes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigCategory(t *testing.T) {
	c := mustConfig(t, `changelog:
  exclude:
    labels: [ignore-for-release]
    authors: [renovate-bot]
  categories:
    - title: Security
      labels: [security]
    - title: Features
      labels: [enhancement, Feature]
      exclude:
        labels: [experimental]
    - title: Fixes
      labels: [bug]
`)
	tests := []struct {
		author string
		labels []string
		want   string // "" for excluded
	}{
		{"alice", []string{"security", "enhancement"}, "Security"}, // first category wins
		{"alice", []string{"feature"}, "Features"},                 // labels match case-insensitively
		{"alice", []string{"enhancement", "experimental"}, "Other Changes"},
		{"alice", []string{"enhancement", "bug", "experimental"}, "Fixes"},
		{"alice", nil, "Other Changes"},
		{"alice", []string{"bug", "ignore-for-release"}, ""},
		{"renovate-bot", []string{"bug"}, ""},
	}
	for _, tt := range tests {
		got, ok := c.category(tt.author, tt.labels)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("category(%q, %q) = %q, want %q", tt.author, tt.labels, got, tt.want)
		}
	}
	star := mustConfig(t, "changelog:\n  categories:\n    - title: Fixes\n      labels: [bug]\n    - title: Everything else\n      labels: ['*']\n")
	if got, _ := star.category("a", []string{"docs"}); got != "Everything else" {
		t.Errorf(`"*" category: got %q`, got)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, doc := range []string{
		"changelog:\n  categorys: []\n",
		"changelog:\n  categories:\n    - labels: [bug]\n",
		"changelog:\n  categories:\n    - title: Fixes\n",
		"changelog: [",
	} {
		_, err := ParseConfig([]byte(doc))
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("ParseConfig(%q) = %v, want an InputError", doc, err)
		}
	}
}

func TestConventional(t *testing.T) {
	tests := []struct {
		subject string
		want    conventional
		ok      bool
	}{
		{"feat(api)!: drop v1 (#12)", conventional{"feat", "api", true, "drop v1 (#12)"}, true},
		{"Fix: typo", conventional{"fix", "", false, "typo"}, true},
		{"Merge pull request #4 from a/b", conventional{}, false},
		{"Update README", conventional{}, false},
	}
	for _, tt := range tests {
		got, ok := parseConventional(tt.subject)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseConventional(%q) = %+v %v", tt.subject, got, ok)
		}
	}
	for subject, want := range map[string]int{
		"Merge pull request #123 from octo/x": 123,
		"feat: export (#45)":                  45,
		"feat: export (#45) ":                 45,
		"fix #45 in exporter":                 0,
		"Revert \"feat: x (#7)\"":             0,
	} {
		if got := prNumber(subject); got != want {
			t.Errorf("prNumber(%q) = %d, want %d", subject, got, want)
		}
	}
	note, ok := breakingFooter("Some body.\n\nBREAKING CHANGE: the API\nnow needs a token.\n\nRefs: #3")
	if !ok || note != "the API now needs a token." {
		t.Errorf("footer = %q %v", note, ok)
	}
	if _, ok := breakingFooter("mentions a BREAKING CHANGE: inline"); ok {
		t.Error("an inline mention counted as a footer")
	}
	if !strings.Contains(escape("a <b>\nc"), `\<b\>`) {
		t.Error("titles are not escaped")
	}
}

// TestFindConfig: .github/release.yml, else .yaml, as GitHub looks; none
// is no config, and a bad one is an error naming the file.
func TestFindConfig(t *testing.T) {
	write := func(t *testing.T, dir, name, content string) {
		t.Helper()
		p := filepath.Join(dir, ".github", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := func(title string) string {
		return "changelog:\n  categories:\n    - title: " + title + "\n      labels: ['*']\n"
	}
	title := func(c *Config) string {
		if c == nil {
			return "<none>"
		}
		return c.Changelog.Categories[0].Title
	}

	dir := t.TempDir()
	if c, err := FindConfig(dir); c != nil || err != nil {
		t.Errorf("no config: %+v, %v", c, err)
	}
	write(t, dir, "release.yaml", cfg("From yaml"))
	if c, err := FindConfig(dir); err != nil || title(c) != "From yaml" {
		t.Errorf(".yaml only: %s, %v", title(c), err)
	}
	write(t, dir, "release.yml", cfg("From yml"))
	if c, err := FindConfig(dir); err != nil || title(c) != "From yml" {
		t.Errorf(".yml and .yaml: %s, %v (want .yml, as GitHub)", title(c), err)
	}
	write(t, dir, "release.yml", "changelog:\n  categorys: []\n")
	_, err := FindConfig(dir)
	if b, ok := errors.AsType[badInputer](err); !ok || !b.BadInput() || !strings.Contains(err.Error(), filepath.Join(dir, ".github", "release.yml")) {
		t.Errorf("bad config: err = %v, want bad input naming the file", err)
	}
}
