package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/golden"
)

const testSHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"

func TestTagsGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"release.txt", []string{"tags", "--ref", "refs/tags/v1.4.0", "--existing", "v1.3.0,v2.0.1"}},
		{"release.json", []string{"tags", "--ref", "refs/tags/v1.4.0", "--existing", "v1.3.0", "--existing", "v2.0.1", "-o", "json"}},
		{"backport.txt", []string{"tags", "--ref", "refs/tags/1.1.5", "--existing", "v1.1.4,v1.2.0"}},
		{"prerelease.json", []string{"tags", "--ref", "refs/tags/v1.3.0-rc.1", "-o", "json"}},
		{"major-zero.txt", []string{"tags", "--ref", "refs/tags/v0.4.0", "--major-zero"}},
		{"branch.txt", []string{"tags", "--ref", "refs/heads/master", "--sha", testSHA}},
		{"branch-main-sha12.json", []string{"tags", "--ref", "refs/heads/main", "--default-branch", "main", "--sha", testSHA, "--sha-length", "12", "-o", "json"}},
		{"payload-release.txt", []string{"tags", "--event-name", "release", "--event-path", "../../tagging/testdata/handmade/release.published.v-prefix.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := runCLI(t, nil, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errs)
			}
			golden.Assert(t, filepath.Join("tags", tt.name), []byte(out))
		})
	}
}

func TestTagsExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		code    int
		stderr  string
		stdout0 bool // nothing on stdout
	}{
		{"not a version", []string{"tags", "--ref", "refs/tags/simple-tag"}, 2, `tag "simple-tag" is not a version`, true},
		{"two parts", []string{"tags", "--ref", "refs/tags/v1.2"}, 2, "expected a semantic version", true},
		{"four parts", []string{"tags", "--ref", "refs/tags/1.2.3.4"}, 2, "is not a version", true},
		{"leading zero", []string{"tags", "--ref", "refs/tags/v1.02.3"}, 2, "is not a version", true},
		{"build metadata", []string{"tags", "--ref", "refs/tags/v1.2.3+7"}, 2, "'+' cannot appear in a registry tag", true},
		{"bad sha", []string{"tags", "--ref", "refs/heads/master", "--sha", "nothex!"}, 2, "is not a commit id", true},
		{"sha length", []string{"tags", "--ref", "refs/heads/master", "--sha", testSHA, "--sha-length", "6"}, 2, "--sha-length 6: expected 7 to 40", true},
		{"draft", []string{"tags", "--event-name", "release", "--event-path", "../../tagging/testdata/handmade/release.draft.json"}, 2, "is a draft", true},
		{"deleted tag", []string{"tags", "--event-name", "push", "--event-path", "../../tagging/testdata/events/push.tag-deleted.1.json"}, 2, "the push deletes", true},
		{"malformed payload", []string{"tags", "--event-name", "release", "--event-path", "../../tagging/testdata/handmade/malformed.json"}, 2, "reading the event payload", true},
		{"missing payload", []string{"tags", "--event-name", "release", "--event-path", "does-not-exist.json"}, 2, "check --event-path", true},
		{"unknown flag", []string{"tags", "--frobnicate"}, 2, "unknown flag: --frobnicate", true},
		{"bad output", []string{"tags", "--ref", "refs/tags/v1.0.0", "-o", "yaml"}, 2, `-o "yaml": expected text or json`, true},
		{"bad created", []string{"tags", "--ref", "refs/tags/v1.0.0", "--created", "yesterday"}, 2, `--created "yesterday": expected an RFC 3339 time`, true},
		{"bad annotation level", []string{"tags", "--ref", "refs/tags/v1.0.0", "--annotation-levels", "manifest,layer"}, 2, `annotation level "layer" is not one buildx accepts`, true},
		{"branch not a tag", []string{"tags", "--ref", "refs/heads/rel/1", "--default-branch", "rel/1", "--sha", testSHA}, 2, "cannot become a registry tag", true},
		// The libraries name no flag; the CLI adds it to their typed errors.
		{"no ref", []string{"tags"}, 2, "no ref to release: give a ref such as refs/tags/v1.2.3 or refs/heads/master (--ref, or run inside GitHub Actions)", true},
		{"no sha", []string{"tags", "--ref", "refs/heads/master"}, 2, `no commit id for the push to "master": give the commit id of the push (--sha, or GITHUB_SHA)`, true},
		{"other branch", []string{"tags", "--ref", "refs/heads/feature", "--sha", testSHA}, 0, `branch "feature" is not the default branch "master": no tags`, true},
		{"pull request", []string{"tags", "--event-name", "pull_request", "--event-path", "../../tagging/testdata/handmade/pull_request.opened.json"}, 0, "no tags", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := runCLI(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			if !strings.Contains(errs, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", errs, tt.stderr)
			}
			if tt.stdout0 && out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}

// parseOutputs reads a $GITHUB_OUTPUT file the way the runner does.
func parseOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	out, err := actions.ReadOutputs(path)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTagsInActions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_EVENT_NAME":   "release",
		"GITHUB_EVENT_PATH":   "../../tagging/testdata/handmade/release.published.v-prefix.json",
		"GITHUB_REF":          "refs/tags/v1.2.3",
		"GITHUB_SHA":          testSHA,
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
	}
	code, out, errs := runCLI(t, env, "tags", "--existing", "v1.3.0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "v1.2.3\nv1.2\n" {
		t.Errorf("stdout %q", out)
	}
	got := parseOutputs(t, env["GITHUB_OUTPUT"])
	if got["tags"] != "v1.2.3\nv1.2" || got["version"] != "v1.2.3" || !strings.Contains(got["json"], `"reason":"v1 stays: v1.3.0 is published"`) {
		t.Errorf("outputs %q", got)
	}
	summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "tags/summary.md", summary)

	// Flags override the environment: an explicit --ref ignores the payload.
	code, out, _ = runCLI(t, env, "tags", "--ref", "refs/heads/master")
	if code != 0 || out != "master\nmaster-6113728\n" {
		t.Errorf("--ref override: exit %d, stdout %q", code, out)
	}

	// A failure inside Actions is an annotation on stderr and nothing on stdout.
	env["GITHUB_REF"] = "refs/tags/nope"
	env["GITHUB_EVENT_PATH"] = ""
	env["GITHUB_EVENT_NAME"] = "push"
	code, out, errs = runCLI(t, env, "tags")
	if code != 2 || out != "" || !strings.Contains(errs, "::error title=sonic-release::tag \"nope\" is not a version") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestWriteOutputsRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out")
	in := map[string]string{"a": "one", "b": "two\nlines", "c": "", "d": "ghadelimiter_ lookalike\n%0A"}
	if err := writeOutputsForTest(path, in); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, parseOutputs(t, path)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestTagsHostileRepository: a payload whose repository description and
