package notes

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"unicode"

	"github.com/sonicsaas/sonic-release/migrations/report"
)

// Markdown renders the notes in the built-in layout: migrations, breaking
// changes, changes by category, the image, the compare link.
func Markdown(n *Notes) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n", n.Version)
	if n.Prerelease {
		b.WriteString("\nThis is a pre-release.\n")
	}
	if len(n.Breaking) > 0 && (n.Bump == "minor" || n.Bump == "patch") {
		fmt.Fprintf(&b, "\n> [!WARNING]\n> %s is a %s release, but it contains breaking changes: read them below before upgrading.\n", n.Version, n.Bump)
	}
	writeMigrations(&b, n)
	writeUpgrades(&b, n)
	if len(n.Breaking) > 0 {
		b.WriteString("\n### Breaking changes\n\n")
		for _, c := range n.Breaking {
			fmt.Fprintf(&b, "- %s%s%s\n", escape(c.Description), ref(c.PR, c.SHA), alreadyIn(c.AlreadyIn))
		}
	}
	b.WriteString("\n### Changes\n")
	switch {
	case len(n.Categories) == 0 && len(n.AlreadyReleased) > 0:
		b.WriteString("\nNo new changes: all of them were released before (below).\n")
	case len(n.Categories) == 0:
		b.WriteString("\nNo changes.\n")
	}
	for _, c := range n.Categories {
		fmt.Fprintf(&b, "\n#### %s\n\n", escape(c.Title))
		writeEntries(&b, c.Entries)
	}
	if len(n.AlreadyReleased) > 0 {
		b.WriteString("\n### Already released\n\nPart of this release too, but shipped before in the release named: new only to an operator on an older version than that.\n")
		for _, r := range n.AlreadyReleased {
			fmt.Fprintf(&b, "\n#### In %s\n\n", r.Version)
			writeEntries(&b, r.Entries)
		}
	}
	writeImage(&b, n.Image)
	writeAirGap(&b, n.Image)
	if n.CompareURL != "" {
		fmt.Fprintf(&b, "\n**Full changelog**: %s\n", n.CompareURL)
	}
	return b.String()
}

func writeEntries(b *strings.Builder, es []Entry) {
	for _, e := range es {
		by := ""
		if e.Author != "" {
			by = " by @" + escape(e.Author)
		}
		fmt.Fprintf(b, "- %s%s%s\n", escape(e.Title), by, ref(e.PR, e.SHA))
	}
}

// alreadyIn is the note on a breaking change an earlier release shipped.
func alreadyIn(version string) string {
	if version == "" {
		return ""
	}
	return " (already in " + version + ")"
}

