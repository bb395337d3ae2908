package migrations_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/migrations/internal/testrepo"
)

const fixtures = "testdata/drizzle"

// releases builds a repository whose history is the drizzle-kit fixtures,
// one commit per migration, in db/migrations (named by drizzle.config.ts):
// v1.0.0 ships 0000, v1.1.0 ships up to 0001, v1.2.0 up to 0004, and HEAD
// has all nine.
func releases(t *testing.T) *testrepo.Repo {
	t.Helper()
	r := testrepo.New(t)
	r.Write("drizzle.config.ts", []byte("import { defineConfig } from \"drizzle-kit\";\nexport default defineConfig({\n  dialect: \"postgresql\",\n  schema: \"./src/schema.ts\",\n  out: './db/migrations',\n});\n"))
	for n := 1; n <= 9; n++ {
		r.Drizzle(fixtures, "db/migrations", n)
		r.Commit("migration " + string(rune('0'+n-1)))
		switch n {
		case 1:
			r.Tag("v1.0.0")
		case 2:
			r.Tag("v1.1.0")
		case 5:
			r.Tag("v1.2.0")
		}
	}
	return r
}

func names(rep migrations.Report) []string {
	var out []string
	for _, m := range rep.Migrations {
		out = append(out, m.Name+":"+m.Status)
	}
	return out
}

func TestAnalyzeRanges(t *testing.T) {
	r := releases(t)
	tests := []struct {
		name, from, to string
		wantFrom       string
		want           []string
		breaking       []string // names of the breaking migrations
	}{
		{"HEAD from the last tag", "", "", "v1.2.0",
			[]string{"0005_renames:added", "0006_drops:added", "0007_enum:added", "0008_custom:added"},
			[]string{"0005_renames", "0006_drops", "0007_enum", "0008_custom"}},
		{"a tag from the tag below it", "", "v1.2.0", "v1.1.0",
			[]string{"0002_required:added", "0003_types:added", "0004_constraints:added"},
			[]string{"0002_required", "0003_types", "0004_constraints"}},
		{"only additive", "", "v1.1.0", "v1.0.0", []string{"0001_additive:added"}, nil},
		{"the first release has no previous tag", "", "v1.0.0", "", []string{"0000_init:added"}, nil},
		{"explicit from", "v1.0.0", "v1.2.0", "v1.0.0",
			[]string{"0001_additive:added", "0002_required:added", "0003_types:added", "0004_constraints:added"},
			[]string{"0002_required", "0003_types", "0004_constraints"}},
		{"empty range", "v1.2.0", "v1.2.0", "v1.2.0", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := migrations.Analyze(t.Context(), r.Dir, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if rep.From != tt.wantFrom || rep.Dir != "db/migrations" {
				t.Errorf("from %q dir %q, want %q db/migrations", rep.From, rep.Dir, tt.wantFrom)
			}
			if diff := cmp.Diff(tt.want, names(rep)); diff != "" {
				t.Errorf("migrations (-want +got):\n%s", diff)
			}
			var breaking []string
			for _, m := range rep.Migrations {
				if m.Breaking {
					breaking = append(breaking, m.Name)
				}
			}
			if diff := cmp.Diff(tt.breaking, breaking); diff != "" {
				t.Errorf("breaking (-want +got):\n%s", diff)
			}
			if len(rep.Problems) != 0 {
				t.Errorf("problems: %+v", rep.Problems)
			}
			if rep.Breaking() != (len(tt.breaking) > 0) {
				t.Errorf("Breaking() = %v", rep.Breaking())
			}
		})
	}
}

// Judged against the schema of "from": comments is new since v1.0.0 but
// shipped in v1.2.0, so renaming it breaks only the second range.
func TestAnalyzeJudgesAgainstFrom(t *testing.T) {
	r := releases(t)
	verdict := func(from string) bool {
		rep, err := migrations.Analyze(t.Context(), r.Dir, from, "HEAD")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rep.Migrations {
			for _, f := range m.Findings {
				if f.Class == migrations.RenameTable {
					if f.File != "db/migrations/0005_renames.sql" || f.Line != 1 || f.Table != "comments" {
						t.Errorf("rename finding %+v", f)
					}
					return f.Breaking
				}
			}
		}
		t.Fatal("no rename-table finding")
		return false
	}
	if verdict("v1.0.0") {
		t.Error("since v1.0.0: renaming comments (created in the range) judged breaking")
	}
	if !verdict("v1.2.0") {
		t.Error("since v1.2.0: renaming the shipped comments judged compatible")
	}
}

