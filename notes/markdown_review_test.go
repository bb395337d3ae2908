package notes

import (
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/migrations"
)

// A migration that only needs review is shown apart: no CAUTION, not under
// Compatible, its statements under "Needs review"; a breaking migration's
// statements to review are listed there too.
func TestMarkdownMigrationsToReview(t *testing.T) {
	trigger := migrations.Finding{File: "drizzle/0004_touch.sql", Line: 2, Statement: "CREATE TRIGGER touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
		Class: migrations.Other, Table: "users", Review: true, Level: migrations.LevelNotice, Reason: "adds trigger touch on users, which the previous release writes: read function touch"}
	rep := &migrations.Report{From: "v1.0.0", To: "v1.1.0", Dir: "drizzle", Migrations: []migrations.Migration{
		{Name: "0003_orders", File: "drizzle/0003_orders.sql", Status: "added", Findings: []migrations.Finding{{File: "drizzle/0003_orders.sql", Line: 1, Statement: "CREATE TABLE orders (id int)", Class: migrations.Additive, Level: migrations.LevelInfo, Reason: "creates table orders"}}},
		{Name: "0004_touch", File: "drizzle/0004_touch.sql", Status: "added", Review: true, Findings: []migrations.Finding{trigger}},
	}}
	md := Markdown(&Notes{Version: "v1.1.0", Previous: "v1.0.0", Migrations: rep})
	for _, want := range []string{"#### Needs review", "read them to know whether v1.0.0 still runs after them", "- **0004_touch** (`drizzle/0004_touch.sql`, added)",
		"  - `drizzle/0004_touch.sql:2`: `CREATE TRIGGER touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()`: adds trigger touch on users", "#### Compatible\n\n- 0003_orders (`drizzle/0003_orders.sql`)\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, bad := range []string{"[!CAUTION]", "Breaking for", "- 0004_touch"} {
		if strings.Contains(md, bad) {
			t.Errorf("markdown has %q:\n%s", bad, md)
		}
	}

	// Breaking too: the CAUTION, and its statement to review listed apart.
	rep.Migrations[1].Breaking = true
	rep.Migrations[1].Findings = append(rep.Migrations[1].Findings, migrations.Finding{File: "drizzle/0004_touch.sql", Line: 3, Statement: "ALTER TABLE users DROP COLUMN bio",
		Class: migrations.DropColumn, Breaking: true, Level: migrations.LevelWarning, Reason: "drops column users.bio"})
	md = Markdown(&Notes{Version: "v1.1.0", Previous: "v1.0.0", Migrations: rep})
	breaking, review, _ := strings.Cut(md, "#### Needs review")
	if !strings.Contains(breaking, "[!CAUTION]") || !strings.Contains(breaking, "drops column users.bio") || strings.Contains(breaking, "adds trigger") {
		t.Errorf("breaking part:\n%s", breaking)
	}
	if !strings.Contains(review, "adds trigger touch") || strings.Contains(review, "drops column") {
		t.Errorf("review part:\n%s", review)
	}
}
