package migrations

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// shippedSchema is the previous release's schema for the unit cases.
const shippedSQL = `CREATE TYPE "mood" AS ENUM('sad', 'ok', 'happy');
CREATE TABLE "users" ("id" serial PRIMARY KEY, "name" varchar(64), "bio" text, "code" char(4),
  "price" numeric(10,2), "mood" "mood", "age" integer NOT NULL, "tags" text[]);
CREATE TABLE "sales"."orders" ("id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "total" numeric);
CREATE VIEW "v_users" AS SELECT 1;`

func shipped(t *testing.T) *Schema {
	t.Helper()
	s := NewSchema()
	fs, err := ClassifyFile("shipped.sql", []byte(shippedSQL), s)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Level == LevelError {
			t.Fatalf("shipped schema: %+v", f)
		}
	}
	s.Baseline()
	return s
}

func TestClassifyStatements(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		want   []want
		reason string // a substring of the first finding's reason
	}{
		{"keywords in comments never count", "-- DROP TABLE users;\n/* ALTER TABLE users DROP COLUMN bio; */\n", nil, ""},
		{"keywords in a string never count", "INSERT INTO users (name) VALUES ('DROP TABLE users; ALTER TABLE users DROP COLUMN bio');",
			[]want{{1, DataChange, "users", "", false, false, false}}, "inserts rows"},
		{"COMMENT ON text never counts", "COMMENT ON COLUMN users.bio IS 'drop table users';",
			[]want{{1, Other, "", "", false, false, false}}, "comment"},
		{"dollar-quoted keywords never count", "SELECT $x$ DROP TABLE users $x$;",
			[]want{{1, Other, "", "", false, false, false}}, ""},
		{"varchar to text is widening", `ALTER TABLE users ALTER COLUMN name TYPE text;`,
			[]want{{1, AlterColumnType, "users", "name", false, false, false}}, "binary-compatible"},
		{"varchar to unbounded varchar is widening", `ALTER TABLE users ALTER COLUMN name TYPE character varying;`,
			[]want{{1, AlterColumnType, "users", "name", false, false, false}}, "widens"},
		{"varchar narrowing breaks", `ALTER TABLE users ALTER COLUMN name TYPE varchar(10);`,
			[]want{{1, AlterColumnType, "users", "name", true, false, false}}, "varchar(64) to varchar(10)"},
		{"numeric precision widening", `ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);`,
			[]want{{1, AlterColumnType, "users", "price", false, false, false}}, "widens"},
		{"numeric scale change breaks", `ALTER TABLE users ALTER COLUMN price TYPE numeric(12,3);`,
			[]want{{1, AlterColumnType, "users", "price", true, false, false}}, ""},
		{"text array to text breaks", `ALTER TABLE users ALTER COLUMN tags TYPE text;`,
			[]want{{1, AlterColumnType, "users", "tags", true, false, false}}, "text[] to text"},
		{"text to int USING breaks", `ALTER TABLE "users" ALTER COLUMN "bio" SET DATA TYPE integer USING "bio"::integer;`,
			[]want{{1, AlterColumnType, "users", "bio", true, false, false}}, "text to int4"},
		{"unknown column type change needs review", `ALTER TABLE users ALTER COLUMN ghost TYPE text;`,
			[]want{{1, AlterColumnType, "users", "ghost", false, false, true}}, "not known"},
		{"unknown table judged shipped", `ALTER TABLE accounts DROP COLUMN x;`,
			[]want{{1, DropColumn, "accounts", "x", true, false, false}}, "not known from earlier migrations"},
		{"schema-qualified shipped table", `ALTER TABLE "sales"."orders" ADD CONSTRAINT "total_pos" CHECK ("total" > 0);`,
			[]want{{1, AddConstraint, "sales.orders", "total", true, false, false}}, "check constraint total_pos"},
		{"add column with identity has a default", `ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY NOT NULL;`,
			[]want{{1, Additive, "users", "n", false, false, false}}, ""},
		{"add serial column has a default", `ALTER TABLE users ADD COLUMN n serial NOT NULL;`,
			[]want{{1, Additive, "users", "n", false, false, false}}, ""},
		{"add primary key column without default is required", `ALTER TABLE users ADD COLUMN k uuid PRIMARY KEY;`,
			[]want{{1, AddRequiredColumn, "users", "k", true, false, false}}, ""},
		{"add required column to a new table", "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN k int NOT NULL;",
			[]want{{1, Additive, "t", "", false, false, false}, {2, AddRequiredColumn, "t", "k", false, false, false}}, ""},
		{"set not null on a column already not null", `ALTER TABLE users ALTER COLUMN age SET NOT NULL;`,
			[]want{{1, SetNotNull, "users", "age", false, false, false}}, "already NOT NULL"},
		{"drop not null relaxes", `ALTER TABLE users ALTER COLUMN age DROP NOT NULL;`,
			[]want{{1, Other, "users", "age", false, false, false}}, ""},
		{"drop identity is dropping a default", `ALTER TABLE sales.orders ALTER COLUMN id DROP IDENTITY;`,
			[]want{{1, DropDefault, "sales.orders", "id", true, false, false}}, ""},
		{"unique index on a shipped table", `CREATE UNIQUE INDEX users_name ON users (name);`,
			[]want{{1, AddConstraint, "users", "name", true, false, false}}, "unique index"},
		{"plain index", `CREATE INDEX CONCURRENTLY users_name ON users (name);`,
			[]want{{1, Additive, "users", "", false, false, false}}, ""},
		{"set schema is a rename", `ALTER TABLE users SET SCHEMA archive;`,
			[]want{{1, RenameTable, "users", "", true, false, false}}, "moves table"},
		{"rename enum value", `ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';`,
			[]want{{1, DropEnumValue, "", "", true, false, false}}, "'ok'"},
		{"add enum value", `ALTER TYPE "public"."mood" ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok';`,
			[]want{{1, Additive, "", "", false, false, false}}, ""},
		{"re-create enum with every value", "DROP TYPE mood;\nCREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'meh');",
			[]want{{1, Other, "", "", false, false, false}, {2, Other, "", "", false, false, false}}, "re-create"},
		{"drop enum for good", `DROP TYPE "public"."mood";`,
			[]want{{1, Other, "", "", true, false, false}}, "drops type mood"},
		{"drop table if exists unknown", `DROP TABLE IF EXISTS ghosts;`,
			[]want{{1, DropTable, "ghosts", "", true, false, false}}, "not known"},
		{"truncate", `TRUNCATE users, sales.orders;`,
			[]want{{1, DataChange, "users", "", false, false, false}, {1, DataChange, "sales.orders", "", false, false, false}}, "empties"},
		{"replace a shipped view", `CREATE OR REPLACE VIEW v_users AS SELECT 2;`,
			[]want{{1, Other, "", "", false, false, true}}, "replaces view"},
		{"new view, then replaced", "CREATE VIEW v2 AS SELECT 1;\nCREATE OR REPLACE VIEW v2 AS SELECT 2;",
			[]want{{1, Additive, "", "", false, false, false}, {2, Additive, "", "", false, false, false}}, ""},
		{"trigger on a shipped table", `CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f();`,
			[]want{{1, Other, "users", "", false, false, true}}, "trigger"},
		{"new composite type and domain", "CREATE TYPE pair AS (a int, b int);\nCREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');",
			[]want{{1, Additive, "", "", false, false, false}, {2, Additive, "", "", false, false, false}}, "creates"},
		{"maintenance", "ALTER SEQUENCE users_id_seq RESTART WITH 1000;\nVACUUM ANALYZE users;\nREFRESH MATERIALIZED VIEW v;",
			[]want{{1, Other, "", "", false, false, false}, {2, Other, "", "", false, false, false}, {3, Other, "", "", false, false, false}}, "maintenance"},
		{"revoke is not judged", "REVOKE SELECT ON users FROM app;",
			[]want{{1, Other, "", "", false, false, true}}, "does not judge Grant"},
		{"policy is not judged", `CREATE POLICY p ON users USING (true);`,
			[]want{{1, Other, "", "", false, false, true}}, "does not judge CreatePolicy"},
		{"ALTER TABLE IF EXISTS ONLY, two commands", `alter table if exists only users add column x int, drop column bio;`,
			[]want{{1, Additive, "users", "x", false, false, false}, {1, DropColumn, "users", "bio", true, false, false}}, ""},
		{"enabling row level security needs review", `ALTER TABLE users ENABLE ROW LEVEL SECURITY;`,
			[]want{{1, Other, "users", "", false, false, true}}, "EnableRowSecurity"},
		{"DO block with a plain statement", "DO $$ BEGIN\n  ALTER TABLE users DROP COLUMN bio;\nEXCEPTION WHEN undefined_column THEN null;\nEND $$;",
			[]want{{2, DropColumn, "users", "bio", true, false, false}}, ""},
		{"DO block with FOR … IN EXECUTE", "DO $$ DECLARE r record; BEGIN FOR r IN EXECUTE 'select 1' LOOP END LOOP; END $$;",
			[]want{{1, Other, "", "", false, false, true}}, "dynamic SQL"},
		{"DO block in another language", "DO LANGUAGE plpython3u $$ plpy.execute('drop table users') $$;",
			[]want{{1, Other, "", "", false, false, true}}, "plpython3u"},
		{"DO block that does not parse", "DO $$ BEGIN ALTER TABLE; END $$;",
			[]want{{1, Other, "", "", true, false, false}}, "does not parse"},
		{"DO block with no SQL", "DO $$ BEGIN RAISE NOTICE 'drop table users'; END $$;",
			[]want{{1, Other, "", "", false, false, false}}, "no SQL"},
		{"invalid SQL is a finding on its line", "SELECT 1;\n\nALTER TABLE users ADD COLUM x int;\nALTER TABLE users DROP COLUMN bio;",
			[]want{{1, Other, "", "", false, false, false}, {3, Other, "", "", true, false, false}, {4, DropColumn, "users", "bio", true, false, false}}, ""},
		{"unterminated string", "ALTER TABLE users ADD COLUMN x text DEFAULT 'oops;",
			[]want{{1, Other, "", "", true, false, false}}, "does not parse"},
		{"pragma compatible", "-- sonic-release: compatible the old release never reads bio\nALTER TABLE users DROP COLUMN bio;",
			[]want{{2, DropColumn, "users", "bio", false, true, false}}, "the old release never reads bio"},
		{"pragma breaking on a chunk after a breakpoint", "SELECT 1;\n--> statement-breakpoint\n-- sonic-release: breaking old workers poll this index\nCREATE INDEX i ON users (name);",
			[]want{{1, Other, "", "", false, false, false}, {4, Additive, "users", "", true, true, false}}, ""},
		{"pragma in a string is not a pragma", "SELECT '-- sonic-release: compatible no';\nALTER TABLE users DROP COLUMN bio;",
			[]want{{1, Other, "", "", false, false, false}, {2, DropColumn, "users", "bio", true, false, false}}, ""},
		{"pragma without a reason", "-- sonic-release: compatible\nALTER TABLE users DROP COLUMN bio;",
			[]want{{1, Other, "", "", false, false, false}, {2, DropColumn, "users", "bio", true, false, false}}, "has no reason"},
		{"unknown pragma verdict", "-- sonic-release: maybe who knows\nALTER TABLE users DROP COLUMN bio;",
			[]want{{1, Other, "", "", false, false, false}, {2, DropColumn, "users", "bio", true, false, false}}, "expected"},
		{"dangling pragma", "ALTER TABLE users DROP COLUMN bio;\n-- sonic-release: compatible nothing follows",
			[]want{{1, DropColumn, "users", "bio", true, false, false}, {2, Other, "", "", false, false, false}}, ""},
		{"not UTF-8", "SELECT '\xff';", []want{{1, Other, "", "", true, false, false}}, "not UTF-8"},
		{"empty chunks between breakpoints", "--> statement-breakpoint\n\n--> statement-breakpoint", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := ClassifyFile("m.sql", []byte(tt.sql), shipped(t))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, nilIfEmpty(gotOf(fs))); diff != "" {
				t.Errorf("(-want +got):\n%s\nfindings: %+v", diff, fs)
			}
			if tt.reason != "" && (len(fs) == 0 || !strings.Contains(fs[0].Reason, tt.reason)) {
				t.Errorf("first reason = %q, want it to contain %q", firstReason(fs), tt.reason)
			}
			for _, f := range fs {
				if f.File != "m.sql" || f.Reason == "" || f.Level == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

func nilIfEmpty(w []want) []want {
	if len(w) == 0 {
		return nil
	}
	return w
}

func firstReason(fs []Finding) string {
	if len(fs) == 0 {
		return ""
	}
	return fs[0].Reason
}

func TestClassifyPragmaProblemsAreErrors(t *testing.T) {
	fs, _ := ClassifyFile("m.sql", []byte("-- sonic-release: compatible\nSELECT 1;"), NewSchema())
	if len(fs) == 0 || fs[0].Level != LevelError {
		t.Fatalf("want an error-level finding first, got %+v", fs)
	}
}

func TestClassifyStatementText(t *testing.T) {
	sql := "-- leading comment\n  ALTER TABLE users   DROP COLUMN bio ;  -- trailing\nSELECT 1"
	fs, _ := ClassifyFile("m.sql", []byte(sql), shipped(t))
	if len(fs) != 2 {
		t.Fatalf("want 2 findings, got %+v", fs)
	}
	if fs[0].Statement != "ALTER TABLE users   DROP COLUMN bio" || fs[0].Line != 2 {
		t.Errorf("first statement = %q on line %d", fs[0].Statement, fs[0].Line)
	}
	if fs[1].Statement != "SELECT 1" || fs[1].Line != 3 {
		t.Errorf("second statement = %q on line %d", fs[1].Statement, fs[1].Line)
	}
}

func TestClassifyNilSchema(t *testing.T) {
	fs, err := ClassifyFile("m.sql", []byte("CREATE TABLE t (id int); ALTER TABLE t ADD CONSTRAINT u UNIQUE (id);"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]want{{1, Additive, "t", "", false, false, false}, {1, AddConstraint, "t", "id", false, false, false}}, gotOf(fs)); diff != "" {
		t.Error(diff)
	}
}
