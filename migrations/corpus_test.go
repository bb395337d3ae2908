package migrations

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The corpus harness (docs/migrations-corpus.md): release a real project's
// Drizzle history one migration at a time and print every verdict.
//
//	go test ./migrations/ -run TestCorpusVerdicts -corpus "$PWD/../shared/corpora/dokploy-drizzle,$PWD/../shared/corpora/sim-drizzle" -corpus-out /tmp/verdicts.txt
var (
	corpusDirs = flag.String("corpus", "", "comma-separated Drizzle migration folders (each with meta/_journal.json) for TestCorpusVerdicts")
	corpusOut  = flag.String("corpus-out", "", "file for TestCorpusVerdicts' listing (default: the test log)")
)

// release is one journal entry released on its own: the previous release
// has every earlier migration.
type corpusRelease struct {
	Migration
	SQL string
}

// releaseEach classifies the migrations of a Drizzle folder in journal
// order, each as its own release: before each file the schema is
// baselined, so the "previous release" is the one with every earlier
// migration. Files not in the journal are never run by Drizzle and are
// skipped.
func releaseEach(t testing.TB, dir string) []corpusRelease {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "meta", "_journal.json"))
	if err != nil {
		t.Fatal(err)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	sort.SliceStable(j.Entries, func(a, b int) bool { return j.Entries[a].Idx < j.Entries[b].Idx })
	s := NewSchema()
	var out []corpusRelease
	for _, e := range j.Entries {
		sql, err := os.ReadFile(filepath.Join(dir, e.Tag+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		s.Baseline()
		fs, err := ClassifyFile(e.Tag+".sql", sql, s)
		if err != nil {
			t.Fatalf("%s: %v", e.Tag, err)
		}
		m := Migration{Name: e.Tag, File: e.Tag + ".sql", Status: "added", Findings: fs}
		m.Tally()
		out = append(out, corpusRelease{Migration: m, SQL: string(sql)})
	}
	return out
}

// writeVerdicts lists every release of a history: its verdict, then each
// finding's line, verdict, class, object and reason; then the counts.
func writeVerdicts(w io.Writer, name string, rels []corpusRelease) Counts {
	rep := Report{}
	for _, r := range rels {
		rep.Migrations = append(rep.Migrations, r.Migration)
		fmt.Fprintf(w, "%s %s: %s\n", name, r.Name, r.Verdict())
		for _, f := range r.Findings {
			obj := f.Table
			if f.Column != "" {
				obj += "." + f.Column
			}
			fmt.Fprintf(w, "  %4d %-10s %-19s %-40s %s\n", f.Line, f.Verdict(), f.Class, cmp.Or(obj, "-"), strings.Join(strings.Fields(f.Reason), " "))
		}
	}
	n := rep.Counts()
	fmt.Fprintf(w, "%s: %d releases: %d breaking, %d review, %d compatible\n\n", name, len(rels), n.Breaking, n.Review, n.Compatible)
	return n
}

// TestCorpusVerdicts is the evaluation harness: it needs -corpus.
func TestCorpusVerdicts(t *testing.T) {
	if *corpusDirs == "" {
		t.Skip("pass -corpus DIR[,DIR] (Drizzle folders) to list the verdicts of each migration released on its own")
	}
	var b strings.Builder
	var summary []string
	for _, dir := range strings.Split(*corpusDirs, ",") {
		name := filepath.Base(filepath.Clean(dir))
		n := writeVerdicts(&b, name, releaseEach(t, dir))
		summary = append(summary, fmt.Sprintf("%s: %d breaking, %d review, %d compatible", name, n.Breaking, n.Review, n.Compatible))
	}
	b.WriteString(strings.Join(summary, "\n") + "\n")
	if *corpusOut != "" {
		if err := os.WriteFile(*corpusOut, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log(strings.Join(summary, "\n"))
		return
	}
	t.Log(b.String())
}
