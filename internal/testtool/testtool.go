// Package testtool finds the pinned external tools that tests run (crane,
// cosign, registry, sigstore servers, …). scripts/tools.sh installs them
// into $SONIC_TOOLS/bin; scripts/test.sh sets SONIC_TOOLS.
package testtool

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Path returns the path of tool name: $SONIC_TOOLS/bin/name, else name on
// $PATH. When the tool is missing the test fails under CI (CI=true) and is
// skipped elsewhere, with the command that installs it.
func Path(t testing.TB, name string) string {
	t.Helper()
	if dir := os.Getenv("SONIC_TOOLS"); dir != "" {
		p := filepath.Join(dir, "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := name + " is not installed: run scripts/test.sh (or scripts/tools.sh and set SONIC_TOOLS=$PWD/.tools)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
