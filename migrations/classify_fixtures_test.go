package migrations

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// want is a hand-written expectation for one finding: where, what, and
// whether it breaks the previous release. The comment beside each says why.
type want struct {
	Line     int
	Class    Class
	Table    string
	Column   string
	Breaking bool
	Pragma   bool
	Review   bool // needs review: the analyser cannot judge it
}

func gotOf(fs []Finding) []want {
	out := make([]want, 0, len(fs))
	for _, f := range fs {
		out = append(out, want{f.Line, f.Class, f.Table, f.Column, f.Breaking, f.Pragma, f.Review})
	}
	return out
}

// classifyFixtures replays the first shipped drizzle-kit migrations as the
// previous release, then classifies the rest in order.
func classifyFixtures(t *testing.T, shipped int) map[string][]Finding {
	t.Helper()
	files, err := filepath.Glob("testdata/drizzle/*.sql")
	if err != nil || len(files) != 9 {
		t.Fatalf("want the 9 drizzle-kit fixtures, got %d (%v): run scripts/drizzle-fixtures.sh", len(files), err)
	}
	s := NewSchema()
	out := map[string][]Finding{}
	for i, f := range files {
		if i == shipped {
			s.Baseline()
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := ClassifyFile(f, b, s)
		if err != nil {
			t.Fatalf("ClassifyFile(%s): %v", f, err)
		}
		for _, x := range fs {
			if x.Reason == "" {
				t.Errorf("%s:%d: finding without a reason", f, x.Line)
			}
			if x.Breaking != (x.Level == LevelWarning) && x.Level != LevelError {
				t.Errorf("%s:%d: breaking=%v with level %s", f, x.Line, x.Breaking, x.Level)
			}
			if x.Review && (x.Breaking || x.Level != LevelNotice) {
				t.Errorf("%s:%d: review with breaking=%v and level %s", f, x.Line, x.Breaking, x.Level)
			}
		}
		if i >= shipped {
			out[filepath.Base(f)] = fs
		}
	}
	return out
}

// The previous release is v1.0.0: only 0000_init shipped. Tables made
// later in the range (comments, audit.Events) are new, so constraining or
// renaming them breaks nothing.
func TestClassifyFixturesSinceInit(t *testing.T) {
	got := classifyFixtures(t, 1)
	wants := map[string][]want{
		"0001_additive.sql": {
			{1, Additive, "", "", false, false, false},                        // ALTER TYPE status ADD VALUE 'hidden': old code never writes it
			{2, Additive, "comments", "", false, false, false},                // CREATE TABLE comments: new
			{9, Additive, "users", "bio", false, false, false},                // nullable column
			{10, Additive, "users", "created_at", false, false, false},        // NOT NULL DEFAULT now(): old inserts get the default
			{11, AddConstraint, "comments", "post_id", false, false, false},   // FK on a table created in the range
			{12, AddConstraint, "comments", "author_id", false, false, false}, // same
			{13, Additive, "comments", "", false, false, false},               // index
			{14, Additive, "users", "", false, false, false},                  // index on a shipped table changes no result
		},
		"0002_required.sql": {
			{1, SetNotNull, "posts", "title", true, false, false},         // old code may insert posts without a title
			{2, DropDefault, "users", "nickname", false, false, true},     // nullable: old inserts now store NULL instead of 'anon' and still succeed: review
			{3, AddRequiredColumn, "users", "handle", true, false, false}, // NOT NULL, no default: old inserts fail
		},
		"0003_types.sql": {
			{1, AlterColumnType, "users", "name", false, false, false},  // varchar(64) → varchar(128): widening, binary-compatible
			{2, AlterColumnType, "users", "score", true, false, false},  // int4 → int8: rewrite, drivers return int8 differently
			{3, AlterColumnType, "users", "legacy", true, false, false}, // text → varchar(10): narrowing
		},
		"0004_constraints.sql": {
			{1, AddConstraint, "comments", "post_id", false, false, false}, // unique on comments, created in the range
			{2, AddConstraint, "users", "email", true, false, false},       // unique on shipped users: old code may insert duplicates
			{3, AddConstraint, "users", "score", true, false, false},       // check on shipped users
		},
		"0005_renames.sql": {
			{1, RenameTable, "comments", "", false, false, false},                        // comments is new in the range (drizzle-kit asked, we answered rename)
			{2, RenameColumn, "posts", "title", true, false, false},                      // old code still selects title
			{3, Other, "replies", "comments_post_author_uq", false, false, false},        // DROP CONSTRAINT relaxes
			{4, Other, "replies", "comments_post_id_posts_id_fk", false, false, false},   // same
			{6, Other, "replies", "comments_author_id_users_id_fk", false, false, false}, // same
			{8, Other, "", "", false, false, false},                                      // DROP INDEX
			{9, AddConstraint, "replies", "post_id", false, false, false},                // replies is comments renamed: still new in the range
			{10, AddConstraint, "replies", "author_id", false, false, false},
			{11, Additive, "replies", "", false, false, false},
			{12, AddConstraint, "replies", "post_id", false, false, false},
		},
		"0006_drops.sql": {
			{1, DropTable, "old_logs", "", true, false, false},   // shipped in 0000
			{2, DropColumn, "users", "bio", false, false, false}, // bio was added in the range (0001)
		},
		"0007_enum.sql": {
			{1, AlterColumnType, "posts", "status", false, false, false}, // enum → text: every old value is valid text
			{2, Additive, "posts", "status", false, false, false},        // SET DEFAULT
			{3, Other, "", "", false, false, false},                      // DROP TYPE status: re-created on line 4, judged there
			{4, DropEnumValue, "", "", true, false, false},               // 'archived' removed: old code may write it
			{5, Additive, "posts", "status", false, false, false},        // SET DEFAULT
			{6, AlterColumnType, "posts", "status", false, false, false}, // back to the enum the previous release had
		},
		"0008_custom.sql": {
			{4, Additive, "", "", false, false, false},                      // CREATE SCHEMA audit (the comments above it never count)
			{6, Additive, "audit.Events", "", false, false, false},          // quoted, schema-qualified new table
			{8, AddConstraint, "audit.Events", "Kind", false, false, false}, // check on the new table
			{10, Other, "", "", false, false, false},                        // COMMENT ON with SQL keywords in the string
			{12, DataChange, "users", "", false, false, false},              // lower-case update, first of two on the line
			{12, Additive, "users", "nickname", false, false, false},        // second statement on the same line: SET DEFAULT
			{14, Additive, "users", "locale", false, false, false},          // ALTER TABLE IF EXISTS ONLY "public"."users" ADD COLUMN … DEFAULT … NOT NULL
			{16, AlterColumnType, "posts", "user_id", true, false, false},   // int4 → int8 USING
			{19, AlterColumnType, "replies", "body", false, true, false},    // TYPE … USING narrowing, but a pragma says compatible
			{23, AddConstraint, "replies", "body", false, false, false},     // inside a DO block; replies is new in the range
			{30, Other, "", "", false, false, true},                         // EXECUTE in a DO block: the analyser cannot see the statement: needs review
			{34, DataChange, "users", "", true, true, false},                // pragma says breaking
			{36, Additive, "posts", "", false, false, false},                // CREATE INDEX IF NOT EXISTS
			{38, DataChange, "replies", "", false, false, false},            // DELETE: data, not schema
		},
	}
	checkFixtures(t, got, wants)
}

// The previous release is v1.2.0: 0000 to 0004 shipped, so comments and
// its constraints are the previous release's, and touching them breaks it.
func TestClassifyFixturesSinceConstraints(t *testing.T) {
	got := classifyFixtures(t, 5)
	wants := map[string][]want{
		"0005_renames.sql": {
			{1, RenameTable, "comments", "", true, false, false}, // shipped table renamed
			{2, RenameColumn, "posts", "title", true, false, false},
			{3, Other, "replies", "comments_post_author_uq", false, false, false},
			{4, Other, "replies", "comments_post_id_posts_id_fk", false, false, false},
			{6, Other, "replies", "comments_author_id_users_id_fk", false, false, false},
			{8, Other, "", "", false, false, false},
			{9, AddConstraint, "replies", "post_id", false, false, false}, // re-creates the foreign key comments had: the previous release's writes are checked as before
			{10, AddConstraint, "replies", "author_id", false, false, false},
			{11, Additive, "replies", "", false, false, false},
			{12, AddConstraint, "replies", "post_id", false, false, false}, // the previous release kept (post_id, author_id) unique already
		},
		"0006_drops.sql": {
			{1, DropTable, "old_logs", "", true, false, false},
			{2, DropColumn, "users", "bio", true, false, false}, // bio shipped in 0001 now
		},
		"0007_enum.sql": {
			{1, AlterColumnType, "posts", "status", false, false, false},
			{2, Additive, "posts", "status", false, false, false},
			{3, Other, "", "", false, false, false},
			{4, DropEnumValue, "", "", true, false, false},
			{5, Additive, "posts", "status", false, false, false},
			{6, AlterColumnType, "posts", "status", false, false, false},
		},
		"0008_custom.sql": {
			{4, Additive, "", "", false, false, false},
			{6, Additive, "audit.Events", "", false, false, false},
			{8, AddConstraint, "audit.Events", "Kind", false, false, false},
			{10, Other, "", "", false, false, false},
			{12, DataChange, "users", "", false, false, false},
			{12, Additive, "users", "nickname", false, false, false},
			{14, Additive, "users", "locale", false, false, false},
			{16, AlterColumnType, "posts", "user_id", true, false, false},
			{19, AlterColumnType, "replies", "body", false, true, false},
			{23, AddConstraint, "replies", "body", true, false, false}, // replies (comments) shipped: the check can reject old writes
			{30, Other, "", "", false, false, true},                    // EXECUTE: the analyser cannot see the statement: needs review
			{34, DataChange, "users", "", true, true, false},
			{36, Additive, "posts", "", false, false, false},
			{38, DataChange, "replies", "", false, false, false},
		},
	}
	checkFixtures(t, got, wants)
}

func checkFixtures(t *testing.T, got map[string][]Finding, wants map[string][]want) {
	t.Helper()
	for file, w := range wants {
		if diff := cmp.Diff(w, gotOf(got[file])); diff != "" {
			t.Errorf("%s (-want +got):\n%s", file, diff)
		}
	}
}
