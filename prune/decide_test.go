package prune

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// dg makes a digest from a short name, so that tests read: dg("idx1").
func dg(s string) string { return fmt.Sprintf("sha256:%064x", []byte(s)) }

func sigOf(s string) string { return strings.Replace(dg(s), ":", "-", 1) + ".sig" }

// graph is a small package: versions (name → tags, hours after t0),
// index children, and every manifest read.
type graph struct {
	versions []Version
	children map[string][]string
}

func (g *graph) add(name string, hour int, tags ...string) {
	g.versions = append(g.versions, Version{ID: int64(len(g.versions) + 1), Digest: dg(name), Tags: tags, Created: t0.Add(time.Duration(hour) * time.Hour)})
}

func (g *graph) input(pol Policy, now time.Time) Input {
	ms := map[string]*Manifest{}
	for _, v := range g.versions {
		m := &Manifest{Size: 100, Blobs: map[string]int64{dg("blob-" + v.Digest): 1000}}
		if cs, ok := g.children[v.Digest]; ok {
			m = &Manifest{Size: 100}
			for _, c := range cs {
				m.Children = append(m.Children, Child{Digest: c, What: "linux/amd64"})
			}
		}
		ms[v.Digest] = m
	}
	return Input{Versions: g.versions, Manifests: ms, Policy: pol, Now: now}
}

// build adds a signed index named n with one signed child.
func (g *graph) build(n string, hour int, tags ...string) {
	g.add(n, hour, tags...)
	g.add(n+"/amd64", hour)
	g.add(n+".sig", hour, sigOf(n))
	g.add(n+"/amd64.sig", hour, sigOf(n+"/amd64"))
	if g.children == nil {
		g.children = map[string][]string{}
	}
	g.children[dg(n)] = []string{dg(n + "/amd64")}
}

func decideAll(t *testing.T, in Input) *Plan {
	t.Helper()
	for range 10 {
		plan, missing := Decide(in)
		if len(missing) == 0 {
			return plan
		}
		for _, d := range missing {
			in.Manifests[d] = nil
		}
	}
	t.Fatal("Decide keeps asking for manifests")
	return nil
}

