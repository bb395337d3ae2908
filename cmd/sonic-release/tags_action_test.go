package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
)

// actionMeta is the part of an action.yml the test reads.
type actionMeta struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID  string            `yaml:"id"`
	Env map[string]string `yaml:"env"`
	Run string            `yaml:"run"`
}

// shellWords splits a one-line command as bash would for the plain
// quoting tags/action.yml uses ("$VAR", --flag="$VAR"), expanding $VAR.
func shellWords(line string, vars map[string]string) []string {
	var words []string
	var w strings.Builder
	in, quoted := false, false
	for _, r := range line {
		switch {
		case r == '"':
			in, quoted = !in, true
		case r == ' ' && !in:
			if w.Len() > 0 || quoted {
				words = append(words, os.Expand(w.String(), func(k string) string { return vars[k] }))
			}
			w.Reset()
			quoted = false
		default:
			w.WriteRune(r)
		}
	}
	if w.Len() > 0 || quoted {
		words = append(words, os.Expand(w.String(), func(k string) string { return vars[k] }))
	}
	return words
}

// TestTagsAction runs the command tags/action.yml runs, with its inputs'
// defaults and two images, and checks that it succeeds and writes every
// output the action declares: the action's flags and outputs are the
// CLI's.
func TestTagsAction(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../tags/action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var meta actionMeta
	if err := yaml.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(meta.Runs.Steps, func(s actionStep) bool { return s.ID == "tags" })
	if i < 0 {
		t.Fatal("tags/action.yml has no step with id tags")
	}
	step := meta.Runs.Steps[i]

	reg := registrytest.NewMemory(t)
	pushImage(t, reg.Repo("acme/app:v1.3.0"), testSHA)
	inputs := map[string]string{}
	for name, in := range meta.Inputs {
		inputs[name] = in.Default
	}
	inputs["images"] = reg.Repo("acme/app") + "\n" + reg.Repo("acme/mirror")
	inputs["github-token"] = ""
	dir := t.TempDir()
	vars := map[string]string{"GITHUB_WORKSPACE": dir}
	expr := regexp.MustCompile(`^\$\{\{ inputs\.([a-z-]+) \}\}$`)
	for k, v := range step.Env {
		m := expr.FindStringSubmatch(v)
		if m == nil {
			t.Fatalf("env %s: %q is not an input", k, v)
		}
		val, ok := inputs[m[1]]
		if !ok {
			t.Fatalf("env %s: no input %s", k, m[1])
		}
		vars[k] = val
	}
	words := shellWords(strings.TrimSpace(step.Run), vars)
	if len(words) < 2 || words[0] != "sonic-release" || words[1] != "tags" {
		t.Fatalf("the step runs %q, want sonic-release tags", words)
	}
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(dir, "output"), "GITHUB_REF": "refs/tags/v1.2.1", "GITHUB_SHA": testSHA, "GITHUB_EVENT_NAME": "push"}
	code, stdout, stderr := runCLI(t, env, words[1:]...)
	if code != 0 {
		t.Fatalf("%q: exit %d: %s", words, code, stderr)
	}
	if want := reg.Repo("acme/app") + ":v1.2.1\n" + reg.Repo("acme/app") + ":v1.2\n" + reg.Repo("acme/mirror") + ":v1.2.1\n" + reg.Repo("acme/mirror") + ":v1.2\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	got := parseOutputs(t, env["GITHUB_OUTPUT"])
	for name, out := range meta.Outputs {
		if out.Value != "${{ steps.tags.outputs."+name+" }}" {
			t.Errorf("output %s is %q, not the step's output of that name", name, out.Value)
		}
		if _, ok := got[name]; !ok {
			t.Errorf("output %s: the command does not write it", name)
		}
	}
	for name := range got {
		if _, ok := meta.Outputs[name]; !ok {
			t.Errorf("the command writes %s, which the action does not declare", name)
		}
	}
}
