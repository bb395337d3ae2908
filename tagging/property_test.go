package tagging

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestFloatingTagsConverge applies random sets of releases in random orders,
// with re-runs interleaved, to a simulated repository (tag → version), each
// release seeing the repository's tag list as it is at that moment. Whatever
// the order, every floating tag must end on the highest stable version of
// its line, and the exact tags never move.
func TestFloatingTagsConverge(t *testing.T) {
	t.Parallel()
	for seed := uint64(0); seed < 400; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x50c1c))
		pol := Policy{MajorZero: r.IntN(2) == 0}
		var versions []string
		for n := 1 + r.IntN(12); n > 0; n-- {
			v := fmt.Sprintf("v%d.%d.%d", r.IntN(3), r.IntN(3), r.IntN(4))
			if r.IntN(5) == 0 {
				v += fmt.Sprintf("-rc.%d", r.IntN(3))
			}
			versions = append(versions, v)
		}
		// The run order: every release once, plus re-runs, shuffled.
		order := append([]string(nil), versions...)
		for n := r.IntN(6); n > 0; n-- {
			order = append(order, versions[r.IntN(len(versions))])
		}
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })

		repo := map[string]string{}
		for _, v := range order {
			existing := make([]string, 0, len(repo))
			for tag := range repo {
				existing = append(existing, tag)
			}
			res, err := Release(mustVersion(t, v), false, existing, pol)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range res.Names() {
				if old, ok := repo[name]; ok && name == res.Version && old != v {
					t.Fatalf("seed %d: exact tag %s moved from %s to %s", seed, name, old, v)
				}
				repo[name] = v
			}
		}

		// What every floating tag must point at: the highest stable version of its line.
		wantFloat := map[string]Version{}
		for _, s := range versions {
			v := mustVersion(t, s)
			if v.Prerelease() {
				continue
			}
			lines := []string{fmt.Sprintf("v%d.%d", v.Major(), v.Minor()), "latest"}
			if v.Major() > 0 || pol.MajorZero {
				lines = append(lines, fmt.Sprintf("v%d", v.Major()))
			}
			for _, l := range lines {
				if cur, ok := wantFloat[l]; !ok || v.Compare(cur) > 0 {
					wantFloat[l] = v
				}
			}
		}
		for tag, got := range repo {
			if _, err := ParseVersion(tag); err == nil {
				if got != mustVersion(t, tag).String() {
					t.Errorf("seed %d: exact tag %s points at %s", seed, tag, got)
				}
				continue
			}
			want, ok := wantFloat[tag]
			if !ok {
				t.Errorf("seed %d: unexpected floating tag %s (order %v)", seed, tag, order)
				continue
			}
			if got != want.String() {
				t.Errorf("seed %d: %s = %s, want %s (order %v)", seed, tag, got, want, order)
			}
		}
		for tag := range wantFloat {
			if _, ok := repo[tag]; !ok {
				t.Errorf("seed %d: floating tag %s missing (order %v)", seed, tag, order)
			}
		}
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"v1.2.3", "1.2.3", "v1.3.0-rc.1", "v1.2", "1.2.3.4", "v01.2.3", "v1.2.3+b", "simple-tag", "v0.0.0-0.a-b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		tag := v.String()
		if !ValidTag(tag) {
			t.Fatalf("ParseVersion(%q) = %q, not a valid registry tag", s, tag)
		}
		again, err := ParseVersion(tag)
		if err != nil || again.Compare(v) != 0 || again.String() != tag {
			t.Fatalf("%q does not round-trip: %v %v", tag, again, err)
		}
		res, err := Release(v, false, []string{tag, "v9.9.9", "latest"}, Policy{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range res.Tags {
			if !ValidTag(tg.Name) {
				t.Fatalf("tag %q of %q is not a valid registry tag", tg.Name, s)
			}
		}
	})
}

func FuzzParseEvent(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("release", b, "", "")
		f.Add("push", b, "refs/heads/master", "6113728f27ae82c7b1a177c8d03f9e96e0adf246")
	}
	f.Fuzz(func(t *testing.T, name string, payload []byte, ref, sha string) {
		ev, err := ParseEvent(EventInput{Name: name, Payload: payload, Ref: ref, SHA: sha})
		if err != nil {
			return
		}
		res, err := ev.Tags([]string{"v1.0.0", "latest"}, Policy{})
		if err != nil {
			return
		}
		for _, tg := range res.Tags {
			if !ValidTag(tg.Name) {
				t.Fatalf("event gave tag %q, not a valid registry tag", tg.Name)
			}
		}
		if len(res.Names()) == 0 && res.Skip == "" {
			t.Fatalf("no tags and no reason: %+v", res)
		}
	})
}
