package notes

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestMigrationsFailed: notes whose migration analysis failed say so where
// the migrations would be, in the Markdown and the JSON, and warn; a
// reason from the repository stays on one line.
func TestMigrationsFailed(t *testing.T) {
	r := squashRepo(t)
	reason := "reading drizzle/meta/_journal.json:\n::error::boom <b>"
	n, err := Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir, MigrationsError: reason})
	if err != nil {
		t.Fatal(err)
	}
	md := Markdown(n)
	golden(t, "TestMigrationsFailed.md", md)
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "::") {
			t.Errorf("a line of the notes starts with '::': %q", line)
		}
	}
	if n.MigrationsError != "reading drizzle/meta/_journal.json: ::error::boom <b>" {
		t.Errorf("MigrationsError = %q, want the reason on one line", n.MigrationsError)
	}
	want := "the migration analysis failed (reading drizzle/meta/_journal.json: ::error::boom <b>): the notes cannot say whether v1.0.0 can run against the migrations of v1.1.0"
	if len(n.Warnings) == 0 || n.Warnings[0] != want {
		t.Errorf("warnings = %q, want first %q", n.Warnings, want)
	}
	js, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back["migrations_error"] != n.MigrationsError || back["migrations"] != nil {
		t.Errorf("json: migrations_error %q, migrations %v", back["migrations_error"], back["migrations"])
	}

	// Without a failure there is no such section or field.
	n, err = Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir})
	if err != nil || strings.Contains(Markdown(n), "could not be analysed") || n.MigrationsError != "" {
		t.Errorf("no failure: %v\n%s", err, Markdown(n))
	}

	_, err = Build(t.Context(), Input{Version: "v1.1.0", RepoDir: r.Dir, MigrationsError: "x", Migrations: migrationReport()})
	if ie, ok := errors.AsType[*InputError](err); !ok || !ie.BadInput() {
		t.Errorf("a report and a failure: err = %v, want an InputError", err)
	}
}
