package migrations

import (
	"fmt"
	"strings"
	"testing"
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