// name hold newlines and workflow commands gives one label per line, none
// of them a command, and the same values in the json output.
func TestTagsHostileRepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	payload := filepath.Join(dir, "event.json")
	if err := os.WriteFile(payload, []byte(`{"ref": "refs/tags/v1.0.0", "after": "`+testSHA+`",
		"head_commit": {"id": "`+testSHA+`", "timestamp": "2026-01-02T03:04:05+01:00"},
		"repository": {"full_name": "acme/app", "name": "app\n::error::name", "default_branch": "master",
		"html_url": "https://github.com/acme/app", "description": "fine\r\n::warning title=x::pwned\u2028%0A=x", "license": {"spdx_id": "MIT\n::add-mask::y"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(dir, "output"), "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": payload}
	code, stdout, stderr := runCLI(t, env, "tags", "--annotation-levels", "manifest,index")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{stdout, stderr} {
		if cmds := actions.ForeignCommands(s); len(cmds) > 0 {
			t.Errorf("workflow commands printed: %q", cmds)
		}
	}
	got := parseOutputs(t, env["GITHUB_OUTPUT"])
	labels := strings.Split(got["labels"], "\n")
	if len(labels) != 8 {
		t.Errorf("%d labels, want 8:\n%s", len(labels), got["labels"])
	}
	if n := len(strings.Split(got["annotations"], "\n")); n != 16 {
		t.Errorf("%d annotations, want 16 (8 keys × 2 levels):\n%s", n, got["annotations"])
	}
	for _, l := range append(labels, strings.Split(got["annotations"], "\n")...) {
		if !strings.HasPrefix(strings.TrimPrefix(strings.TrimPrefix(l, "manifest:"), "index:"), "org.opencontainers.image.") {
			t.Errorf("line %q is not one key=value", l)
		}
	}
	for _, want := range []string{
		`org.opencontainers.image.created=2026-01-02T02:04:05.000Z`,
		`org.opencontainers.image.description=fine\r\n::warning title=x::pwned\u2028%0A=x`,
		`org.opencontainers.image.title=app\n::error::name`,
	} {
		if !slices.Contains(labels, want) {
			t.Errorf("labels lack %q:\n%s", want, got["labels"])
		}
	}
	checkMetadataJSON(t, got)
}
