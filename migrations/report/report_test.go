package report

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestNoCgo keeps the report types readable without a C toolchain: no
// package this one depends on may have cgo files (the PostgreSQL parser
// does, so it must stay out).
func TestNoCgo(t *testing.T) {
	if got := cgoDeps(t, "."); len(got) > 0 {
		t.Errorf("package report depends on %v, which use cgo", got)
	}
	// The check itself sees cgo: package migrations links the parser.
	if got := cgoDeps(t, ".."); len(got) == 0 {
		t.Error("package migrations has no cgo dependency: the check cannot see cgo")
	}
}

// cgoDeps lists the packages with cgo files among pkg and its dependencies.
func cgoDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{len .CgoFiles}}", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	var cgo []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, n, _ := strings.Cut(l, " ")
		if n != "0" || path == "runtime/cgo" {
			cgo = append(cgo, path)
		}
	}
	return cgo
}

func TestReportBreaking(t *testing.T) {
	r := Report{Migrations: []Migration{{Name: "a"}, {Name: "b"}}}
	if r.Breaking() {
		t.Fatal("no breaking migration, yet Breaking() is true")
	}
	r.Migrations[1].Breaking = true
	if !r.Breaking() {
		t.Fatal("one breaking migration, yet Breaking() is false")
	}
}

// Counts partition the added migrations by verdict; JSON carries each
// migration's verdict and the counts, and "breaking" never counts review.
func TestCountsAndJSON(t *testing.T) {
	r := Report{Migrations: []Migration{
		{Name: "a", Status: "added", Findings: []Finding{{Breaking: true}, {Review: true}}},
		{Name: "b", Status: "added", Findings: []Finding{{Review: true}}},
		{Name: "c", Status: "added", Findings: []Finding{{}}},
		{Name: "d", Status: "modified"},
	}, Problems: []Finding{{Level: LevelError}}}
	for i := range r.Migrations {
		r.Migrations[i].Tally()
	}
	if got, want := r.Counts(), (Counts{Breaking: 1, Review: 1, Compatible: 1, Problems: 1}); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
	if v := r.Migrations[0].Verdict(); v != VerdictBreaking || !r.Migrations[0].Review {
		t.Errorf("a breaking migration with a statement to review: verdict %s, review %v", v, r.Migrations[0].Review)
	}
	if !r.Breaking() || !r.Review() {
		t.Errorf("Breaking() %v, Review() %v", r.Breaking(), r.Review())
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"verdict":"breaking"`, `"verdict":"review"`, `"verdict":"compatible"`, `"counts":{"breaking":1,"review":1,"compatible":1,"problems":1}`, `"review":true,"findings":[{"file":"","breaking":false,"review":true`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON lacks %s:\n%s", want, js)
		}
	}
	var back Report
	if err := json.Unmarshal(js, &back); err != nil || back.Counts() != r.Counts() {
		t.Errorf("round trip: %v, %+v", err, back.Counts())
	}
}