func TestAnalyzeProblems(t *testing.T) {
	r := releases(t)
	// Edit a shipped migration, delete another, add a file the journal
	// does not list, and a journal entry with no file.
	r.Write("db/migrations/0001_additive.sql", []byte("ALTER TABLE users ADD COLUMN bio text;\n"))
	r.Remove("db/migrations/0003_types.sql")
	r.Write("db/migrations/0009_stray.sql", []byte("DROP TABLE users;\n"))
	j, err := os.ReadFile(r.Dir + "/db/migrations/meta/_journal.json")
	if err != nil {
		t.Fatal(err)
	}
	js := strings.Replace(string(j), `"tag": "0008_custom",`, `"tag": "0008_custom",
      "breakpoints": true
    },
    {
      "idx": 9,
      "version": "7",
      "when": 1,
      "tag": "0010_ghost",`, 1)
	r.Write("db/migrations/meta/_journal.json", []byte(js))
	r.Commit("break things")

	rep, err := migrations.Analyze(t.Context(), r.Dir, "v1.2.0", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		if p.Level != migrations.LevelError {
			t.Errorf("problem not error-level: %+v", p)
		}
		got = append(got, p.File+": "+strings.SplitN(p.Reason, ":", 2)[0])
	}
	slices.Sort(got)
	want := []string{
		"db/migrations/0001_additive.sql: migration 0001_additive shipped in v1.2.0 and is edited in this range",
		"db/migrations/0003_types.sql: migration 0003_types shipped in v1.2.0 and is deleted in this range",
		"db/migrations/0009_stray.sql: 0009_stray.sql is not in db/migrations/meta/_journal.json",
		"db/migrations/meta/_journal.json: journal entry 0003_types has no file db/migrations/0003_types.sql",
		"db/migrations/meta/_journal.json: journal entry 0010_ghost has no file db/migrations/0010_ghost.sql",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"0001_additive:modified", "0005_renames:added", "0006_drops:added", "0007_enum:added", "0008_custom:added", "0003_types:deleted"}, names(rep)); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
}

func TestAnalyzeJournalOrder(t *testing.T) {
	r := testrepo.New(t)
	r.Write("drizzle/0000_a.sql", []byte("CREATE TABLE a (id int);"))
	r.Write("drizzle/meta/_journal.json", []byte(`{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":2000,"tag":"0000_a","breakpoints":true}]}`))
	r.Commit("a")
	r.Tag("v0.1.0")
	r.Write("drizzle/0001_b.sql", []byte("CREATE TABLE b (id int);"))
	r.Write("drizzle/meta/_journal.json", []byte(`{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":2000,"tag":"0000_a","breakpoints":true},{"idx":1,"version":"7","when":1000,"tag":"0001_b","breakpoints":true}]}`))
	r.Commit("b")
	rep, err := migrations.Analyze(t.Context(), r.Dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != "v0.1.0" || rep.Dir != "drizzle" || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Reason, "skips it") {
		t.Fatalf("report %+v", rep)
	}
}

func TestAnalyzeFolderLayoutAndJSONConfig(t *testing.T) {
	r := testrepo.New(t)
	r.Write("drizzle.config.json", []byte(`{"dialect":"postgresql","out":"./sql"}`))
	r.Write("sql/20250101000000_init/migration.sql", []byte(`CREATE TABLE "t" ("id" int, "name" varchar(10));`))
	r.Write("sql/20250101000000_init/snapshot.json", []byte(`{}`))
	r.Commit("init")
	r.Tag("v2.0.0")
	r.Write("sql/20250202000000_grow/migration.sql", []byte(`ALTER TABLE "t" ALTER COLUMN "name" SET DATA TYPE varchar(20);--> statement-breakpoint
ALTER TABLE "t" ADD COLUMN "n" int NOT NULL;`))
	r.Commit("grow")
	r.Tag("v2.1.0-rc.1")
	r.Write("sql/20250303000000_more/migration.sql", []byte(`ALTER TABLE "t" DROP COLUMN "n";`))
	r.Commit("more")

	// HEAD: pre-releases do not count, so the range starts at v2.0.0.
	rep, err := migrations.Analyze(t.Context(), r.Dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"20250202000000_grow:added", "20250303000000_more:added"}, names(rep)); diff != "" || rep.From != "v2.0.0" || rep.Dir != "sql" {
		t.Fatalf("from %q dir %q (-want +got):\n%s", rep.From, rep.Dir, diff)
	}
	grow := rep.Migrations[0].Findings
	if len(grow) != 2 || grow[0].Breaking || !grow[1].Breaking || grow[1].Line != 2 || grow[1].Class != migrations.AddRequiredColumn {
		t.Errorf("grow findings %+v", grow)
	}
	// The column n is added in the range, so dropping it breaks nothing.
	if more := rep.Migrations[1].Findings; len(more) != 1 || more[0].Breaking {
		t.Errorf("more findings %+v", more)
	}
	// A pre-release "to" counts pre-releases below it.
	rep, err = migrations.Analyze(t.Context(), r.Dir, "", "v2.1.0-rc.1", migrations.WithDir("sql/"))
	if err != nil || rep.From != "v2.0.0" || len(rep.Migrations) != 1 {
		t.Fatalf("rc: %v %+v", err, rep)
	}
}