func actions(p *Plan) map[string]string {
	out := map[string]string{}
	names := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d", "rel", "x", "young", "old", "sig-of-gone"} {
		for _, suf := range []string{"", "/amd64", ".sig", "/amd64.sig"} {
			names[dg(n+suf)] = n + suf
		}
	}
	for _, it := range p.Items {
		out[names[it.Digest]] = fmt.Sprintf("%s %d", it.Action, it.Level)
	}
	return out
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name string
		make func(g *graph)
		pol  Policy
		now  time.Time
		want map[string]string // name → "action level"
	}{
		{
			name: "keep the newest two; a pruned build goes with its children and signatures, in order",
			make: func(g *graph) {
				g.build("a", 1, "master-aaaaaaa")
				g.build("b", 2, "master-bbbbbbb")
				g.build("c", 3, "master-ccccccc", "master")
			},
			pol: Policy{Keep: 2, Branch: "master"},
			want: map[string]string{
				"a": "delete 0", "a/amd64": "delete 1", "a.sig": "delete 1", "a/amd64.sig": "delete 2",
				"b": "keep 0", "b/amd64": "keep 0", "b.sig": "keep 0", "b/amd64.sig": "keep 0",
				"c": "keep 0", "c/amd64": "keep 0", "c.sig": "keep 0", "c/amd64.sig": "keep 0",
			},
		},
		{
			name: "a version tag keeps an old build, and a child it shares with a pruned one",
			make: func(g *graph) {
				g.build("a", 1, "master-aaaaaaa", "v1.0.0")
				g.build("b", 2, "master-bbbbbbb")
				g.children[dg("b")] = append(g.children[dg("b")], dg("a/amd64"))
				g.build("c", 3, "master-ccccccc")
			},
			pol: Policy{Keep: 1, Branch: "master"},
			want: map[string]string{
				"a": "keep 0", "a/amd64": "keep 0", "a.sig": "keep 0", "a/amd64.sig": "keep 0",
				"b": "delete 0", "b/amd64": "delete 1", "b.sig": "delete 1", "b/amd64.sig": "delete 2",
				"c": "keep 0", "c/amd64": "keep 0", "c.sig": "keep 0", "c/amd64.sig": "keep 0",
			},
		},
		{
			name: "age: younger than 90 minutes is kept",
			make: func(g *graph) {
				g.add("a", 1, "master-aaaaaaa")
				g.add("b", 2, "main-bbbbbbb") // another branch: never pruned
				g.add("c", 3, "master-ccccccc")
			},
			pol:  Policy{KeepYoungerThan: 90 * time.Minute, Branch: "master"},
			now:  t0.Add(4 * time.Hour),
			want: map[string]string{"a": "delete 0", "b": "keep 0", "c": "keep 0"},
		},
		{
			name: "a re-run finds what a stopped run left: children and signatures of a deleted index",
			make: func(g *graph) {
				g.add("a/amd64", 1)                         // child of a deleted index
				g.add("a/amd64.sig", 1, sigOf("a/amd64"))   // its signature
				g.add("sig-of-gone", 1, sigOf("gone"))      // a signature whose image is gone
				g.add("young", 5)                           // pushed by digest, not tagged yet
				g.add("young.sig", 5, sigOf("young"))       // and signed
				g.build("c", 3, "master-ccccccc", "master") // the kept build
			},
			pol: Policy{Keep: 1, Branch: "master"},
			now: t0.Add(6 * time.Hour),
			want: map[string]string{
				"a/amd64": "delete 0", "a/amd64.sig": "delete 1", "sig-of-gone": "delete 0", "young": "keep 0", "young.sig": "keep 0",
				"c": "keep 0", "c/amd64": "keep 0", "c.sig": "keep 0", "c/amd64.sig": "keep 0",
			},
		},
		{
			name: "KeepUntagged keeps unreachable versions",
			make: func(g *graph) {
				g.add("old", 1)
				g.add("c", 3, "master-ccccccc")
			},
			pol:  Policy{Keep: 1, Branch: "master", KeepUntagged: true},
			want: map[string]string{"old": "keep 0", "c": "keep 0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &graph{}
			tt.make(g)
			if err := tt.pol.Validate(); err != nil {
				t.Fatal(err)
			}
			plan := decideAll(t, g.input(tt.pol, tt.now))
			if diff := cmp.Diff(tt.want, actions(plan)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			for i, it := range plan.Deletions() {
				if i > 0 && it.Level < plan.Items[i-1].Level {
					t.Errorf("deletions out of level order at %d", i)
				}
			}
		})
	}
}

// TestDecideRegistryWins: where the registry says a tag points elsewhere
// than the API's metadata (the API lags), the registry's answer keeps.
func TestDecideRegistryWins(t *testing.T) {
	g := &graph{}
	g.add("a", 1, "master-aaaaaaa")
	g.add("c", 3, "master-ccccccc")
	in := g.input(Policy{Keep: 1, Branch: "master"}, t0)
	in.Tags = map[string]string{"v2.0.0": dg("a")}
	plan := decideAll(t, in)
	if got := actions(plan)["a"]; got != "keep 0" {
		t.Errorf("a, tagged v2.0.0 in the registry: %s", got)
	}
}

// TestDecideBytes: the bytes freed count blobs once and never a blob a
// kept image shares.
func TestDecideBytes(t *testing.T) {
	g := &graph{}
	g.add("a", 1, "master-aaaaaaa")
	g.add("b", 2, "master-bbbbbbb")
	g.add("c", 3, "master-ccccccc")
	in := g.input(Policy{Keep: 1, Branch: "master"}, t0)
	in.Manifests[dg("a")].Blobs = map[string]int64{"shared": 5000, "own-a": 7}
	in.Manifests[dg("b")].Blobs = map[string]int64{"shared": 5000, "kept": 3}
	in.Manifests[dg("c")].Blobs = map[string]int64{"kept": 3}
	plan := decideAll(t, in)
	if want := int64(100 + 5000 + 7 + 100); plan.Bytes != want {
		t.Errorf("bytes %d, want %d", plan.Bytes, want)
	}
}

func TestPolicyValidate(t *testing.T) {
	for _, p := range []Policy{
		{Branch: "master"},
		{Keep: -1, Branch: "master"},
		{Keep: 1, KeepYoungerThan: -time.Hour, Branch: "master"},
		{Keep: 1, Branch: "bad/branch"},
		{Keep: 1},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: no error", p)
		} else if b, ok := err.(interface{ BadInput() bool }); !ok || !b.BadInput() {
			t.Errorf("%+v: %v is not bad input", p, err)
		}
	}
}
