package migrations_test

import (
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/migrations"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestReportGolden pins the whole JSON report of the fixture range
// v1.0.0..HEAD: every statement, reason and line, in the shape the release
// notes read. Review a change with git diff after go test -update.
func TestReportGolden(t *testing.T) {
	r := releases(t)
	rep, err := migrations.Analyze(t.Context(), r.Dir, "v1.0.0", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const golden = "testdata/TestReportGolden.json.golden"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v: run go test ./migrations -run TestReportGolden -update", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
