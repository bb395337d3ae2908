package migrations_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/gittest"
	"github.com/sonicsaas/sonic-release/migrations"
)

// dokployDir is the Dokploy migration history (read-only, outside the
// repository): $SONIC_CORPORA/dokploy-drizzle, by default
// ../shared/corpora next to the repository.
func dokployDir(tb testing.TB) string {
	tb.Helper()
	root := os.Getenv("SONIC_CORPORA")
	if root == "" {
		root = filepath.Join("..", "..", "shared", "corpora")
	}
	dir := filepath.Join(root, "dokploy-drizzle")
	if _, err := os.Stat(filepath.Join(dir, "meta", "_journal.json")); err != nil {
		tb.Skipf("no Dokploy corpus at %s (set SONIC_CORPORA to the corpora folder): %v", dir, err)
	}
	return dir
}

// dokploy is a git history of Dokploy's 186 migrations, built with one git
// fast-import: a commit per journal entry on main, a release every three
// entries (v1.0.0 … v1.5.3, v2.0.0 … v2.5.3, v3.0.0 … v3.3.1: four patches
// per minor, six minors per major), a pre-release one entry before each minor, a
// release branch at the last patch of each minor, and two backports:
// v2.4.4 adds an index, carried forward to main before its next
// migration (same file, same journal date, as a cherry-pick); v1.4.4 drops a shipped column and is
// not carried forward.
type dokploy struct {
	dir    string
	tags   []string
	newest string
}

