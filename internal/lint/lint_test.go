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
		for _, d := range deps(pkg) {
			if strings.HasPrefix(d, "github.com/spf13/") || d == "os/signal" || d == "github.com/sonicsaas/sonic-release/internal/actions" {
				t.Errorf("library package %s imports %s: CLI concerns stay in cmd/", pkg, d)
			}
		}
	}
}
