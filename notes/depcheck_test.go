package notes

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies pins what the library may import: no CLI packages, no
// Actions environment, no internal package but the git runner, and none of
// the test-only fake GitHub's (kin-openapi).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	banned := []string{
		"github.com/spf13/",
		"os/signal",
		"github.com/sonicsaas/sonic-release/internal/actions", // the environment is the CLI's
		"github.com/sonicsaas/sonic-release/internal/fakegithub", "github.com/sonicsaas/sonic-release/internal/gittest",
		"github.com/sonicsaas/sonic-release/internal/golden", "github.com/sonicsaas/sonic-release/internal/testtool",
		"github.com/sonicsaas/sonic-release/internal/demo",
		"github.com/sonicsaas/sonic-release/cmd/",
		"github.com/getkin/",
	}
	deps := strings.Fields(string(out))
	if !contains(deps, "github.com/google/go-github/v62/github") {
		t.Fatalf("go list -deps gave no go-github; expected the full graph:\n%s", out)
	}
	for _, p := range deps {
		for _, b := range banned {
			if strings.HasPrefix(p, b) && p != "github.com/sonicsaas/sonic-release/internal/gitexec" {
				t.Errorf("notes depends on %s", p)
			}
		}
	}
}
