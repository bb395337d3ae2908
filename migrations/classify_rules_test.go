package migrations

import (
	"cmp"
	"strings"
	"testing"
)

// rulesShipped is the previous release of TestClassifyRules: teams and
// members with a foreign key, a unique email and an enum state.
const rulesShipped = `CREATE TYPE "state" AS ENUM('active', 'gone');
CREATE TABLE "teams" ("id" integer PRIMARY KEY);
CREATE TABLE "members" ("id" serial PRIMARY KEY, "team_id" integer REFERENCES "teams"("id") ON DELETE no action,
  "email" text NOT NULL UNIQUE, "state" "state" NOT NULL, "note" text DEFAULT 'none');
CREATE TRIGGER "members_touch" BEFORE UPDATE ON "members" FOR EACH ROW EXECUTE FUNCTION touch();`

// TestClassifyRules pins the rules by which constraints and columns added
// in a range are judged: what the previous release's writes run into. Each
// case checks the verdict of the file's last finding and a part of its
// reason, which must be a true statement about the previous release.
func TestClassifyRules(t *testing.T) {
	tests := []struct {
		name, sql string
		verdict   Verdict
		reason    string
		file      Verdict // the migration's verdict, when another statement decides it
	}{
		// Foreign keys.
		{"foreign key on a column added without a default", "ALTER TABLE members ADD COLUMN mentor_id integer;\nALTER TABLE members ADD CONSTRAINT m_mentor FOREIGN KEY (mentor_id) REFERENCES teams(id) ON DELETE cascade;",
			VerdictCompatible, "a NULL never violates a foreign key; deleting a teams row now also deletes the rows this release wrote that reference it (ON DELETE cascade)", ""},
		{"foreign key on a column added with a default", "ALTER TABLE members ADD COLUMN mentor_id integer DEFAULT 1;\nALTER TABLE members ADD CONSTRAINT m_mentor FOREIGN KEY (mentor_id) REFERENCES teams(id);",
			VerdictBreaking, "rows the previous release inserts get the default of members(mentor_id) (mentor_id = 1), which teams may not hold", ""},
		{"foreign key on a column the previous release writes", "ALTER TABLE members ADD CONSTRAINT m_note FOREIGN KEY (note) REFERENCES teams(id);",
			VerdictBreaking, "the previous release writes members(note) with values teams may not hold", ""},
		{"foreign key re-created with other ON DELETE", "ALTER TABLE members DROP CONSTRAINT members_team_id_fkey;\nALTER TABLE members ADD CONSTRAINT members_team_id_teams_id_fk FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE set null;",
			VerdictCompatible, "which the previous release already had: its writes are checked as before; ON DELETE set null instead of no action: deleting a teams row now sets members(team_id) to NULL", ""},
		{"foreign key re-created after the referenced table is renamed", "ALTER TABLE teams RENAME TO squads;\nALTER TABLE members ADD CONSTRAINT m_squad FOREIGN KEY (team_id) REFERENCES squads(id) ON DELETE no action;",
			VerdictCompatible, "its writes are checked as before; the same actions", VerdictBreaking},
		// Unique keys.
		{"unique on a column added without a default", "ALTER TABLE members ADD COLUMN handle text;\nALTER TABLE members ADD CONSTRAINT m_handle UNIQUE (handle);",
			VerdictCompatible, "NULLs never collide", ""},
		{"unique on a column added with a constant default", "ALTER TABLE members ADD COLUMN handle text DEFAULT 'x' NOT NULL;\nCREATE UNIQUE INDEX m_handle ON members (handle);",
			VerdictBreaking, "every row the previous release inserts has handle = 'x'", ""},
		{"unique declared on an added column with a constant default", "ALTER TABLE members ADD COLUMN handle text DEFAULT 'x' UNIQUE;",
			VerdictBreaking, "so the second such row collides", ""},
		{"unique on an added column with a random default", "ALTER TABLE members ADD COLUMN token uuid DEFAULT gen_random_uuid() NOT NULL;\nCREATE UNIQUE INDEX m_token ON members (token);",
			VerdictCompatible, "get a new value of members.token each", ""},
		{"unique implied by a key the previous release had", "CREATE UNIQUE INDEX m_email_state ON members (email, state);",
			VerdictCompatible, "the previous release already kept members(email) unique", ""},
		{"unique on columns the previous release writes", "CREATE UNIQUE INDEX m_note ON members (note);",
			VerdictBreaking, "the previous release writes members(note) and may repeat a value there", ""},
		{"partial unique index that leaves the previous release's rows out", "ALTER TABLE members ADD COLUMN primary_of integer;\nCREATE UNIQUE INDEX m_primary ON members (team_id) WHERE primary_of IS NOT NULL;",
			VerdictCompatible, "its WHERE leaves out every row the previous release writes, where primary_of = NULL", ""},
		// Checks.
		{"check a constant default violates", "ALTER TABLE members ADD COLUMN seats integer DEFAULT 0 NOT NULL;\nALTER TABLE members ADD CONSTRAINT m_seats CHECK (seats > 0);",
			VerdictBreaking, "it fails for every row the previous release inserts, where seats = 0", ""},
		{"check a constant default satisfies", "ALTER TABLE members ADD COLUMN seats integer DEFAULT 1 NOT NULL;\nALTER TABLE members ADD CONSTRAINT m_seats CHECK (seats > 0 AND seats <= 100);",
			VerdictCompatible, "it holds for every row the previous release writes, where seats = 1", ""},
		{"check on an added column the analyser cannot evaluate", "ALTER TABLE members ADD COLUMN code text DEFAULT 'abc';\nALTER TABLE members ADD CONSTRAINT m_code CHECK (code ~ '^[a-z]+$');",
			VerdictReview, "the analyser cannot evaluate the check on them", ""},
		{"check on an enum value added in the range", "ALTER TYPE state ADD VALUE 'invited';\nALTER TABLE members ADD COLUMN invited_by integer;\nALTER TABLE members ADD CONSTRAINT m_invited CHECK (state::text <> 'invited' OR invited_by IS NOT NULL) NOT VALID;",
			VerdictCompatible, "state is one of the values enum state had in the previous release", ""},
		{"check on a column that was NOT NULL", "ALTER TABLE members ADD COLUMN kind text DEFAULT 'user' NOT NULL;\nALTER TABLE members ADD CONSTRAINT m_kind CHECK (kind = 'bot' OR email IS NOT NULL);",
			VerdictCompatible, "email is never NULL (NOT NULL in the previous release)", ""},
		{"check on a column the previous release writes", "ALTER TABLE members ADD CONSTRAINT m_note CHECK (note <> '');",
			VerdictBreaking, "the previous release writes note, and rows it writes may violate it", ""},
		// NOT NULL on columns added in the range.
		{"add, backfill, set not null on a table the previous release writes", "ALTER TABLE members ADD COLUMN team_name text;\nUPDATE members SET team_name = 'a';\nALTER TABLE members ALTER COLUMN team_name SET NOT NULL;",
			VerdictBreaking, "the column is added in this range without a default, so every row the previous release inserts (it never names the column) has NULL there and fails", ""},
		{"set not null, then a default in the same file", "ALTER TABLE members ADD COLUMN team_name text;\nALTER TABLE members ALTER COLUMN team_name SET NOT NULL;\nALTER TABLE members ALTER COLUMN team_name SET DEFAULT 'a';",
			VerdictCompatible, "sets a default on members.team_name", ""},
		{"set not null on a column added with a default", "ALTER TABLE members ADD COLUMN team_name text DEFAULT 'a';\nALTER TABLE members ALTER COLUMN team_name SET NOT NULL;",
			VerdictCompatible, "rows the previous release inserts (without it) get 'a'", ""},
		{"set not null on a new table", "CREATE TABLE badges (id int);\nALTER TABLE badges ADD COLUMN label text;\nALTER TABLE badges ALTER COLUMN label SET NOT NULL;",
			VerdictCompatible, "table badges is created in this range", ""},
		{"drop the default of a NOT NULL column added in the range", "ALTER TABLE members ADD COLUMN seats integer DEFAULT 1 NOT NULL;\nALTER TABLE members ALTER COLUMN seats DROP DEFAULT;",
			VerdictBreaking, "a NOT NULL column added in this range: every row the previous release inserts", ""},
		{"drop the default of a nullable column the previous release has", "ALTER TABLE members ALTER COLUMN note DROP DEFAULT;",
			VerdictReview, "its inserts that leave the column out now store NULL there instead of the default", ""},
		{"DEFAULT NULL is no default", "ALTER TABLE members ADD COLUMN n integer DEFAULT NULL NOT NULL;",
			VerdictBreaking, "without a default", ""},
		// What the analyser cannot see needs review; what it can see is judged.
		{"trigger on a table the previous release writes", "CREATE TRIGGER m_check BEFORE INSERT ON members FOR EACH ROW EXECUTE FUNCTION check_member();",
			VerdictReview, "read function check_member", ""},
		{"a trigger the previous release has, dropped", "DROP TRIGGER members_touch ON members;",
			VerdictReview, "the previous release's writes no longer fire it", ""},
		{"a trigger made in the range, dropped", "CREATE TRIGGER t2 BEFORE INSERT ON members FOR EACH ROW EXECUTE FUNCTION f();\nDROP TRIGGER t2 ON members;",
			VerdictCompatible, "created in this range", VerdictReview},
		{"a procedure made in the file, called and dropped", "CREATE OR REPLACE PROCEDURE backfill() LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE members SET note = 'x' WHERE note IS NULL;\n  COMMIT;\nEND;\n$$;\nCALL backfill();\nDROP PROCEDURE backfill();",
			VerdictCompatible, "drops procedure backfill, created in this range", ""},
		{"a procedure the analyser cannot see, called", "CALL elsewhere();",
			VerdictReview, "calls procedure elsewhere, whose body the analyser cannot see here", ""},
		{"drop an enum no column uses any more", "ALTER TABLE members ALTER COLUMN state SET DATA TYPE text;\nDROP TYPE state;",
			VerdictCompatible, "no column uses it any more", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSchema()
			if fs, _ := ClassifyFile("shipped.sql", []byte(rulesShipped), s); len(fs) == 0 {
				t.Fatal("no finding for the shipped schema")
			}
			s.Baseline()
			fs, err := ClassifyFile("m.sql", []byte(tt.sql), s)
			if err != nil || len(fs) == 0 {
				t.Fatalf("ClassifyFile: %v, %d findings", err, len(fs))
			}
			last := fs[len(fs)-1]
			if last.Verdict() != tt.verdict || !strings.Contains(last.Reason, tt.reason) {
				t.Errorf("last finding: %s %q\nwant: %s, reason containing %q\nall: %+v", last.Verdict(), last.Reason, tt.verdict, tt.reason, fs)
			}
			m := Migration{Findings: fs}
			m.Tally()
			if want := cmp.Or(tt.file, tt.verdict); m.Verdict() != want {
				t.Errorf("migration verdict %s, want %s: %+v", m.Verdict(), want, fs)
			}
		})
	}
}
