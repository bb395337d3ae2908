package migrations_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/migrations/internal/testrepo"
)

// genHistory builds a random release history in a real git repository:
// migrations on main, minor and major releases with a release branch each,
// patches, pre-releases, and backports on old release branches that carry
// their own migration (sometimes carried forward to main as the same
// file, keeping its journal date, as a cherry-pick does). The migrations
// add, constrain, rename, retype and drop the tables and columns earlier
// ones made, so that a verdict depends on the release it is judged against.
type genHistory struct {
	t    *testing.T
	rnd  *rand.Rand
	r    *testrepo.Repo
	n    int // names and journal dates
	tags []string
	// per branch: its journal and the schema its migrations made
	branches map[string]*genBranch
	cur      string
}

type genBranch struct {
	entries []genEntry
	tables  map[string][]string // table → columns
}

type genEntry struct {
	Idx         int    `json:"idx"`
	Version     string `json:"version"`
	When        int64  `json:"when"`
	Tag         string `json:"tag"`
	Breakpoints bool   `json:"breakpoints"`
}

func (b *genBranch) clone() *genBranch {
	c := &genBranch{entries: slices.Clone(b.entries), tables: map[string][]string{}}
	for t, cols := range b.tables {
		c.tables[t] = slices.Clone(cols)
	}
	return c
}

func newGenHistory(t *testing.T, seed uint64) *genHistory {
	g := &genHistory{t: t, rnd: rand.New(rand.NewPCG(seed, seed^0x5eed)), r: testrepo.New(t),
		branches: map[string]*genBranch{"main": {tables: map[string][]string{}}}, cur: "main"}
	g.r.Commit("initial")
	return g
}

func (g *genHistory) checkout(branch string) {
	if g.cur != branch {
		g.r.Git("checkout", "-q", branch)
		g.cur = branch
	}
}

func (g *genHistory) tag(name string) {
	g.r.Tag(name)
	g.tags = append(g.tags, name)
}