func TestAnalyzeSkipsTagOnHead(t *testing.T) {
	r := releases(t)
	r.Tag("v1.3.0") // the release being made, on HEAD
	rep, err := migrations.Analyze(t.Context(), r.Dir, "", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != "v1.2.0" || len(rep.Migrations) != 4 {
		t.Fatalf("from %q, %d migrations", rep.From, len(rep.Migrations))
	}
}

func TestAnalyzeBadInput(t *testing.T) {
	r := releases(t)
	tests := []struct {
		name, from, to string
		opts           []migrations.Option
		want           string
	}{
		{"unknown to", "", "v9.9.9", nil, `ref "v9.9.9" is not a commit`},
		{"unknown from", "nope", "", nil, `ref "nope" is not a commit`},
		{"absolute dir", "", "", []migrations.Option{migrations.WithDir("/etc")}, "relative to the repository root"},
		{"dir outside", "", "", []migrations.Option{migrations.WithDir("../x")}, "relative to the repository root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := migrations.Analyze(t.Context(), r.Dir, tt.from, tt.to, tt.opts...)
			var bi interface{ BadInput() bool }
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &bi) || !bi.BadInput() {
				t.Fatalf("err = %v, want bad input containing %q", err, tt.want)
			}
		})
	}
	if _, err := migrations.Analyze(t.Context(), t.TempDir(), "", ""); err == nil {
		t.Error("not a repository: no error")
	}
}

// The drizzle-kit 1.0 layout, generated by drizzle-kit 1.0.0-rc.5: one
// folder per migration. v1.0.0 ships init; HEAD has all six.
func TestAnalyzeDrizzleV1Layout(t *testing.T) {
	dirs, err := filepath.Glob("testdata/drizzle-v1/*/migration.sql")
	if err != nil || len(dirs) != 6 {
		t.Fatalf("want 6 drizzle-kit 1.0 migrations, got %d: run scripts/drizzle-fixtures.sh", len(dirs))
	}
	r := testrepo.New(t)
	for i, p := range dirs {
		folder := filepath.Base(filepath.Dir(p))
		r.CopyFile(p, "drizzle/"+folder+"/migration.sql")
		r.CopyFile(filepath.Join(filepath.Dir(p), "snapshot.json"), "drizzle/"+folder+"/snapshot.json")
		r.Commit(folder)
		if i == 0 {
			r.Tag("v1.0.0")
		}
	}
	rep, err := migrations.Analyze(t.Context(), r.Dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != "v1.0.0" || rep.Dir != "drizzle" || len(rep.Problems) != 0 || len(rep.Migrations) != 5 {
		t.Fatalf("report from %q dir %q problems %+v, %d migrations", rep.From, rep.Dir, rep.Problems, len(rep.Migrations))
	}
	type w struct {
		Line     int
		Class    migrations.Class
		Object   string
		Breaking bool
	}
	got := map[string][]w{}
	for _, m := range rep.Migrations {
		name := m.Name[strings.Index(m.Name, "_")+1:]
		for _, f := range m.Findings {
			got[name] = append(got[name], w{f.Line, f.Class, f.Table + "." + f.Column, f.Breaking})
		}
	}
	want := map[string][]w{
		"additive": {
			{1, migrations.Additive, ".", false},                      // ADD VALUE 'hidden'
			{2, migrations.Additive, "comments.", false},              // new table
			{9, migrations.Additive, "users.bio", false},              // nullable
			{10, migrations.Additive, "users.created_at", false},      // NOT NULL DEFAULT now()
			{11, migrations.Additive, "comments.", false},             // index
			{12, migrations.Additive, "users.", false},                // index
			{13, migrations.AddConstraint, "comments.post_id", false}, // FK on the new table
			{14, migrations.AddConstraint, "comments.author_id", false},
		},
		"required": {
			{1, migrations.AddRequiredColumn, "users.handle", true},
			{2, migrations.SetNotNull, "posts.title", true},
			{3, migrations.DropDefault, "users.nickname", false}, // nullable: needs review, not breaking
		},
		"types": {
			{1, migrations.AlterColumnType, "users.name", false}, // varchar(64) → varchar(128) USING a cast: still widening
			{2, migrations.AlterColumnType, "users.score", true},
			{3, migrations.AlterColumnType, "users.legacy", true},
		},
		"constraints": {
			{1, migrations.AddConstraint, "comments.post_id", false}, // comments is new since v1.0.0
			{2, migrations.AddConstraint, "users.email", true},
			{3, migrations.AddConstraint, "users.score", true},
		},
		"enum": {
			{1, migrations.AlterColumnType, "posts.status", false}, // enum → text
			{2, migrations.DropDefault, "posts.status", false},     // 1.0 drops the default and sets it again on line 6
			{3, migrations.Other, ".", false},                      // DROP TYPE, re-created on line 4
			{4, migrations.DropEnumValue, ".", true},               // 'archived' is gone
			{5, migrations.AlterColumnType, "posts.status", false}, // back to the shipped enum
			{6, migrations.Additive, "posts.status", false},        // SET DEFAULT
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAnalyzeCancelled(t *testing.T) {
	r := releases(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := migrations.Analyze(ctx, r.Dir, "", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: err = %v", err)
	}
}
