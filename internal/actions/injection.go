package actions

import (
	"strings"
)

// toolTitles are the titles of the annotations sonic-release writes itself.
var toolTitles = []string{"sonic-release", "release notes ", "migration: ", "breaking migration: ", "migration to review: ", "migration problem"}

// ForeignCommands returns the lines of output (stdout or stderr of a run)
// that the runner would take as workflow commands and that are not one of
// the tool's own: an annotation with one of its titles, a log group, a
// mask. Tests run commands on hostile repository text and want none.
func ForeignCommands(output string) []string {
	var bad []string
	for _, line := range strings.FieldsFunc(output, func(r rune) bool { return r == '\n' || r == '\r' }) {
		switch {
		case strings.Contains(line, "##["):
			bad = append(bad, line)
		case IsCommand(line) && !isToolCommand(line):
			bad = append(bad, line)
		}
	}
	return bad
}

func isToolCommand(line string) bool {
	if strings.HasPrefix(line, "::endgroup::") && line == "::endgroup::" ||
		strings.HasPrefix(line, "::group::sonic-release: ") || strings.HasPrefix(line, "::add-mask::") {
		return true
	}
	for _, level := range []string{"error", "warning", "notice"} {
		props, ok := strings.CutPrefix(line, "::"+level+" ")
		if !ok {
			continue
		}
		props, _, ok = strings.Cut(props, "::")
		if !ok {
			return false
		}
		for _, p := range strings.Split(props, ",") {
			if title, ok := strings.CutPrefix(p, "title="); ok {
				title = strings.ReplaceAll(title, "%3A", ":")
				for _, t := range toolTitles {
					if strings.HasPrefix(title, t) {
						return true
					}
				}
			}
		}
		return false
	}
	return false
}