// statement makes one random statement against b's schema and applies it.
func (g *genHistory) statement(b *genBranch) string {
	g.n++
	var tables []string
	for t := range b.tables {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	if len(tables) == 0 || g.rnd.IntN(6) == 0 {
		t := fmt.Sprintf("t%d", g.n)
		b.tables[t] = []string{"id", "c" + fmt.Sprint(g.n)}
		return fmt.Sprintf(`CREATE TABLE "%s" ("id" serial PRIMARY KEY, "c%d" text);`, t, g.n)
	}
	t := tables[g.rnd.IntN(len(tables))]
	cols := b.tables[t]
	col := cols[1+g.rnd.IntN(len(cols)-1)] // never id
	switch k := g.rnd.IntN(14); {
	case k >= 9: // additive, most of the time
		if k%2 == 0 {
			return fmt.Sprintf(`CREATE INDEX "i%d" ON "%s" ("%s");`, g.n, t, col)
		}
		fallthrough
	case k == 0:
		b.tables[t] = append(cols, fmt.Sprintf("c%d", g.n))
		return fmt.Sprintf(`ALTER TABLE "%s" ADD COLUMN "c%d" text;`, t, g.n)
	case k == 1:
		b.tables[t] = append(cols, fmt.Sprintf("c%d", g.n))
		return fmt.Sprintf(`ALTER TABLE "%s" ADD COLUMN "c%d" integer NOT NULL;`, t, g.n)
	case k == 2:
		if len(cols) > 2 {
			b.tables[t] = slices.DeleteFunc(cols, func(c string) bool { return c == col })
			return fmt.Sprintf(`ALTER TABLE "%s" DROP COLUMN "%s";`, t, col)
		}
		return fmt.Sprintf(`CREATE INDEX "i%d" ON "%s" ("%s");`, g.n, t, col)
	case k == 3:
		i := slices.Index(cols, col)
		cols[i] = fmt.Sprintf("c%d", g.n)
		return fmt.Sprintf(`ALTER TABLE "%s" RENAME COLUMN "%s" TO "c%d";`, t, col, g.n)
	case k == 4:
		return fmt.Sprintf(`ALTER TABLE "%s" ALTER COLUMN "%s" SET NOT NULL;`, t, col)
	case k == 5:
		return fmt.Sprintf(`CREATE INDEX "i%d" ON "%s" ("%s");`, g.n, t, col)
	case k == 6:
		typ := []string{"varchar(50)", "varchar(100)", "text", "integer"}[g.rnd.IntN(4)]
		return fmt.Sprintf(`ALTER TABLE "%s" ALTER COLUMN "%s" SET DATA TYPE %s;`, t, col, typ)
	case k == 7:
		return fmt.Sprintf(`ALTER TABLE "%s" ADD CONSTRAINT "u%d" UNIQUE("%s");`, t, g.n, col)
	default:
		if len(tables) > 2 {
			delete(b.tables, t)
			return fmt.Sprintf(`DROP TABLE "%s";`, t)
		}
		return fmt.Sprintf(`ALTER TABLE "%s" ALTER COLUMN "%s" SET DEFAULT 'x';`, t, col)
	}
}

// migration adds a migration of 1–3 statements to the current branch and
// commits it; it returns its journal entry and file content.
func (g *genHistory) migration() (genEntry, string) {
	b := g.branches[g.cur]
	var stmts []string
	for range 1 + g.rnd.IntN(3) {
		stmts = append(stmts, g.statement(b))
	}
	sql := strings.Join(stmts, "\n--> statement-breakpoint\n") + "\n"
	e := genEntry{Version: "7", When: 1_700_000_000_000 + int64(g.n)*1000, Tag: fmt.Sprintf("%04d_m%d", len(b.entries), g.n), Breakpoints: true}
	g.add(b, e, sql)
	return e, sql
}

// add writes a journal entry and its file to the current branch and
// commits them.
func (g *genHistory) add(b *genBranch, e genEntry, sql string) {
	e.Idx = len(b.entries)
	b.entries = append(b.entries, e)
	g.r.Write("drizzle/"+e.Tag+".sql", []byte(sql))
	js, err := json.MarshalIndent(map[string]any{"version": "7", "dialect": "postgresql", "entries": b.entries}, "", "  ")
	if err != nil {
		g.t.Fatal(err)
	}
	g.r.Write("drizzle/meta/_journal.json", js)
	g.r.Commit("migration " + e.Tag)
}

// build makes the history: about steps releases.
func (g *genHistory) build(steps int) {
	major, minor, patch := 1, 0, 0
	g.migration()
	g.tag("v1.0.0")
	g.r.Git("branch", "release-1.0")
	g.branches["release-1.0"] = g.branches["main"].clone()
	rc := 0
	for range steps {
		for range g.rnd.IntN(3) {
			g.migration()
		}
		switch k := g.rnd.IntN(20); {
		case k < 6: // a patch on main, after any backport of its line
			patch++
			for slices.Contains(g.tags, fmt.Sprintf("v%d.%d.%d", major, minor, patch)) {
				patch++
			}
			g.tag(fmt.Sprintf("v%d.%d.%d", major, minor, patch))
		case k < 9: // a pre-release of the next minor
			rc++
			g.tag(fmt.Sprintf("v%d.%d.0-rc.%d", major, minor+1, rc))
		case k < 14: // a backport on an earlier release branch
			var old []string
			for br := range g.branches {
				if br != "main" {
					old = append(old, br)
				}
			}
			slices.Sort(old)
			br := old[g.rnd.IntN(len(old))]
			g.checkout(br)
			e, sql := g.migration()
			last := ""
			for _, tg := range strings.Fields(g.r.Git("tag", "--merged", "HEAD", "--sort=-v:refname", "--list", "v*")) {
				if !strings.Contains(tg, "-") {
					last = tg
					break
				}
			}
			var bm, bn, bp int
			if _, err := fmt.Sscanf(last, "v%d.%d.%d", &bm, &bn, &bp); err != nil {
				g.t.Fatalf("last release on %s: %q: %v", br, last, err)
			}
			next := fmt.Sprintf("v%d.%d.%d", bm, bn, bp+1)
			if !slices.Contains(g.tags, next) {
				g.tag(next)
			}
			g.checkout("main")
			if g.rnd.IntN(2) == 0 { // carried forward, as cherry-picked
				g.add(g.branches["main"], e, sql)
			}
		case k < 19: // a minor release
			minor, patch, rc = minor+1, 0, 0
			g.tag(fmt.Sprintf("v%d.%d.0", major, minor))
			g.branchHere(fmt.Sprintf("release-%d.%d", major, minor))
		default: // a major release
			major, minor, patch, rc = major+1, 0, 0, 0
			g.tag(fmt.Sprintf("v%d.0.0", major))
			g.branchHere(fmt.Sprintf("release-%d.0", major))
		}
	}
}

func (g *genHistory) branchHere(name string) {
	g.r.Git("branch", name)
	g.branches[name] = g.branches["main"].clone()
}

// TestHistoryMatchesAnalyze is the property: on random histories, every
// row of every release's upgrade table, and Between for random pairs of
// releases in either order, say what Analyze says for the same pair.
func TestHistoryMatchesAnalyze(t *testing.T) {
	lacking := 0
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			g := newGenHistory(t, seed)
			g.build(16)
			ctx := t.Context()
			h, err := migrations.ReadHistory(ctx, g.r.Dir, "")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(h.Releases()), len(g.tags); got != want {
				t.Fatalf("history has %d releases, want %d (%v)", got, want, g.tags)
			}
			rels := h.Releases()
			rowsChecked, breakingRows := 0, 0
			for _, to := range rels {
				u, err := h.Upgrades(to)
				if err != nil {
					t.Fatal(err)
				}
				for _, row := range u.Rows {
					// Half the rows: each check runs Analyze and its git
					// processes.
					if g.rnd.IntN(2) == 0 {
						continue
					}
					rowsChecked++
					rep, err := migrations.Analyze(ctx, g.r.Dir, row.From, to)
					if err != nil {
						t.Fatal(err)
					}
					checkRow(t, h, to, row, rep)
					if row.Breaking {
						breakingRows++
					}
					if slices.ContainsFunc(rep.Migrations, func(m migrations.Migration) bool { return m.Status == "deleted" }) {
						lacking++
					}
				}
			}
			for range 12 {
				from, to := rels[g.rnd.IntN(len(rels))], rels[g.rnd.IntN(len(rels))]
				got, err := h.Between(from, to)
				if err != nil {
					t.Fatal(err)
				}
				want, err := migrations.Analyze(ctx, g.r.Dir, from, to)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Between(%s, %s) differs from Analyze (-want +got):\n%s", from, to, diff)
				}
			}
			t.Logf("%d releases %v: %d rows checked, %d breaking", len(rels), rels, rowsChecked, breakingRows)
			// The generator must make the cases the property is about.
			if rowsChecked < 5 || breakingRows == 0 || breakingRows == rowsChecked {
				t.Errorf("%d rows checked, %d breaking: the generated history does not exercise both verdicts", rowsChecked, breakingRows)
			}
		})
	}
	if lacking == 0 {
		t.Error("no row lacks a backport's migration: the generated histories do not exercise backports")
	}
}

