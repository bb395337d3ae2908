package notes

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sonicsaas/sonic-release/internal/inputfile"
)

// Config is GitHub's .github/release.yml format for generated release
// notes, so a repository that configured GitHub's notes gets the same
// grouping.
type Config struct {
	Changelog Changelog `yaml:"changelog" json:"changelog"`
}

// Changelog is the changelog key of release.yml.
type Changelog struct {
	Exclude    Exclude          `yaml:"exclude" json:"exclude"`
	Categories []ConfigCategory `yaml:"categories" json:"categories"`
}

// Exclude lists labels and authors whose pull requests are left out.
type Exclude struct {
	Labels  []string `yaml:"labels" json:"labels,omitempty"`
	Authors []string `yaml:"authors" json:"authors,omitempty"`
}

// ConfigCategory is one category: a title and the labels that put a pull
// request in it ("*" matches every pull request not matched before).
type ConfigCategory struct {
	Title   string   `yaml:"title" json:"title"`
	Labels  []string `yaml:"labels" json:"labels"`
	Exclude Exclude  `yaml:"exclude" json:"exclude"`
}

// ParseConfig parses a release.yml document. Unknown keys are errors, so a
// typo does not silently change the grouping.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, &InputError{What: fmt.Sprintf("parsing release.yml: %v", err), Expect: "expected GitHub's format: changelog.exclude.{labels,authors} and changelog.categories[].{title,labels,exclude}"}
	}
	for i, cat := range c.Changelog.Categories {
		if strings.TrimSpace(cat.Title) == "" {
			return nil, &InputError{What: fmt.Sprintf("release.yml: category %d has no title", i+1), Expect: "give every category a title"}
		}
		if len(cat.Labels) == 0 {
			return nil, &InputError{What: fmt.Sprintf("release.yml: category %q has no labels", cat.Title), Expect: `list its labels, or "*" for every pull request`}
		}
	}
	return &c, nil
}

// LoadConfig reads and parses a release.yml file.
func LoadConfig(path string) (*Config, error) {
	data, err := inputfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("reading release config %q: %w", path, err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("reading release config %q: %w", path, err)
	}
	return c, nil
}

// FindConfig reads the repository's own release.yml, as GitHub looks for
// it: .github/release.yml, else .github/release.yaml, in the clone at
// repoDir. It returns nil when there is neither.
func FindConfig(repoDir string) (*Config, error) {
	for _, name := range []string{"release.yml", "release.yaml"} {
		p := filepath.Join(repoDir, ".github", name)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("reading release config %q: %w", p, err)
		}
		return LoadConfig(p)
	}
	return nil, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func (e Exclude) excludes(author string, labels []string) bool {
	if author != "" && contains(e.Authors, author) {
		return true
	}
	for _, l := range labels {
		if contains(e.Labels, l) {
			return true
		}
	}
	return false
}

// category returns the title of the first category the entry falls in, as
// GitHub does: the first whose labels match (or "*"), unless that category
// excludes it. ok is false when the entry is excluded altogether.
func (c *Config) category(author string, labels []string) (string, bool) {
	if c.Changelog.Exclude.excludes(author, labels) {
		return "", false
	}
	for _, cat := range c.Changelog.Categories {
		if cat.Exclude.excludes(author, labels) {
			continue
		}
		if contains(cat.Labels, "*") {
			return cat.Title, true
		}
		for _, l := range labels {
			if contains(cat.Labels, l) {
				return cat.Title, true
			}
		}
	}
	return otherChanges, true
}

const otherChanges = "Other Changes"
