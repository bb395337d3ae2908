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
