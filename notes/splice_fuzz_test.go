package notes

import (
	"strings"
	"testing"
)

// FuzzSplice: for any notes and any release body, splicing twice equals
// splicing once, the result holds exactly one block, and the maintainer's
// text outside the markers survives.
func FuzzSplice(f *testing.F) {
	f.Add("", "## v1\n")
	f.Add("Thanks!\n", "## v1\n- "+EndMarker+"\n")
	f.Add("Intro\n"+BeginMarker+"\nold\n"+EndMarker+"\nOutro", BeginMarker+EndMarker)
	f.Add(BeginMarker+"\na "+EndMarker+" b\n"+EndMarker, "x\n<!-- sonic-release:end -->")
	f.Add(EndMarker+BeginMarker, "")
	f.Add("<!-- sonic-release:beg", "in -->")
	f.Fuzz(func(t *testing.T, body, notes string) {
		once, err := Splice(body, notes)
		if err != nil {
			return // refused: an unbalanced body
		}
		twice, err := Splice(once, notes)
		if err != nil {
			t.Fatalf("splicing the result again: %v\nbody %q\nonce %q", err, body, once)
		}
		if twice != once {
			t.Fatalf("splicing twice changed the body\nbody  %q\nonce  %q\ntwice %q", body, once, twice)
		}
		if n, m := strings.Count(once, BeginMarker), strings.Count(once, EndMarker); n != 1 || m != 1 {
			t.Fatalf("%d begin and %d end markers, want 1 each: %q", n, m, once)
		}
		bi, ei := strings.Index(body, BeginMarker), strings.LastIndex(body, EndMarker)
		var before, after string
		switch {
		case bi < 0 && strings.TrimSpace(body) == "":
			// A blank body is replaced.
		case bi < 0:
			before = strings.TrimRight(body, "\n")
		default:
			before, after = body[:bi], body[ei+len(EndMarker):]
		}
		if !strings.HasPrefix(once, before) || !strings.HasSuffix(once, after) {
			t.Fatalf("the maintainer's text was not kept\nbody %q\nonce %q", body, once)
		}
		ob := strings.Index(once, BeginMarker)
		oe := strings.Index(once, EndMarker)
		if got := strings.TrimRight(once[ob+len(BeginMarker)+1:oe], "\n"); got != strings.TrimRight(Inert(notes), "\n") {
			t.Fatalf("the block holds %q, want the notes %q", got, notes)
		}
	})
}
