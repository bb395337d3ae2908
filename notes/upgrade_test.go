package notes

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/migrations"
)

// drizzleRepo is a git repository whose branches carry Drizzle migrations
// (drizzle/NNNN_name.sql and drizzle/meta/_journal.json).
type drizzleRepo struct {
	*gittest.Repo
	t       *testing.T
	journal map[string][]map[string]any // per branch
	branch  string
	when    int64
}

func newDrizzleRepo(t *testing.T) *drizzleRepo {
	return &drizzleRepo{Repo: gittest.New(t), t: t, journal: map[string][]map[string]any{}, branch: "main", when: 1_770_000_000_000}
}

// migrate commits a migration on the current branch, dated now.
func (d *drizzleRepo) migrate(name, sql string) {
	d.when += 60_000
	d.add(name, sql, d.when)
}

// add commits a migration on the current branch with the given journal
// date (a cherry-pick keeps the date of the original).
func (d *drizzleRepo) add(name, sql string, when int64) {
	entries := append(d.journal[d.branch], map[string]any{"idx": len(d.journal[d.branch]), "version": "7", "when": when, "tag": name, "breakpoints": true})
	d.journal[d.branch] = entries
	js, err := json.MarshalIndent(map[string]any{"version": "7", "dialect": "postgresql", "entries": entries}, "", "  ")
	if err != nil {
		d.t.Fatal(err)
	}
	d.Commit("migration "+name, map[string]string{"drizzle/" + name + ".sql": sql, "drizzle/meta/_journal.json": string(js)})
}

// branchAt starts branch at ref and switches to it.
func (d *drizzleRepo) branchAt(branch, ref string) {
	d.Git("checkout", "-q", "-b", branch, ref)
	var j struct{ Entries []map[string]any }
	if err := json.Unmarshal([]byte(d.Git("show", ref+":drizzle/meta/_journal.json")), &j); err != nil {
		d.t.Fatal(err)
	}
	d.journal[branch] = j.Entries
	d.branch = branch
}

func (d *drizzleRepo) checkout(branch string) {
	d.Git("checkout", "-q", branch)
	d.branch = branch
}

// tables renders the upgrade table of each release with writeUpgrades.
func (d *drizzleRepo) tables(releases ...string) string {
	d.t.Helper()
	h, err := migrations.ReadHistory(d.t.Context(), d.Dir, "")
	if err != nil {
		d.t.Fatal(err)
	}
	var b strings.Builder
	for _, v := range releases {
		u, err := h.Upgrades(v)
		if err != nil {
			d.t.Fatal(err)
		}
		fmt.Fprintf(&b, "<!-- the notes of %s -->\n", v)
		writeUpgrades(&b, &Notes{Version: v, Upgrades: &u})
		b.WriteString("\n")
	}
	return b.String()
}

