package migrations_test

import (
	"encoding/json"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/golden"
	"github.com/sonicsaas/sonic-release/migrations"
)

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
	golden.Assert(t, "TestReportGolden.json.golden", got)
}
