package migrations

import (
	"unicode/utf8"

	"fmt"
	pg "github.com/pganalyze/pg_query_go/v6"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzClassify feeds any bytes to the splitter and classifier: no panic,
// every finding complete and on a line of the input.
func FuzzClassify(f *testing.F) {
	files, _ := filepath.Glob("testdata/drizzle/*.sql")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", ";", "--> statement-breakpoint", "DO $$ $$;", "DO $$ BEGIN EXECUTE 'x'; END $$;",
		"-- sonic-release: breaking x\n", "SELECT 'unterminated", "/* unterminated", "$a$ $b$",
		"ALTER TABLE a ALTER COLUMN b TYPE varchar(1) USING b::varchar; DROP TYPE x; CREATE TYPE x AS ENUM ();",
		// Regressions found while writing the tests: an unterminated string
		// made a chunk vanish; a bad statement hid the good ones around it.
		"ALTER TABLE users ADD COLUMN x text DEFAULT 'oops;",
		"SELECT 1;\n\nALTER TABLE users ADD COLUM x int;\nALTER TABLE users DROP COLUMN bio;",
		// The constraint rules: columns added in the range, keys the
		// previous release had, checks evaluated on defaults, procedures.
		"ALTER TABLE users ADD COLUMN t int DEFAULT 1;\nALTER TABLE users ADD CONSTRAINT c CHECK (t > 0 AND t IN (1, 2) OR num_nulls(t, nickname) = 1 AND coalesce(t, 3) <> 3);",
		"ALTER TABLE users ADD COLUMN k text UNIQUE DEFAULT 'a' REFERENCES posts(id) CHECK (k IS NOT NULL);\nCREATE UNIQUE INDEX i ON users (k, lower(k)) WHERE k IS NULL AND NOT (k = 'b');",
		"ALTER TABLE posts RENAME TO p2; ALTER TABLE p2 RENAME COLUMN id TO pid; ALTER TABLE users ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES p2(pid) ON DELETE cascade;",
		"CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN CALL p(); UPDATE users SET nickname = 'x'; END $$;\nCALL p();\nDROP PROCEDURE p();",
		"ALTER TABLE users ADD COLUMN z int; ALTER TABLE users ALTER COLUMN z SET NOT NULL; ALTER TABLE users ALTER COLUMN z SET DEFAULT 0; ALTER TABLE users ALTER COLUMN z DROP DEFAULT;",
	} {
		f.Add([]byte(s))
	}
	init, err := os.ReadFile("testdata/drizzle/0000_init.sql")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sql []byte) {
		watchdog := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("ClassifyFile takes more than 20s on %q", sql)) })
		defer watchdog.Stop()
		s := NewSchema()
		if _, err := ClassifyFile("init.sql", init, s); err != nil {
			t.Fatal(err)
		}
		s.Baseline()
		fs, err := ClassifyFile("m.sql", sql, s)
		if err != nil {
			t.Fatalf("ClassifyFile: %v", err)
		}
		// SQL the database would reject is never silently dropped.
		if utf8.Valid(sql) {
			rejected := false
			for _, chunk := range strings.Split(string(sql), Breakpoint) {
				if _, err := pg.Parse(chunk); err != nil {
					rejected = true
				}
			}
			errs := 0
			for _, x := range fs {
				if x.Level == LevelError {
					errs++
				}
			}
			if rejected && errs == 0 {
				t.Fatalf("a chunk does not parse, but no error-level finding: %+v", fs)
			}
		}
		lines := 1 + strings.Count(string(sql), "\n")
		for _, x := range fs {
			if x.File != "m.sql" || x.Reason == "" || x.Level == "" {
				t.Fatalf("incomplete finding %+v", x)
			}
			if x.Review && (x.Breaking || x.Level != LevelNotice) {
				t.Fatalf("a finding to review is breaking or not a notice: %+v", x)
			}
			if x.Line < 1 || x.Line > lines {
				t.Fatalf("line %d outside 1..%d: %+v", x.Line, lines, x)
			}
		}
	})
}