func ref(pr int, sha string) string {
	switch {
	case pr != 0:
		return fmt.Sprintf(" (#%d)", pr)
	case sha != "":
		return fmt.Sprintf(" (%s)", short(sha))
	}
	return ""
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// escape keeps a title on one line and stops it from opening HTML.
func escape(s string) string {
	return strings.NewReplacer("<", `\<`, ">", `\>`).Replace(flatten(s))
}

// flatten turns every control character (\r and \n included) and line
// separator into a space: repository text stays on its line.
func flatten(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

func writeMigrations(b *strings.Builder, n *Notes) {
	if n.MigrationsError != "" {
		writeMigrationsFailed(b, n)
		return
	}
	r := n.Migrations
	if r == nil || (len(r.Migrations) == 0 && len(r.Problems) == 0) {
		return
	}
	prev := n.Previous
	if prev == "" {
		prev = "the previous release"
	}
	b.WriteString("\n### Database migrations\n")
	if r.Breaking() {
		fmt.Fprintf(b, "\n> [!CAUTION]\n> This release contains database migrations that %s cannot run against.\n", prev)
		fmt.Fprintf(b, "> **Back up the database before upgrading.** Rolling back to %s needs that backup restored: the migrations are forward-only.\n", prev)
	}
	if len(r.Problems) > 0 {
		b.WriteString("\n> [!WARNING]\n> The migration set has problems:\n")
		for _, f := range r.Problems {
			fmt.Fprintf(b, "> - `%s`: %s\n", oneLine(f.File), escape(f.Reason))
		}
	}
	var compatible, review []report.Migration
	first := true
	for _, m := range r.Migrations {
		if m.Review {
			review = append(review, m)
		}
		if !m.Breaking {
			if !m.Review {
				compatible = append(compatible, m)
			}
			continue
		}
		if first {
			fmt.Fprintf(b, "\n#### Breaking for %s\n\n", prev)
			first = false
		}
		fmt.Fprintf(b, "- **%s** (`%s`, %s)\n", escape(m.Name), oneLine(m.File), m.Status)
		for _, f := range m.Findings {
			if f.Breaking {
				writeFinding(b, f)
			}
		}
	}
	if len(review) > 0 {
		// Statements the analyser cannot judge: not a claim that they
		// break the previous release, so apart from the CAUTION.
		fmt.Fprintf(b, "\n#### Needs review\n\nThe analyser cannot judge these statements (triggers, function bodies, dynamic SQL, …): read them to know whether %s still runs after them.\n\n", prev)
		for _, m := range review {
			fmt.Fprintf(b, "- **%s** (`%s`, %s)\n", escape(m.Name), oneLine(m.File), m.Status)
			for _, f := range m.Findings {
				if f.Review {
					writeFinding(b, f)
				}
			}
		}
	}
	if len(compatible) > 0 {
		b.WriteString("\n#### Compatible\n\n")
		for _, m := range compatible {
			fmt.Fprintf(b, "- %s (`%s`)\n", escape(m.Name), oneLine(m.File))
		}
	}
}

// writeFinding writes one statement of a migration: where, what, why.
func writeFinding(b *strings.Builder, f report.Finding) {
	loc := oneLine(f.File)
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, f.Line)
	}
	fmt.Fprintf(b, "  - `%s`: `%s`: %s\n", loc, oneLine(f.Statement), escape(f.Reason))
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(flatten(s)), " ")
	s = strings.ReplaceAll(s, "`", "'")
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

func writeImage(b *strings.Builder, img *Image) {
	if img == nil {
		return
	}
	b.WriteString("\n### Container image\n\n")
	fmt.Fprintf(b, "`%s`\n\n", img.Reference)
	if len(img.Tags) > 0 {
		b.WriteString("| tag | digest |\n|---|---|\n")
		for _, t := range img.Tags {
			fmt.Fprintf(b, "| `%s` | `%s` |\n", t, img.Digest)
		}
	}
	if len(img.Platforms) > 0 {
		b.WriteString("\n| platform | digest |\n|---|---|\n")
		for _, p := range img.Platforms {
			fmt.Fprintf(b, "| `%s` | `%s` |\n", p.Platform, p.Digest)
		}
	}
	b.WriteString("\nPin this release, pull it by digest and verify its signature:\n\n```sh\n")
	if img.Pin != "" {
		b.WriteString(img.Pin + "\n")
	}
	b.WriteString(img.Pull + "\n")
	if img.Verify != "" {
		b.WriteString(img.Verify + "\n")
	}
	for _, l := range provenanceLines(img) {
		b.WriteString(l + "\n")
	}
	b.WriteString("```\n")
}

// Template renders the notes with a Go text/template. The template sees a
// Notes value; besides the built-in functions it has "markdown" (the
// built-in layout), "short" (a 7-character commit id) and "join".
func Template(n *Notes, text string) (string, error) {
	t, err := template.New("notes").Funcs(template.FuncMap{
		"markdown": func() string { return Markdown(n) },
		"short":    short,
		"join":     strings.Join,
	}).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", &InputError{What: fmt.Sprintf("parsing the notes template: %v", err), Expect: "a Go text/template over the JSON fields of the notes (see docs/notes.md)"}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, n); err != nil {
		return "", &InputError{What: fmt.Sprintf("rendering the notes template: %v", err), Expect: "a Go text/template over the fields of notes.Notes (see docs/notes.md)"}
	}
	return buf.String(), nil
}
