package yank

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/tagging"
)

func mustVersion(t *testing.T, s string) tagging.Version {
	t.Helper()
	v, err := tagging.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// state is a repository whose versions' exact tags point at "d-<version>"
// and whose floating tags point at the versions given.
func state(versions []string, floating map[string]string, extra ...string) State {
	st := State{Repository: "r", Digests: map[string]string{}}
	for _, v := range versions {
		st.Tags = append(st.Tags, v)
		st.Digests[v] = "d-" + v
	}
	for tag, v := range floating {
		st.Tags = append(st.Tags, tag)
		st.Digests[tag] = "d-" + v
	}
	st.Tags = append(st.Tags, extra...)
	return st
}

// ops renders the floating tags' decisions as "tag:op:version".
func ops(rp RepoPlan) string {
	var out []string
	for _, t := range rp.Tags {
		out = append(out, t.Tag+":"+string(t.Op)+":"+t.Version)
	}
	return strings.Join(out, " ")
}

func TestDecide(t *testing.T) {
	t.Parallel()
	released := []string{"v1.2.0", "v1.2.1", "v1.3.0"}
	onV130 := map[string]string{"v1.2": "v1.2.1", "v1.3": "v1.3.0", "v1": "v1.3.0", "latest": "v1.3.0"}
	tests := []struct {
		name        string
		version     string
		yank        bool
		st          State
		pol         tagging.Policy
		marker      string
		want        string
		replacement string
	}{
		{name: "the issue's case", version: "v1.3.0", yank: true, st: state(released, onV130), marker: "yanked.v1.3.0",
			want: "v1.3:keep:v1.3.0 v1:move:v1.2.1 latest:move:v1.2.1", replacement: "v1.2.1"},
		{name: "a patch of its line remains", version: "v1.3.1", yank: true,
			st:     state(append(released, "v1.3.1"), map[string]string{"v1.3": "v1.3.1", "v1": "v1.3.1", "latest": "v1.3.1"}),
			marker: "yanked.v1.3.1", want: "v1.3:move:v1.3.0 v1:move:v1.3.0 latest:move:v1.3.0", replacement: "v1.3.0"},
		{name: "an old version: nothing points at it", version: "v1.2.0", yank: true, st: state(released, onV130), marker: "yanked.v1.2.0",
			want: "v1.2:unchanged:v1.2.1 v1:unchanged:v1.3.0 latest:unchanged:v1.3.0", replacement: "v1.2.1"},
		{name: "another major keeps latest", version: "v1.9.0", yank: true,
			st:     state([]string{"v1.8.0", "v1.9.0", "v2.0.0"}, map[string]string{"v1.9": "v1.9.0", "v1": "v1.9.0", "latest": "v2.0.0"}),
			marker: "yanked.v1.9.0", want: "v1.9:keep:v1.9.0 v1:move:v1.8.0 latest:unchanged:v2.0.0", replacement: "v1.8.0"},
		{name: "v0 has no major tag", version: "v0.3.1", yank: true,
			st:     state([]string{"v0.3.0", "v0.3.1"}, map[string]string{"v0.3": "v0.3.1", "latest": "v0.3.1"}),
			marker: "yanked.v0.3.1", want: "v0.3:move:v0.3.0 latest:move:v0.3.0", replacement: "v0.3.0"},
		{name: "a missing floating tag is left alone", version: "v1.3.0", yank: true,
			st:     state(released, map[string]string{"latest": "v1.3.0"}),
			marker: "yanked.v1.3.0", want: "v1.3:skip: v1:skip: latest:move:v1.2.1", replacement: "v1.2.1"},
		{name: "a pre-release has no floating tags", version: "v1.4.0-rc.1", yank: true,
			st: state(append(released, "v1.4.0-rc.1"), onV130), marker: "yanked.v1.4.0-rc.1"},
		{name: "half-done re-run: the marker is there, the tags not moved", version: "v1.3.0", yank: true,
			st:   state(released, onV130, "yanked.v1.3.0"),
			want: "v1.3:keep:v1.3.0 v1:move:v1.2.1 latest:move:v1.2.1", replacement: "v1.2.1"},
		{name: "done", version: "v1.3.0", yank: true,
			st:   state(released, map[string]string{"v1.2": "v1.2.1", "v1.3": "v1.3.0", "v1": "v1.2.1", "latest": "v1.2.1"}, "yanked.v1.3.0"),
			want: "v1.3:keep:v1.3.0 v1:unchanged:v1.2.1 latest:unchanged:v1.2.1", replacement: "v1.2.1"},
		{name: "two yanked: the next one down", version: "v1.2.1", yank: true,
			st:     state(released, map[string]string{"v1.2": "v1.2.1", "v1.3": "v1.3.0", "v1": "v1.2.1", "latest": "v1.2.1"}, "yanked.v1.3.0"),
			marker: "yanked.v1.2.1", want: "v1.2:move:v1.2.0 v1:move:v1.2.0 latest:move:v1.2.0", replacement: "v1.2.0"},
		{name: "unyank", version: "v1.3.0",
			st:     state(append(released, "v1.2.2"), map[string]string{"v1.2": "v1.2.2", "v1.3": "v1.3.0", "v1": "v1.2.2", "latest": "v1.2.2"}, "yanked.v1.3.0"),
			marker: "unyanked.v1.3.0", want: "v1.3:unchanged:v1.3.0 v1:move:v1.3.0 latest:move:v1.3.0"},
		{name: "unyank behind a higher version", version: "v1.3.0",
			st:     state(append(released, "v2.0.0"), map[string]string{"v1.3": "v1.3.0", "v1": "v1.2.1", "latest": "v2.0.0"}, "yanked.v1.3.0"),
			marker: "unyanked.v1.3.0", want: "v1.3:unchanged:v1.3.0 v1:move:v1.3.0 latest:skip:"},
		{name: "unyank of a version not yanked", version: "v1.3.0", st: state(released, onV130),
			want: "v1.3:unchanged:v1.3.0 v1:unchanged:v1.3.0 latest:unchanged:v1.3.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Request{Version: mustVersion(t, tt.version), Yank: tt.yank, Reason: "broken", Policy: tt.pol, Now: time.Unix(0, 0)}
			// Decide sees only what Wanted asked for (and the listing).
			st := tt.st
			wanted := map[string]string{}
			for _, tag := range Wanted(r, st.Tags) {
				wanted[tag] = st.Digests[tag]
			}
			st.Digests = wanted
			plan, err := Decide(r, []State{st})
			if err != nil {
				t.Fatal(err)
			}
			rp := plan.Repos[0]
			if rp.Marker != tt.marker || ops(rp) != tt.want || plan.Replacement != tt.replacement {
				t.Errorf("marker %q, tags %q, replacement %q\nwant %q, %q, %q", rp.Marker, ops(rp), plan.Replacement, tt.marker, tt.want, tt.replacement)
			}
			for _, tp := range rp.Tags {
				if tp.Op.Writes() && tp.To == "" {
					t.Errorf("%s moves to no digest", tp.Tag)
				}
				if tp.Reason == "" {
					t.Errorf("%s has no reason", tp.Tag)
				}
			}
		})
	}
}

