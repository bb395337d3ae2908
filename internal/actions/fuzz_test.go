package actions

import (
	"strings"
	"testing"
)

// FuzzWriter: whatever text is printed, in whatever pieces, the runner sees
// no workflow command in it; the Writer only adds zero-width spaces and
// gives what Lines gives; OneLine leaves one line without a command.
func FuzzWriter(f *testing.F) {
	f.Add("x\n::error title=PWNED::injected", 3)
	f.Add(" \t::warning::x\r::add-mask::y\n##[set-output name=a]b", 1)
	f.Add("\u3000\u2028::notice::n\n:", 2)
	f.Add("##", 1)
	f.Fuzz(func(t *testing.T, text string, cut int) {
		var b strings.Builder
		w := NewWriter(&b)
		if cut < 1 {
			cut = 1
		}
		for s := text; len(s) > 0; {
			n := min(cut, len(s))
			if _, err := w.Write([]byte(s[:n])); err != nil {
				t.Fatal(err)
			}
			s = s[n:]
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		got := b.String()
		if bad := ForeignCommands(got); len(bad) > 0 {
			t.Fatalf("commands left %q in %q", bad, got)
		}
		if want := Lines(text); got != want {
			t.Fatalf("the Writer gave %q, Lines %q", got, want)
		}
		if strings.ReplaceAll(got, zwsp, "") != strings.ReplaceAll(text, zwsp, "") {
			t.Fatalf("the Writer changed more than zero-width spaces: %q -> %q", text, got)
		}
		one := OneLine(text)
		if strings.ContainsAny(one, "\r\n") || len(ForeignCommands(one)) > 0 {
			t.Fatalf("OneLine(%q) = %q", text, one)
		}
	})
}
