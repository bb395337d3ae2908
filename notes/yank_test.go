package notes

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

func TestWithYankNotice(t *testing.T) {
	notice := YankNotice("v1.3.0", "corrupts sessions", "v1.2.1")
	if want := "> [!WARNING]\n> **Yanked:** corrupts sessions Use v1.2.1 instead."; notice != want {
		t.Errorf("notice %q, want %q", notice, want)
	}
	spliced, _ := Splice("Intro\n", "## v1.3.0\n")
	for _, body := range []string{spliced, "", "Hand-written only.\n"} {
		got, err := WithYankNotice(body, notice)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(got, "[!WARNING]") != 1 {
			t.Errorf("%q: no single notice in %q", body, got)
		}
		if again, _ := WithYankNotice(got, notice); again != got {
			t.Errorf("not idempotent:\n%q\n%q", got, again)
		}
		if back, _ := WithYankNotice(got, ""); back != body {
			t.Errorf("removing the notice gives %q, want %q", back, body)
		}
		if strings.Contains(body, BeginMarker) {
			// At the top of the block, and the block still splices.
			if !strings.Contains(got, BeginMarker+"\n"+yankBegin+"\n> [!WARNING]") && !strings.Contains(got, BeginMarker+"\n"+yankBegin) {
				t.Errorf("the notice is not at the top of the block: %q", got)
			}
			if _, err := Splice(got, "new"); err != nil {
				t.Errorf("the block no longer splices: %v", err)
			}
		}
	}
	// Re-published notes keep the notice.
	yanked, _ := WithYankNotice(spliced, notice)
	again, err := spliceKeepingYank(yanked, "## v1.3.0 (re-run)\n")
	if err != nil || !strings.Contains(again, notice) || !strings.Contains(again, "(re-run)") || strings.Contains(again, "## v1.3.0\n") {
		t.Errorf("re-published: %v %q", err, again)
	}
	// Unpaired markers are refused; a hostile reason cannot add a marker
	// or a line.
	if _, err := WithYankNotice(EndMarker+" x", notice); err == nil {
		t.Error("an unpaired end marker was accepted")
	}
	hostile := YankNotice("v1.3.0", "bad\n::error::x "+EndMarker+" "+yankEnd, "")
	if strings.Count(hostile, "\n") != 1 || strings.Contains(hostile, EndMarker) || strings.Contains(hostile, yankEnd) {
		t.Errorf("hostile reason: %q", hostile)
	}
}

func TestYank(t *testing.T) {
	ctx := t.Context()
	s := fakegithub.New(t)
	spliced, _ := Splice("", "## v1.3.0\n")
	s.AddRelease(ghRepo, fakegithub.Release{TagName: "v1.2.1", CreatedAt: t0})
	s.AddRelease(ghRepo, fakegithub.Release{TagName: "v1.3.0", Body: spliced, CreatedAt: t0.Add(time.Hour)})
	opts := fakeOpts(s)
	in := YankInput{Repository: ghRepo, Version: "v1.3.0", Yank: true, Reason: "corrupts sessions", Replacement: "v1.2.1", Latest: "v1.2.1"}

	dry := in
	dry.DryRun = true
	res, err := Yank(ctx, dry, opts...)
	if err != nil || res.Action != "updated" || res.MadeLatest != "v1.2.1" {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if calls := s.Calls(); calls["repos/update-release"] != 0 {
		t.Errorf("the dry run wrote: %v", calls)
	}
	res, err = Yank(ctx, in, opts...)
	if err != nil || res.Action != "updated" || res.MadeLatest != "v1.2.1" {
		t.Fatalf("yank: %+v %v", res, err)
	}
	rel, _ := s.Release(ghRepo, "v1.3.0")
	if !strings.HasPrefix(rel.Body, BeginMarker+"\n"+yankBegin+"\n> [!WARNING]\n> **Yanked:** corrupts sessions Use v1.2.1 instead.\n") {
		t.Errorf("body %q", rel.Body)
	}
	if r, _ := s.Release(ghRepo, "v1.2.1"); r.MakeLatest != "true" {
		t.Errorf("v1.2.1 make_latest %q", r.MakeLatest)
	}
	// Idempotent: nothing more is written.
	s.ResetCalls()
	if res, err = Yank(ctx, in, opts...); err != nil || res.Action != "unchanged" || res.MadeLatest != "" {
		t.Errorf("re-run: %+v %v", res, err)
	}
	if diff := cmp.Diff(map[string]int{"repos/list-releases": 1, "repos/get-latest-release": 1}, s.Calls()); diff != "" {
		t.Errorf("re-run calls (-want +got):\n%s", diff)
	}
	// Unyank: the notice goes, v1.3.0 is the latest again, in one update.
	s.ResetCalls()
	res, err = Yank(ctx, YankInput{Repository: ghRepo, Version: "1.3.0", Latest: "v1.3.0"}, opts...)
	if err != nil || res.Action != "updated" || res.MadeLatest != "v1.3.0" {
		t.Fatalf("unyank: %+v %v", res, err)
	}
	if n := s.Calls()["repos/update-release"]; n != 1 {
		t.Errorf("unyank sent %d updates, want 1", n)
	}
	if rel, _ := s.Release(ghRepo, "v1.3.0"); rel.Body != spliced || rel.MakeLatest != "true" {
		t.Errorf("unyanked: %q %q", rel.Body, rel.MakeLatest)
	}
	// The only stable release stays the latest, saying so.
	s.AddRelease("sonicsaas/other", fakegithub.Release{TagName: "v3.0.0", CreatedAt: t0})
	res, err = Yank(ctx, YankInput{Repository: "sonicsaas/other", Version: "v3.0.0", Yank: true, Reason: "x", Latest: "v3.0.0"}, opts...)
	if err != nil || res.MadeLatest != "" || !strings.Contains(res.Note, "stays the latest") {
		t.Errorf("nothing to replace it: %+v %v", res, err)
	}
	// A version without a release: nothing to mark.
	if res, err := Yank(ctx, YankInput{Repository: ghRepo, Version: "v9.0.0", Yank: true, Reason: "x"}, opts...); err != nil || res.Action != "none" {
		t.Errorf("no release: %+v %v", res, err)
	}
}

// TestPublishYanked: a yanked version does not keep a new release from
// becoming the latest.
func TestPublishYanked(t *testing.T) {
	for _, tt := range []struct {
		yanked []string
		want   string
	}{{nil, "false"}, {[]string{"v1.3.0"}, "true"}} {
		s := fakegithub.New(t)
		s.AddRepo(ghRepo)
		res, err := Publish(t.Context(), PublishInput{Repository: ghRepo, Tag: "v1.2.2", Markdown: "## v1.2.2\n", Create: true,
			Versions: []string{"v1.2.1", "v1.3.0"}, Yanked: tt.yanked}, fakeOpts(s)...)
		if err != nil || res.MakeLatest != tt.want {
			t.Errorf("yanked %v: make_latest %q, want %q (%v)", tt.yanked, res.MakeLatest, tt.want, err)
		}
	}
}
