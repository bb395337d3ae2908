package lint

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/testtool"
)

// TestActionlint runs actionlint over the project's workflows and the
// example workflows under docs/examples.
func TestActionlint(t *testing.T) {
	t.Parallel()
	bin := testtool.Path(t, "actionlint")
	var files []string
	for _, pat := range []string{"../../.github/workflows/*.yml", "../../.github/workflows/*.yaml", "../../docs/examples/*.yml", "../../docs/examples/*.yaml"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no workflow files found")
	}
	cmd := exec.CommandContext(t.Context(), bin, append([]string{"-no-color", "-shellcheck=", "-pyflakes="}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint %s:\n%s\n%v", strings.Join(files, " "), out, err)
	}
}

// TestImports pins the dependency rules of DESIGN.md: tagging imports no
// project package, and library packages import no CLI packages.
func TestImports(t *testing.T) {
	t.Parallel()
	deps := func(pkg string) []string {
		out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, d := range deps("github.com/sonicsaas/sonic-release/tagging") {
		if strings.HasPrefix(d, "github.com/sonicsaas/sonic-release/") && d != "github.com/sonicsaas/sonic-release/tagging" {
			t.Errorf("tagging imports %s: it must import nothing of the project", d)
		}
		if !strings.Contains(strings.SplitN(d, "/", 2)[0], ".") || strings.HasPrefix(d, "github.com/Masterminds/semver/") || strings.HasPrefix(d, "github.com/sonicsaas/") {
			continue
		}
		t.Errorf("tagging imports %s: only the standard library and semver are allowed", d)
	}
	out, err := exec.CommandContext(t.Context(), "go", "list", "github.com/sonicsaas/sonic-release/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "/cmd/") || strings.Contains(pkg, "/internal/") {
			continue
		}
		// Direct imports: a library package never touches the CLI layer
		// itself (third-party dependencies may link cobra; that is theirs).
		imps, err := exec.CommandContext(t.Context(), "go", "list", "-f", `{{join .Imports "\n"}}`, pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range strings.Fields(string(imps)) {
			if strings.HasPrefix(d, "github.com/spf13/") || d == "os/signal" {
				t.Errorf("library package %s imports %s: CLI concerns stay in cmd/", pkg, d)
			}
		}
		// Transitively, no project package of the CLI layer.
		for _, d := range deps(pkg) {
			if strings.HasPrefix(d, "github.com/sonicsaas/sonic-release/cmd/") || d == "github.com/sonicsaas/sonic-release/internal/actions" {
				t.Errorf("library package %s depends on %s: CLI concerns stay in cmd/", pkg, d)
			}
		}
	}
}

// TestNoCgo: the notes, the pipeline and the migration report types link
// no cgo package outside the standard library, so a Go user of them (and
// the notes and release steps) needs no C toolchain; only the migration
// analysis itself links the PostgreSQL parser, and callers pass it in
// (migrations.Analyzer).
func TestNoCgo(t *testing.T) {
	t.Parallel()
	pkgs := []string{"github.com/sonicsaas/sonic-release/notes", "github.com/sonicsaas/sonic-release/pipeline", "github.com/sonicsaas/sonic-release/migrations/report"}
	out, err := exec.CommandContext(t.Context(), "go", append([]string{"list", "-deps", "-f", `{{if and (not .Standard) .CgoFiles}}{{.ImportPath}}{{end}}`}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	if cgo := strings.Fields(string(out)); len(cgo) > 0 {
		t.Errorf("%s link cgo packages %v: keep the parser behind migrations.Analyzer", strings.Join(pkgs, " "), cgo)
	}
	// The check can fail: the migration analysis does link cgo.
	out, err = exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", `{{if and (not .Standard) .CgoFiles}}{{.ImportPath}}{{end}}`, "github.com/sonicsaas/sonic-release/migrations").Output()
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.Fields(string(out))) == 0 {
		t.Error("go list finds no cgo package under migrations: the check above proves nothing")
	}
}
