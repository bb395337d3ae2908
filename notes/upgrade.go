package notes

import (
	"fmt"
	"strings"

	"github.com/sonicsaas/sonic-release/migrations/report"
)

// maxCauses is how many breaking migrations a cell of the upgrade table
// names before "and N more".
const maxCauses = 4

// writeUpgrades writes the "Upgrading from, rolling back to" table: for each
// release an operator may be on, how many migrations upgrading applies,
// which of them are breaking for that release (and which release brought
// each), and so whether rolling back to it needs the backup restored. The
// problems of the pairs follow it, each once, with the releases they are
// about.
func writeUpgrades(b *strings.Builder, n *Notes) {
	u := n.Upgrades
	if u == nil || !hasMigrations(u) {
		return
	}
	b.WriteString("\n### Upgrading from, rolling back to\n\n")
	if len(u.Rows) == 0 {
		fmt.Fprintf(b, "No earlier release: a new installation of %s applies every migration.\n", escape(n.Version))
		return
	}
	b.WriteString("| from | migrations | breaking for it | rolling back to it |\n|---|---|---|---|\n")
	type problem struct{ file, reason string }
	var order []problem
	from := map[problem][]string{}
	for _, r := range u.Rows {
		rollback := "no restore needed"
		if r.Breaking {
			rollback = "**restore the backup**"
		}
		if len(r.Problems) > 0 {
			rollback += " (see the problems below)"
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s |\n", cell(r.From), r.Migrations, causes(r.Causes), rollback)
		for _, f := range r.Problems {
			p := problem{f.File, f.Reason}
			if from[p] == nil {
				order = append(order, p)
			}
			from[p] = append(from[p], r.From)
		}
	}
	if len(order) > 0 {
		b.WriteString("\n> [!WARNING]\n> Upgrading from some of these releases meets problems with the migration set:\n")
		for _, p := range order {
			who := "from " + strings.Join(from[p], ", ")
			if len(from[p]) == len(u.Rows) {
				who = "from every release above"
			}
			fmt.Fprintf(b, "> - %s: `%s`: %s\n", who, oneLine(p.file), escape(p.reason))
		}
	}
}

// hasMigrations reports whether the table has anything to say: the
// release or an earlier one ships migrations. A project without any gets no
// table.
func hasMigrations(u *report.Upgrades) bool {
	if u.Migrations > 0 {
		return true
	}
	for _, r := range u.Rows {
		if r.Migrations > 0 || len(r.Problems) > 0 || len(r.Causes) > 0 {
			return true
		}
	}
	return false
}

// causes is the "breaking for it" cell: the breaking migrations grouped by
// the release that brought them, in the order they run.
func causes(cs []report.Cause) string {
	if len(cs) == 0 {
		return "none"
	}
	var parts []string
	var names []string
	release := ""
	flush := func() {
		if len(names) > 0 {
			parts = append(parts, fmt.Sprintf("%s (%s)", cell(release), strings.Join(names, ", ")))
		}
		names = nil
	}
	for i, c := range cs {
		if i == maxCauses {
			flush()
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-maxCauses))
			return strings.Join(parts, "; ")
		}
		if c.Release != release {
			flush()
			release = c.Release
		}
		names = append(names, "`"+cell(oneLine(c.Migration))+"`")
	}
	flush()
	return strings.Join(parts, "; ")
}

// cell keeps repository text inside one table cell.
func cell(s string) string {
	return strings.ReplaceAll(escape(s), "|", `\|`)
}