func TestMarkerManifest(t *testing.T) {
	t.Parallel()
	r := Request{Version: mustVersion(t, "v1.3.0"), Yank: true, Reason: "corrupts sessions", Now: time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)}
	plan, err := Decide(r, []State{state([]string{"v1.2.1", "v1.3.0"}, map[string]string{"latest": "v1.3.0"})})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		MediaType    string `json:"mediaType"`
		ArtifactType string `json:"artifactType"`
		Config       struct{ Digest string }
		Layers       []struct{ Digest string }
		Annotations  map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(plan.Repos[0].Manifest, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{AnnotationVersion: "v1.3.0", AnnotationReason: "corrupts sessions", AnnotationDigest: "d-v1.3.0", AnnotationReplacement: "v1.2.1", AnnotationCreated: "2026-12-01T16:00:00Z"}
	for k, v := range want {
		if m.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, m.Annotations[k], v)
		}
	}
	if m.ArtifactType != ArtifactYank || m.MediaType != "application/vnd.oci.image.manifest.v1+json" || len(m.Layers) != 1 || m.Config.Digest != m.Layers[0].Digest {
		t.Errorf("manifest %+v", m)
	}
}

func TestDecideBadInput(t *testing.T) {
	t.Parallel()
	v := mustVersion(t, "v1.3.0")
	st := []State{state([]string{"v1.2.1"}, nil)}
	for name, r := range map[string]Request{
		"not published": {Version: v, Yank: true, Reason: "x"},
		"no reason":     {Version: v, Yank: true},
		"long reason":   {Version: v, Yank: true, Reason: strings.Repeat("x", MaxReason+1)},
		"no version":    {Yank: true, Reason: "x"},
	} {
		_, err := Decide(r, st)
		var b interface{ BadInput() bool }
		if !errors.As(err, &b) || !b.BadInput() {
			t.Errorf("%s: %v is not bad input", name, err)
		}
	}
}

type refusal struct{}

func (refusal) Error() string { return "no signature" }
func (refusal) Refused() bool { return true }

func TestNotSignedError(t *testing.T) {
	t.Parallel()
	wrapped := &NotSignedError{Ref: "r@d", Err: fmt.Errorf("verifying: %w", refusal{})}
	if !wrapped.Refused() {
		t.Error("a wrapped refusal is not a refusal")
	}
	if (&NotSignedError{Ref: "r@d", Err: errors.New("connection reset")}).Refused() {
		t.Error("a network failure is a refusal")
	}
}