func buildDokploy(tb testing.TB) dokploy {
	tb.Helper()
	src := dokployDir(tb)
	data, err := os.ReadFile(filepath.Join(src, "meta", "_journal.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var j struct {
		Version string           `json:"version"`
		Dialect string           `json:"dialect"`
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		tb.Fatal(err)
	}
	repo := gittest.New(tb)
	d := dokploy{dir: repo.Dir}

	var s bytes.Buffer
	mark, when := 0, int64(1_700_000_000)
	blob := func(path string, content []byte) {
		fmt.Fprintf(&s, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	journal := func(entries []map[string]any) []byte {
		out, err := json.MarshalIndent(map[string]any{"version": j.Version, "dialect": j.Dialect, "entries": entries}, "", "  ")
		if err != nil {
			tb.Fatal(err)
		}
		return out
	}
	// commit writes a commit on branch (its parent is from, a mark) with
	// files, and returns its mark.
	commit := func(branch string, from int, msg string, files func()) int {
		mark++
		when += 60
		fmt.Fprintf(&s, "commit refs/heads/%s\nmark :%d\ncommitter Ada Lovelace <ada@example.com> %d +0000\ndata %d\n%s\n", branch, mark, when, len(msg), msg)
		if from > 0 {
			fmt.Fprintf(&s, "from :%d\n", from)
		}
		files()
		return mark
	}
	ref := func(name string, at int) {
		fmt.Fprintf(&s, "reset %s\nfrom :%d\n\n", name, at)
	}
	tag := func(name string, at int) {
		ref("refs/tags/"+name, at)
		d.tags = append(d.tags, name)
	}
	sql := func(entry map[string]any) []byte {
		b, err := os.ReadFile(filepath.Join(src, entry["tag"].(string)+".sql"))
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	backport := func(idx int, name string, whenMs int64) map[string]any {
		return map[string]any{"idx": idx, "version": "7", "when": whenMs, "tag": name, "breakpoints": true}
	}
	// The backports. The hotfix is dated when main was at entry 65, as
	// drizzle-kit generate dates it: a database on v1.4.4 then skips main's
	// entries 60–65 (a problem the table reports). The index is dated
	// between the entries 131 and 132 its branch sits between (by hand, as
	// a careful maintainer would), so carrying it forward is clean.
	hotfixSQL := "ALTER TABLE \"project\" DROP COLUMN IF EXISTS \"description\";\n"
	indexSQL := "CREATE INDEX IF NOT EXISTS \"deployment_createdAt_idx\" ON \"deployment\" (\"createdAt\");\n"
	hotfix := backport(60, "0060_backport_hotfix", int64(j.Entries[65]["when"].(float64))+1)
	index := backport(132, "0132_backport_index", int64(j.Entries[131]["when"].(float64))+1)

	const perMajor = 24 // six minors of four patches
	var main []map[string]any
	head, k := 0, 0
	marks := map[string]int{}
	for i, e := range j.Entries {
		main = append(main, e)
		entries := main
		head = commit("main", head, fmt.Sprintf("migration %s", e["tag"]), func() {
			blob("drizzle/"+e["tag"].(string)+".sql", sql(e))
			if i == 130 { // upstream's second 0130, never in the journal
				b, err := os.ReadFile(filepath.Join(src, "0130_abandoned_dagger.sql"))
				if err != nil {
					tb.Fatal(err)
				}
				blob("drizzle/0130_abandoned_dagger.sql", b)
			}
			blob("drizzle/meta/_journal.json", journal(entries))
		})
		switch {
		case i%3 == 1 && (i/3)%4 == 0 && (i/3)%perMajor != 0: // the entry before a minor
			kk := i / 3
			tag(fmt.Sprintf("v%d.%d.0-rc.1", 1+kk/perMajor, (kk%perMajor)/4), head)
		case i%3 == 2 || i == len(j.Entries)-1:
			major, minor, patch := 1+k/perMajor, (k%perMajor)/4, k%4
			v := fmt.Sprintf("v%d.%d.%d", major, minor, patch)
			tag(v, head)
			d.newest = v
			if patch == 3 {
				ref(fmt.Sprintf("refs/heads/release-%d.%d", major, minor), head)
				marks[v] = head
			}
			k++
		}
		if i == 131 { // the index backport, carried forward before main's next migration
			fwd := map[string]any{}
			for k, v := range index {
				fwd[k] = v
			}
			fwd["idx"] = len(main)
			main = append(main, fwd)
			entries := main
			head = commit("main", head, "cherry-pick the index backport", func() {
				blob("drizzle/0132_backport_index.sql", []byte(indexSQL))
				blob("drizzle/meta/_journal.json", journal(entries))
			})
		}
	}
	// The backports, on the release branches of v1.4 and v2.4.
	for _, b := range []struct {
		base, tag string
		entry     map[string]any
		sql       string
		upTo      int
	}{{"v1.4.3", "v1.4.4", hotfix, hotfixSQL, 60}, {"v2.4.3", "v2.4.4", index, indexSQL, 132}} {
		entries := append(append([]map[string]any(nil), j.Entries[:b.upTo]...), b.entry)
		m := commit("release-"+b.base[1:4], marks[b.base], "backport "+b.entry["tag"].(string), func() {
			blob("drizzle/"+b.entry["tag"].(string)+".sql", []byte(b.sql))
			blob("drizzle/meta/_journal.json", journal(entries))
		})
		tag(b.tag, m)
	}
	s.WriteString("done\n")
	cmd := exec.Command("git", "-C", repo.Dir, "fast-import", "--quiet", "--done")
	cmd.Env = gittest.Env(gittest.T0)
	cmd.Stdin = &s
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git fast-import: %v\n%s", err, out)
	}
	return d
}

// TestHistoryDokploy checks the table on a real project's history: the
// rows of the newest release and the backports' pairs, both ways, say
// what Analyze says.
func TestHistoryDokploy(t *testing.T) {
	d := buildDokploy(t)
	ctx := t.Context()
	h, err := migrations.ReadHistory(ctx, d.dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(h.Releases()), len(d.tags); got != want {
		t.Fatalf("%d releases, want %d", got, want)
	}
	u, err := h.Upgrades(d.newest)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, row := range u.Rows {
		rows = append(rows, row.From)
	}
	wantRows := []string{"v3.3.0", "v3.2.3", "v3.1.3", "v3.0.3", "v2.5.3", "v2.4.4", "v2.3.3", "v2.2.3", "v2.1.3", "v2.0.3"}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("rows of %s (-want +got):\n%s", d.newest, diff)
	}
	pairs := [][2]string{{"v2.4.4", d.newest}, {d.newest, "v2.4.4"}, {"v1.4.4", "v2.0.0"}, {"v2.0.0", "v1.4.4"}, {"v1.4.3", "v1.4.4"}, {"v3.1.3", d.newest}}
	for _, p := range pairs {
		got, err := h.Between(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		want, err := migrations.Analyze(ctx, d.dir, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Between(%s, %s) differs from Analyze (-want +got):\n%s", p[0], p[1], diff)
		}
	}
	for _, row := range u.Rows {
		for _, p := range row.Problems {
			if p.File != "drizzle/0130_abandoned_dagger.sql" { // not in the journal, upstream too
				t.Errorf("row %s of %s: problem %s: %s", row.From, d.newest, p.File, p.Reason)
			}
		}
	}
	// v1.4.4's hotfix is not in v2.0.0, and v2.0.0's entries 60–65 are
	// dated before it: both are problems of the pair.
	rep, err := h.Between("v1.4.4", "v2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range rep.Problems {
		files = append(files, p.File)
	}
	want := []string{"drizzle/0060_disable-aggressive-cache.sql", "drizzle/0061_many_molten_man.sql", "drizzle/0062_slippery_white_tiger.sql",
		"drizzle/0063_panoramic_dreadnoughts.sql", "drizzle/0064_previous_agent_brand.sql", "drizzle/0065_daily_zaladane.sql", "drizzle/0060_backport_hotfix.sql"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("problems of v1.4.4 → v2.0.0 (-want +got):\n%s", diff)
	}
}

// BenchmarkHistory measures the upgrade table on the Dokploy history
// (186 migrations, 62 releases, 14 pre-releases, 2 backports): the floor
// (classifying the newest release's migrations once), reading the history,
// the table of the newest release, the tables of every release, and for
// comparison one Analyze per row of the newest table.
func BenchmarkHistory(b *testing.B) {
	d := buildDokploy(b)
	ctx := b.Context()
	b.Run("floor-classify-once", func(b *testing.B) {
		// The floor: every migration of the newest release parsed and
		// judged once, in journal order, from the files (no git).
		h, err := migrations.ReadHistory(ctx, d.dir, "")
		if err != nil {
			b.Fatal(err)
		}
		rep, err := h.Between("", d.newest)
		if err != nil {
			b.Fatal(err)
		}
		var files [][]byte
		for _, m := range rep.Migrations {
			data, err := os.ReadFile(filepath.Join(dokployDir(b), filepath.Base(m.File)))
			if err != nil {
				data = []byte{} // the backport, not in the corpus: a few bytes
			}
			files = append(files, data)
		}
		for b.Loop() {
			s := migrations.NewSchema()
			for _, f := range files {
				if _, err := migrations.ClassifyFile("m.sql", f, s); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(files)), "files")
	})
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, err := migrations.ReadHistory(ctx, d.dir, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("table-newest", func(b *testing.B) {
		rows := 0
		for b.Loop() {
			u, err := migrations.AnalyzeUpgrades(ctx, d.dir, d.newest)
			if err != nil {
				b.Fatal(err)
			}
			rows = len(u.Rows)
		}
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("tables-all-releases", func(b *testing.B) {
		rows := 0
		for b.Loop() {
			h, err := migrations.ReadHistory(ctx, d.dir, "")
			if err != nil {
				b.Fatal(err)
			}
			rows = 0
			for _, to := range h.Releases() {
				u, err := h.Upgrades(to)
				if err != nil {
					b.Fatal(err)
				}
				rows += len(u.Rows)
			}
		}
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("analyze-per-row-newest", func(b *testing.B) {
		u, err := migrations.AnalyzeUpgrades(ctx, d.dir, d.newest)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			for _, row := range u.Rows {
				if _, err := migrations.Analyze(ctx, d.dir, row.From, d.newest); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(u.Rows)), "rows")
	})
}
