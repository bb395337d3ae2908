package migrations_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/migrations"
)

// TestAnalyzeMalformedJournal: a journal that does not decode is one
// problem that says where it breaks; the migration files it failed to list
// are still there, so none is reported deleted, and the new ones are
// judged in file-name order (the order drizzle-kit names them in).
func TestAnalyzeMalformedJournal(t *testing.T) {
	const journal = "db/migrations/meta/_journal.json"
	for _, tt := range []struct {
		name   string
		edit   func(string) string
		reason []string
	}{
		{"syntax", func(j string) string { return strings.Replace(j, `"tag": "0004_`, `tag: "0004_`, 1) },
			[]string{journal + " is malformed at line ", ", column ", "invalid character 't'"}},
		{"shape", func(string) string { return `{"version": "7", "entries": {"idx": 0}}` },
			[]string{journal + ` is malformed at line 1, column 29 ("entries" holds a JSON object of the wrong kind)`}},
		{"truncated", func(j string) string { return j[:len(j)/2] },
			[]string{journal + " is malformed: it ends early"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := releases(t)
			j, err := os.ReadFile(r.Dir + "/" + journal)
			if err != nil {
				t.Fatal(err)
			}
			edited := tt.edit(string(j))
			r.Write(journal, []byte(edited))
			r.Commit("break the journal")

			rep, err := migrations.Analyze(t.Context(), r.Dir, "v1.2.0", "HEAD")
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 1 {
				t.Fatalf("problems %+v, want one about the journal", rep.Problems)
			}
			p := rep.Problems[0]
			if i := strings.Index(edited, "tag: "); i >= 0 {
				line := 1 + strings.Count(edited[:i], "\n")
				col := 1 + i - (strings.LastIndex(edited[:i], "\n") + 1)
				if want := fmt.Sprintf("at line %d, column %d (", line, col); p.Line != line || !strings.Contains(p.Reason, want) {
					t.Errorf("line %d, reason %q: want line %d and %q", p.Line, p.Reason, line, want)
				}
			}
			if p.File != journal || p.Level != migrations.LevelError {
				t.Errorf("problem %+v", p)
			}
			for _, want := range tt.reason {
				if !strings.Contains(p.Reason, want) {
					t.Errorf("reason %q lacks %q", p.Reason, want)
				}
			}
			if diff := cmp.Diff([]string{"0005_renames:added", "0006_drops:added", "0007_enum:added", "0008_custom:added"}, names(rep)); diff != "" {
				t.Errorf("migrations (-want +got):\n%s", diff)
			}
		})
	}
}
