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

func TestWriterBreaksCommands(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	// Written in pieces, as fmt and tabwriter do, a prefix split across writes.
	for _, p := range []string{"ok\n  :", ":warning::x\r::error::y\nz ##", "[add-mask]s\n\u3000::notice::n", "\n"} {
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := Command(w, Annotation{Level: "warning", Title: "sonic-release", Message: "a\n::b"}.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("::tail")); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "ok\n  \u200b::warning::x\r\u200b::error::y\nz ##\u200b[add-mask]s\n\u3000\u200b::notice::n\n" +
		"::warning title=sonic-release::a%0A::b\n\u200b::tail"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	if bad := ForeignCommands(b.String()); len(bad) != 0 {
		t.Errorf("commands left: %q", bad)
	}
	if bad := ForeignCommands("x\n ::warning::x\n::error title=PWNED::y\n"); len(bad) != 2 {
		t.Errorf("ForeignCommands found %q, want 2 lines", bad)
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"x\n::error title=PWNED::injected": `x\n::error title=PWNED::injected`,
		"::warning::x":                     "\u200b::warning::x",
		"a\rb\tc\x1bd\u2028e":              `a\rb\tc\x1bd\u2028e`,
		"refs/pull/1":                      "refs/pull/1",
	} {
		if got := OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
