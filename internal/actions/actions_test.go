package actions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOutputsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "output")
	// What another step left in the file before.
	if err := os.WriteFile(path, []byte("earlier=one\nnotes=old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"digest": "sha256:0123",
		"tags":   "r/app:v1.2.3\nr/app:v1.2\nr/app:latest",
		"notes":  "## v1.2.3\n\nnotes<<EOF\nkey=value\n\n",
		"empty":  "",
	}
	if err := WriteOutputs(path, want); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseOutputs(string(b))
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	want["earlier"] = "one"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s\nfile:\n%s", diff, b)
	}
}

func TestParseOutputsErrors(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{"notes<<EOF\nline\n", "no closing delimiter EOF"},
		{"=value\n", "needs a name"},
		{"just text\n", "expected NAME=VALUE or NAME<<DELIMITER"},
		{"name<<\n", "expected NAME=VALUE or NAME<<DELIMITER"},
	} {
		if _, err := ParseOutputs(tt.in); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseOutputs(%q) = %v, want an error with %q", tt.in, err, tt.err)
		}
	}
}