// TestUpgradesSkippedVersions: a column added in v1.1.0 and dropped in
// v1.2.0 breaks v1.1.x but not v1.0.0, which never had it; a NOT NULL
// column added in v1.3.0 to a table new in v1.1.1 breaks v1.1.1 and up,
// not the releases before the table.
func TestUpgradesSkippedVersions(t *testing.T) {
	d := newDrizzleRepo(t)
	d.migrate("0000_init", `CREATE TABLE "users" ("id" serial PRIMARY KEY, "name" text);`+"\n")
	d.Tag("v0.9.0")
	d.Commit("fix: a typo", nil)
	d.Tag("v1.0.0")
	d.migrate("0001_nickname", `ALTER TABLE "users" ADD COLUMN "nickname" text;`+"\n")
	d.Tag("v1.1.0")
	d.migrate("0002_orders", `CREATE TABLE "orders" ("id" serial PRIMARY KEY, "user_id" integer);`+"\n")
	d.Tag("v1.1.1")
	d.migrate("0003_drop_nickname", `ALTER TABLE "users" DROP COLUMN "nickname";`+"\n")
	d.Tag("v1.2.0")
	d.Commit("fix: another typo", nil)
	d.Tag("v1.2.1")
	d.migrate("0004_orders_total", `ALTER TABLE "orders" ADD COLUMN "total" integer NOT NULL;`+"\n--> statement-breakpoint\n"+`CREATE INDEX "orders_user_idx" ON "orders" ("user_id");`+"\n")
	d.Tag("v1.3.0")
	golden(t, "TestUpgradesSkippedVersions.md.golden", d.tables("v1.3.0", "v1.2.0"))

	// In the notes: after the migrations of the range, before the changes.
	h, err := migrations.ReadHistory(t.Context(), d.Dir, "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.Upgrades("v1.3.0")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := h.Between("v1.2.1", "v1.3.0")
	if err != nil {
		t.Fatal(err)
	}
	n, err := Build(t.Context(), Input{Version: "v1.3.0", RepoDir: d.Dir, Migrations: &rep, Upgrades: &u})
	if err != nil {
		t.Fatal(err)
	}
	md := Markdown(n)
	mig, table, changes := strings.Index(md, "### Database migrations"), strings.Index(md, "### Upgrading from, rolling back to"), strings.Index(md, "### Changes")
	if mig < 0 || table < mig || changes < table {
		t.Errorf("the table is not between the migrations and the changes:\n%s", md)
	}
	js, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"upgrades":{"to":"v1.3.0","dir":"drizzle","migrations":5,"rows":[{"from":"v1.2.1","breaking":true,"migrations":1`) {
		t.Errorf("-o json has no upgrades: %s", js)
	}
}

// TestUpgradesBackports: v1.1.1 is a backport on release-1.1 with a
// migration of its own that main never gets (and main's migration after the
// branch point is dated before it); v1.2.1 is a backport on release-1.2
// whose migration is carried forward to main before main's next one.
func TestUpgradesBackports(t *testing.T) {
	d := newDrizzleRepo(t)
	d.migrate("0000_init", `CREATE TABLE "users" ("id" serial PRIMARY KEY, "name" text);`+"\n")
	d.Tag("v1.0.0")
	d.migrate("0001_email", `ALTER TABLE "users" ADD COLUMN "email" text;`+"\n")
	d.Tag("v1.1.0")
	d.migrate("0002_teams", `CREATE TABLE "teams" ("id" serial PRIMARY KEY);`+"\n")
	d.Tag("v1.2.0")
	d.branchAt("release-1.1", "v1.1.0")
	d.migrate("0002_backport_name_required", `ALTER TABLE "users" ALTER COLUMN "name" SET NOT NULL;`+"\n")
	d.Tag("v1.1.1")
	d.branchAt("release-1.2", "v1.2.0")
	d.migrate("0003_backport_email_index", `CREATE INDEX "users_email_idx" ON "users" ("email");`+"\n")
	d.Tag("v1.2.1")
	when := d.when
	d.checkout("main")
	d.add("0003_backport_email_index", `CREATE INDEX "users_email_idx" ON "users" ("email");`+"\n", when)
	d.migrate("0004_drop_email", `ALTER TABLE "users" DROP COLUMN "email";`+"\n")
	d.Tag("v1.3.0")
	golden(t, "TestUpgradesBackports.md.golden", d.tables("v1.3.0", "v1.1.1", "v1.2.1"))
}

// TestUpgradesPrereleases: the pre-releases of a version are rows of its
// next pre-release, not of the release itself.
func TestUpgradesPrereleases(t *testing.T) {
	d := newDrizzleRepo(t)
	d.migrate("0000_init", `CREATE TABLE "users" ("id" serial PRIMARY KEY, "name" text);`+"\n")
	d.Tag("v1.0.0")
	d.migrate("0001_nickname", `ALTER TABLE "users" ADD COLUMN "nickname" text;`+"\n")
	d.Tag("v1.1.0-rc.1")
	d.migrate("0002_drop_nickname", `ALTER TABLE "users" DROP COLUMN "nickname";`+"\n")
	d.Tag("v1.1.0-rc.2")
	d.Commit("fix: release", nil)
	d.Tag("v1.1.0")
	golden(t, "TestUpgradesPrereleases.md.golden", d.tables("v1.1.0-rc.2", "v1.1.0"))
}

// TestUpgradesFirstRelease: no earlier release, no table rows.
func TestUpgradesFirstRelease(t *testing.T) {
	d := newDrizzleRepo(t)
	d.migrate("0000_init", `CREATE TABLE "users" ("id" serial PRIMARY KEY, "name" text);`+"\n")
	d.Tag("v1.0.0")
	golden(t, "TestUpgradesFirstRelease.md.golden", d.tables("v1.0.0"))
}

// TestUpgradesNoMigrations: a project without migrations gets no table.
func TestUpgradesNoMigrations(t *testing.T) {
	d := newDrizzleRepo(t)
	d.Commit("feat: first", nil)
	d.Tag("v1.0.0")
	d.Commit("feat: second", nil)
	d.Tag("v1.1.0")
	if got := d.tables("v1.1.0", "v1.0.0"); got != "<!-- the notes of v1.1.0 -->\n\n<!-- the notes of v1.0.0 -->\n\n" {
		t.Errorf("tables of a project without migrations:\n%s", got)
	}
}

// TestUpgradesHostileNames: names from the repository stay inside their
// table cell and their line.
func TestUpgradesHostileNames(t *testing.T) {
	var b strings.Builder
	writeUpgrades(&b, &Notes{Version: "v1.1.0", Upgrades: &migrations.Upgrades{To: "v1.1.0", Migrations: 1, Rows: []migrations.Upgrade{{
		From: "v1.0.0", Breaking: true, Migrations: 1,
		Causes:   []migrations.Cause{{Migration: "0001_a|b`c\n::error::x", File: "drizzle/0001.sql", Release: "v1.1.0"}},
		Problems: []migrations.Finding{{File: "drizzle/x\n::error::y.sql", Reason: "bad\n::error::z"}},
	}}}})
	if !strings.Contains(b.String(), "| v1.0.0 |") {
		t.Fatalf("no row:\n%s", b.String())
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "::") {
			t.Errorf("a line starts with '::': %q", line)
		}
		if strings.HasPrefix(line, "| v1.0.0") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 5 {
			t.Errorf("the row has more cells than columns: %q", line)
		}
	}
}
