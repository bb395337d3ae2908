package lint

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/testtool"
)

// TestActionlintTagsAction runs actionlint over the example workflow
// docs/examples/build-with-tags.yml with its sonic-release/tags step
// pointing at tags/action.yml as a local action, so actionlint reads the
// action's metadata and checks the inputs given and the outputs used
// (steps.meta.outputs.*) against it. The same workflow with an input the
// action lacks must fail: the check reads the action.
func TestActionlintTagsAction(t *testing.T) {
	t.Parallel()
	bin := testtool.Path(t, "actionlint")
	action, err := os.ReadFile("../../tags/action.yml")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../../docs/examples/build-with-tags.yml")
	if err != nil {
		t.Fatal(err)
	}
	uses := regexp.MustCompile(`uses: sonicsaas/sonic-release/tags@\S+.*`)
	if !uses.Match(example) {
		t.Fatal("docs/examples/build-with-tags.yml has no sonicsaas/sonic-release/tags step")
	}
	local := uses.ReplaceAllString(string(example), "uses: ./tags")

	lint := func(t *testing.T, workflow string) (string, error) {
		dir := t.TempDir()
		for path, data := range map[string]string{"tags/action.yml": string(action), ".github/workflows/build.yml": workflow} {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(path)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, path), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// actionlint finds local actions from the repository's root.
		if out, err := exec.CommandContext(t.Context(), "git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
			t.Fatalf("git init: %v\n%s", err, out)
		}
		cmd := exec.CommandContext(t.Context(), bin, "-no-color", "-shellcheck=", "-pyflakes=", ".github/workflows/build.yml")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := lint(t, local); err != nil {
		t.Fatalf("actionlint of the example with ./tags:\n%s\n%v", out, err)
	}
	bad := strings.Replace(local, "images: ghcr.io/acme/app", "images: ghcr.io/acme/app\n          flavor: latest=false", 1)
	bad = strings.Replace(bad, "steps.meta.outputs.version", "steps.meta.outputs.bake-file", 1)
	out, err := lint(t, bad)
	if err == nil || !strings.Contains(out, `input "flavor" is not defined`) || !strings.Contains(out, `property "bake-file" is not defined`) {
		t.Errorf("actionlint accepts an input and an output the action lacks: %v\n%s", err, out)
	}
}
