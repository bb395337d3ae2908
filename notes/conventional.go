package notes

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	conventionalRe  = regexp.MustCompile(`^([A-Za-z]+)(?:\(([^()]*)\))?(!)?: *(.+)$`)
	mergeSubjectRe  = regexp.MustCompile(`^Merge pull request #(\d+) from `)
	squashSubjectRe = regexp.MustCompile(`\(#(\d+)\)\s*$`)
	footerRe        = regexp.MustCompile(`(?m)^BREAKING[ -]CHANGE: *(.*)$`)
)

// conventional is a parsed conventional-commit header.
type conventional struct {
	Type        string
	Scope       string
	Breaking    bool
	Description string
}

func parseConventional(subject string) (conventional, bool) {
	m := conventionalRe.FindStringSubmatch(subject)
	if m == nil {
		return conventional{}, false
	}
	return conventional{Type: strings.ToLower(m[1]), Scope: m[2], Breaking: m[3] == "!", Description: strings.TrimSpace(m[4])}, true
}

// breakingFooter returns the text of a BREAKING CHANGE footer, with its
// continuation lines up to the next blank line.
func breakingFooter(body string) (string, bool) {
	loc := footerRe.FindStringSubmatchIndex(body)
	if loc == nil {
		return "", false
	}
	text := body[loc[2]:loc[3]]
	rest := body[loc[1]:]
	for _, line := range strings.Split(strings.TrimPrefix(rest, "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			break
		}
		text += " " + strings.TrimSpace(line)
	}
	return strings.TrimSpace(text), true
}

// prNumber finds the pull request number in a merge or squash commit
// subject: "Merge pull request #123 from …" or "… (#123)".
func prNumber(subject string) int {
	for _, re := range []*regexp.Regexp{mergeSubjectRe, squashSubjectRe} {
		if m := re.FindStringSubmatch(subject); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

// conventionalTitles maps conventional-commit types to the categories used
// when the repository has no .github/release.yml, in this order.
var conventionalTitles = []struct {
	Title string
	Types []string
}{
	{"Features", []string{"feat", "feature"}},
	{"Bug fixes", []string{"fix", "bugfix"}},
	{"Performance", []string{"perf"}},
	{"Security", []string{"security", "sec"}},
	{"Refactoring", []string{"refactor"}},
	{"Documentation", []string{"docs", "doc"}},
	{"Dependencies", []string{"deps", "build"}},
	{otherChanges, nil},
}

var breakingLabels = map[string]bool{
	"breaking": true, "breaking-change": true, "breaking change": true, "breaking-changes": true,
	"breaking changes": true, "semver-major": true, "semver:major": true, "type: breaking": true,
}

// conventionalCategory is the category of a conventional-commit type:
// otherChanges for a type no category lists (or none).
func conventionalCategory(typ string) string {
	for _, ct := range conventionalTitles {
		if contains(ct.Types, typ) {
			return ct.Title
		}
	}
	return otherChanges
}

func isBreakingLabel(l string) bool { return breakingLabels[strings.ToLower(strings.TrimSpace(l))] }