// checkRow compares a table row with Analyze's report of the same pair.
func checkRow(t *testing.T, h *migrations.History, to string, row migrations.Upgrade, rep migrations.Report) {
	t.Helper()
	want := migrations.Upgrade{From: row.From, Breaking: rep.Breaking(), Causes: []migrations.Cause{}, Problems: rep.Problems}
	for _, m := range rep.Migrations {
		if m.Status == "added" {
			want.Migrations++
		}
		if m.Breaking {
			// The release is checked below: it must ship the file.
			want.Causes = append(want.Causes, migrations.Cause{Migration: m.Name, File: m.File})
		}
	}
	got := row
	got.Causes = nil
	for _, c := range row.Causes {
		got.Causes = append(got.Causes, migrations.Cause{Migration: c.Migration, File: c.File})
	}
	if got.Causes == nil {
		got.Causes = []migrations.Cause{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("row %s of %s differs from migrations --from %s --to %s (-want +got):\n%s", row.From, to, row.From, to, diff)
	}
	for _, c := range row.Causes {
		rep, err := h.Between(row.From, c.Release)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(rep.Migrations, func(m migrations.Migration) bool { return m.File == c.File && m.Status == "added" }) {
			t.Errorf("row %s of %s: %s is said to come with %s, which does not add it", row.From, to, c.Migration, c.Release)
		}
	}
}

// TestUpgradeRows pins which releases are rows: the newest release of each
// minor line of this major and of the previous one that has releases; the
// previous release always; pre-releases only for a pre-release, of its own
// version.
func TestUpgradeRows(t *testing.T) {
	r := testrepo.New(t)
	r.Commit("initial")
	for _, tag := range []string{"v0.9.0", "v1.0.0", "v1.0.1", "v1.1.0", "v1.1.1", "1.1.1", "v1.2.0-rc.1", "v1.2.0",
		"v1.3.0-rc.1", "v1.3.0-rc.2", "v1.3.0", "v1.3.1", "v3.0.0-rc.1", "v3.0.0", "v3.0.1", "v3.1.0-rc.1", "v1.3.2", "latest", "v3"} {
		r.Tag(tag)
	}
	h, err := migrations.ReadHistory(t.Context(), r.Dir, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		to   string
		want []string
	}{
		{"v0.9.0", nil}, // the first release
		{"v1.0.0", []string{"v0.9.0"}},
		{"v1.1.1", []string{"v1.1.0", "v1.0.1", "v0.9.0"}},
		{"v1.3.0", []string{"v1.2.0", "v1.1.1", "v1.0.1", "v0.9.0"}},                     // not its pre-releases
		{"v1.3.0-rc.2", []string{"v1.3.0-rc.1", "v1.2.0", "v1.1.1", "v1.0.1", "v0.9.0"}}, // its own pre-release
		{"v1.3.2", []string{"v1.3.1", "v1.2.0", "v1.1.1", "v1.0.1", "v0.9.0"}},           // a backport: nothing above it
		{"v3.0.0", []string{"v1.3.2", "v1.2.0", "v1.1.1", "v1.0.1"}},                     // v1 is the major before v3
		{"v3.1.0-rc.1", []string{"v3.0.1", "v1.3.2", "v1.2.0", "v1.1.1", "v1.0.1"}},      // no pre-release of another version
	}
	for _, tt := range tests {
		u, err := h.Upgrades(tt.to)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range u.Rows {
			got = append(got, row.From)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("rows of %s (-want +got):\n%s", tt.to, diff)
		}
	}
	if _, err := h.Upgrades("v2.0.0"); err == nil {
		t.Error("Upgrades of a version that is not a tag: no error")
	}
}

// TestHistoryLayoutsAndTags: the drizzle-kit 1.0 folder layout, annotated
// tags, a version written without v, a version tag on a tree (not a
// release), and a folder named by drizzle.config.ts: every pair, both
// ways, says what Analyze says.
func TestHistoryLayoutsAndTags(t *testing.T) {
	dirs, err := filepath.Glob("testdata/drizzle-v1/*/migration.sql")
	if err != nil || len(dirs) != 6 {
		t.Fatalf("want 6 drizzle-kit 1.0 migrations, got %d", len(dirs))
	}
	v1 := testrepo.New(t)
	for i, p := range dirs {
		folder := filepath.Base(filepath.Dir(p))
		v1.CopyFile(p, "drizzle/"+folder+"/migration.sql")
		v1.Commit(folder)
		switch i {
		case 0:
			v1.Git("tag", "-a", "-m", "first", "v1.0.0")
		case 2:
			v1.Tag("1.1.0")
		case 4:
			v1.Git("tag", "-a", "-m", "third", "v1.2.0")
		}
	}
	v1.Git("tag", "v9.9.9", "HEAD^{tree}")
	v1.Tag("v1.3.0")
	for _, repo := range []struct {
		dir  string
		tags []string
	}{{v1.Dir, []string{"v1.0.0", "1.1.0", "v1.2.0", "v1.3.0"}}, {releases(t).Dir, []string{"v1.0.0", "v1.1.0", "v1.2.0"}}} {
		h, err := migrations.ReadHistory(t.Context(), repo.dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(repo.tags, h.Releases()); diff != "" {
			t.Errorf("releases (-want +got):\n%s", diff)
		}
		// "" is an empty database: Analyze's range of the first release.
		pairs := [][2]string{{"", repo.tags[0]}}
		for _, from := range repo.tags {
			for _, to := range repo.tags {
				pairs = append(pairs, [2]string{from, to})
			}
		}
		for _, p := range pairs {
			got, err := h.Between(p[0], p[1])
			if err != nil {
				t.Fatal(err)
			}
			want, err := migrations.Analyze(t.Context(), repo.dir, p[0], p[1])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Between(%q, %s) differs from Analyze (-want +got):\n%s", p[0], p[1], diff)
			}
		}
	}
}
