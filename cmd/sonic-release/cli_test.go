package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCLI runs sonic-release in-process with env as the whole environment
// and returns the exit code, stdout and stderr. stdout is not a terminal.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLITTY(t, env, false, args...)
}

// runCLITTY is runCLI with stdout a terminal or not.
func runCLITTY(t *testing.T, env map[string]string, tty bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, ioStreams{In: strings.NewReader(""), Out: &out, Err: &errb, OutIsTTY: tty},
		func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// TestUsageHint names the command cobra resolved: a flag's value before the
// command is no command, and an unknown command gets the root's help.
func TestUsageHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		hint string
	}{
		{[]string{"--log-level", "debug", "relase"}, "Run 'sonic-release --help' for usage."},
		{[]string{"relase"}, "Run 'sonic-release --help' for usage."},
		{[]string{"--log-level", "debug", "tags", "--frobnicate"}, "Run 'sonic-release tags --help' for usage."},
		{[]string{"--log-format", "json", "sign", "--keyles"}, "Run 'sonic-release sign --help' for usage."},
		{[]string{"--log-level", "debug", "--frobnicate"}, "Run 'sonic-release --help' for usage."},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, nil, tt.args...)
		if code != exitBadInput || out != "" || !strings.HasSuffix(errOut, tt.hint+"\n") || strings.Contains(errOut, "debug --help") {
			t.Errorf("%q: exit %d, want %d ending with %q:\n%s", tt.args, code, exitBadInput, tt.hint, errOut)
		}
	}
	if _, _, errOut := runCLI(t, nil, "relase"); !strings.Contains(errOut, "Did you mean this?\n\trelease") {
		t.Errorf("unknown command without a suggestion:\n%s", errOut)
	}
}
