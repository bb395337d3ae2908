package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fifo makes a named pipe. Should the CLI open it (as it did), a writer
// that opens it and closes at once keeps the test from blocking: the CLI
// then reads an empty file and fails with another message.
func fifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
	}()
	t.Cleanup(func() {
		// Release the writer if nothing opened the pipe.
		if f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	return p
}

// TestInputFilesNotRegular: every file the CLI reads (the event payload,
// keys, the trusted root, the identity token, templates, reports and
// release.yml) must be a regular file of at most 25 MiB: a FIFO blocked the
// run for good (and ignored SIGTERM), /dev/zero ended in an out-of-memory
// crash. Both are bad input now, named in the message.
func TestInputFilesNotRegular(t *testing.T) {
	t.Parallel()
	r, s := notesFixture(t)
	hostile := notesFixtureWithLink(t)
	key := filepath.Join(t.TempDir(), "cosign.pub")
	if err := os.WriteFile(key, []byte("not a key"), 0o644); err != nil {
		t.Fatal(err)
	}
	const image = "127.0.0.1:1/acme/app@" + digest
	notesEnv := map[string]string{"GITHUB_API_URL": s.URL, "GITHUB_REPOSITORY": notesRepo, "GITHUB_REF": "refs/tags/v1.1.0"}
	notes := []string{"notes", "--repo-dir", r.Dir, "--image", "ghcr.io/sonicsaas/app", "--digest", digest, "--image-tag", "v1.1.0"}
	tests := []struct {
		name string
		env  map[string]string
		args func() []string
		want []string
	}{
		{"event-path fifo", nil, func() []string { return []string{"tags", "--event-name", "release", "--event-path", fifo(t)} }, []string{"is a named pipe (FIFO)", "check --event-path"}},
		{"event-path /dev/zero", nil, func() []string { return []string{"tags", "--event-name", "release", "--event-path", "/dev/zero"} }, []string{`"/dev/zero" is a device`}},
		{"GITHUB_EVENT_PATH /dev/zero", map[string]string{"GITHUB_EVENT_NAME": "release", "GITHUB_EVENT_PATH": "/dev/zero"}, func() []string { return []string{"tags"} }, []string{`"/dev/zero" is a device`, "GITHUB_EVENT_PATH"}},
		{"template /dev/zero", notesEnv, func() []string { return append(notes, "--template", "/dev/zero") }, []string{"--template", "is a device"}},
		{"migrations fifo", notesEnv, func() []string { return append(notes, "--migrations", fifo(t)) }, []string{"--migrations", "is a named pipe"}},
		{"config /dev/zero", notesEnv, func() []string { return append(notes, "--config", "/dev/zero") }, []string{"release config", "is a device"}},
		{"release.yml linked to /dev/zero", notesEnv, func() []string { return append(notes[:1], append([]string{"--repo-dir", hostile}, notes[3:]...)...) }, []string{"release.yml", "is a device"}},
		{"sign key fifo", nil, func() []string { return []string{"sign", "--key", fifo(t), image} }, []string{"--key", "is a named pipe"}},
		{"verify key /dev/zero", nil, func() []string { return []string{"verify", "--key", "/dev/zero", image} }, []string{"--key", "is a device"}},
		{"trusted-root /dev/zero", nil, func() []string { return []string{"verify", "--key", key, "--trusted-root", "/dev/zero", image} }, []string{"--trusted-root", "is a device"}},
		{"identity-token fifo", nil, func() []string { return []string{"sign", "--identity-token", fifo(t), image} }, []string{"--identity-token", "is a named pipe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.env, tt.args()...)
			if code != exitBadInput || out != "" {
				t.Errorf("exit %d, stdout %q, want exit 2 and nothing (stderr %q)", code, out, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q lacks %q", errs, w)
				}
			}
		})
	}
}

// notesFixtureWithLink is a repository whose .github/release.yml is a
// symbolic link to /dev/zero, as a pull request can commit it.
func notesFixtureWithLink(t *testing.T) string {
	t.Helper()
	r, _ := notesFixture(t)
	p := filepath.Join(r.Dir, ".github", "release.yml")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", p); err != nil {
		t.Fatal(err)
	}
	return r.Dir
}
