package report

import (
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
