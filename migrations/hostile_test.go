package migrations

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	pg "github.com/pganalyze/pg_query_go/v6"
)

// TestClassifyLargeFileWithoutBreakpoints classifies a file of thousands of
// statements in one chunk, with a statement that does not parse every 1000
// lines, comments between statements and a pragma before every tenth
// statement: every finding must sit on its statement's line, every bad
// statement must be an error on its own line, and every pragma must reach
// its statement (the shape that was quadratic in time).
func TestClassifyLargeFileWithoutBreakpoints(t *testing.T) {
	var b strings.Builder
	b.WriteString("CREATE TABLE \"users\" (\"id\" integer PRIMARY KEY);\n")
	line := 2
	wantErr := map[int]bool{}
	wantCol := map[int]string{}
	wantPragma := map[int]bool{}
	for i := range 3000 {
		switch {
		case i%1000 == 999:
			b.WriteString("ALTER TABLE \"users\" ADD COLUMN;\n")
			wantErr[line] = true
		case i%10 == 3:
			b.WriteString("-- sonic-release: breaking the old release reads it\n")
			line++
			fmt.Fprintf(&b, "ALTER TABLE \"users\" ADD COLUMN \"c%d\" integer;\n", i)
			wantCol[line], wantPragma[line] = fmt.Sprintf("c%d", i), true
		case i%7 == 0:
			fmt.Fprintf(&b, "/* column %d */ ALTER TABLE \"users\"\n  ADD COLUMN \"c%d\" integer;\n", i, i)
			wantCol[line] = fmt.Sprintf("c%d", i)
			line++
		default:
			fmt.Fprintf(&b, "ALTER TABLE \"users\" ADD COLUMN \"c%d\" integer;\n", i)
			wantCol[line] = fmt.Sprintf("c%d", i)
		}
		line++
	}
	fs, err := ClassifyFile("big.sql", []byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	gotErr, gotCol := 0, 0
	for _, f := range fs[1:] {
		switch {
		case f.Level == LevelError:
			gotErr++
			if !wantErr[f.Line] || !strings.Contains(f.Reason, "does not parse") {
				t.Errorf("error finding on line %d: %q", f.Line, f.Reason)
			}
		default:
			gotCol++
			if wantCol[f.Line] != f.Column {
				t.Errorf("line %d: finding about column %q, want %q", f.Line, f.Column, wantCol[f.Line])
			}
			if f.Pragma != wantPragma[f.Line] {
				t.Errorf("line %d: pragma %v, want %v", f.Line, f.Pragma, wantPragma[f.Line])
			}
			if !strings.HasPrefix(f.Statement, "ALTER TABLE") {
				t.Errorf("line %d: statement %q does not start at its first token", f.Line, f.Statement)
			}
		}
	}
	if gotErr != len(wantErr) || gotCol != len(wantCol) {
		t.Errorf("%d errors and %d column findings, want %d and %d", gotErr, gotCol, len(wantErr), len(wantCol))
	}
}

// TestScanSQLIsPgScan checks the compact scanner against pg.Scan on the
// fixtures and on SQL with strings, comments and dollar quotes.
func TestScanSQLIsPgScan(t *testing.T) {
	paths, err := filepath.Glob("testdata/drizzle/*.sql")
	if err != nil || len(paths) == 0 {
		t.Fatal("no fixtures", err)
	}
	inputs := []string{"", "SELECT 'a;b' -- c\n/* d */ $x$ e $x$;", "ALTER TABLE \"é\" ADD COLUMN;"}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(data))
	}
	for _, in := range inputs {
		want, err := pg.Scan(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := scanSQL(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want.GetTokens()) {
			t.Fatalf("%.40q: %d tokens, pg.Scan has %d", in, len(got), len(want.GetTokens()))
		}
		for i, w := range want.GetTokens() {
			if g := got[i]; g.start != w.GetStart() || g.end != w.GetEnd() || g.kind != w.GetToken() {
				t.Fatalf("%.40q: token %d is %+v, pg.Scan has %v", in, i, g, w)
			}
		}
	}
}

// TestClassifyTooLargeToParse: a chunk over maxParse is cut into
// statements, each parsed alone (findings on their lines, a bad one an
// error), and a statement over maxParse is judged by its first keyword.
// A History's parse cache keeps nothing of such a file.
func TestClassifyTooLargeToParse(t *testing.T) {
	insert := hugeInsert(maxParse + 1000)
	sql := insert + "ALTER TABLE \"users\" ADD COLUMN;\n-- sonic-release: breaking old readers\nALTER TABLE \"users\" ADD COLUMN \"x\" integer;\n" +
		"UPDATE \"users\" SET \"name\" = '" + strings.Repeat("y", maxParse) + "';\n" +
		"CREATE TABLE \"big\" (\"id\" integer DEFAULT " + strings.Repeat("1+", maxParse/2) + "1);\n"
	n := strings.Count(insert, "\n")
	s := NewSchema()
	s.parses = newParseCache()
	fs, err := ClassifyFile("big.sql", []byte(sql), s)
	if err != nil {
		t.Fatal(err)
	}
	got := gotOf(fs)
	want := []want{
		{1, Additive, "users", "", false, false, false},
		{2, DataChange, "", "", false, false, false},
		{n + 1, Other, "", "", true, false, false},
		{n + 3, Additive, "users", "x", true, true, false},
		{n + 4, DataChange, "", "", false, false, false},
		{n + 5, Other, "", "", false, false, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	for _, i := range []int{1, 4} {
		if !strings.Contains(fs[i].Reason, "over the 1 MiB the analyser parses") {
			t.Errorf("finding %d: reason %q does not say the statement is too large", i, fs[i].Reason)
		}
	}
	if !strings.Contains(fs[5].Reason, "judged by its first keyword, CREATE") {
		t.Errorf("reason %q does not name the keyword", fs[5].Reason)
	}
	if len(s.parses.trees)+len(s.parses.tokens) != 0 {
		t.Errorf("the parse cache keeps %d trees and %d token lists of a %d-byte file", len(s.parses.trees), len(s.parses.tokens), len(sql))
	}
}

// TestClassifyBigChunkWithAtomicBody: a chunk over maxParse holding a
// BEGIN ATOMIC function body (semicolons inside the statement) is still
// judged as PostgreSQL would run it: no error.
func TestClassifyBigChunkWithAtomicBody(t *testing.T) {
	sql := hostileSQL("clean", maxParse+1000) +
		"CREATE FUNCTION \"f\"() RETURNS integer LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
	fs, err := ClassifyFile("big.sql", []byte(sql), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Level == LevelError {
			t.Fatalf("line %d: %s", f.Line, f.Reason)
		}
	}
	if last := fs[len(fs)-1]; last.Line != strings.Count(sql, "\n") || !strings.HasPrefix(last.Statement, "CREATE FUNCTION") {
		t.Errorf("last finding on line %d about %.30q, want the function on line %d", last.Line, last.Statement, strings.Count(sql, "\n"))
	}
}

// TestClassifyBigChunkTheScannerRejects: a chunk over maxParse with an
// unterminated string is an error (PostgreSQL rejects it), not a
// statement too large to judge.
func TestClassifyBigChunkTheScannerRejects(t *testing.T) {
	sql := hostileSQL("clean", maxParse+1000) + "INSERT INTO \"users\" VALUES ('unterminated);\n"
	fs, err := ClassifyFile("big.sql", []byte(sql), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Level != LevelError || !fs[0].Breaking || !strings.Contains(fs[0].Reason, "does not parse") {
		t.Fatalf("findings %+v, want one error: the file does not parse", fs)
	}
}
