package pipeline_test

import (
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/yank"
)

// TestReleaseAfterYank: once v1.2.0 is yanked, the backport v1.1.1 takes
// latest in the registry and its created GitHub release becomes the
// latest; without the yank it does neither.
func TestReleaseAfterYank(t *testing.T) {
	t.Parallel()
	for _, yanked := range []bool{false, true} {
		f := setup(t)
		target, _ := name.NewRepository(f.host + "/acme/app")
		run := func(version string, publish bool) pipeline.Result {
			src, commit := f.build(t, version, time.Unix(0, 0))
			cfg := pipeline.Config{Source: src, Targets: []name.Repository{target}, Event: event(version, commit)}
			gh := fakegithub.New(t)
			gh.AddRepo("acme/app")
			if publish {
				cfg.Notes = &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir, Repository: "acme/app"}, Publish: true, CreateRelease: true,
					Options: []notes.Option{notes.WithHTTPClient(gh.Client()), notes.WithAPIURL(gh.URL)}}
			}
			res, err := pipeline.Run(t.Context(), cfg)
			res.Plan.Close()
			if err != nil {
				t.Fatalf("releasing %s: %v", version, err)
			}
			return res
		}
		first := run("v1.2.0", false)
		if yanked {
			v := event("v1.2.0", "").Version
			if _, err := yank.Run(t.Context(), yank.Config{Request: yank.Request{Version: v, Yank: true, Reason: "broken", Now: time.Unix(0, 0)}, Repos: []name.Repository{target}}); err != nil {
				t.Fatal(err)
			}
		}
		res := run("v1.1.1", true)
		tags := f.tags(t)
		wantLatest, wantMake := first.Plan.Digest, "false"
		if yanked {
			wantLatest, wantMake = res.Plan.Digest, "true"
		}
		if tags["latest"] != wantLatest || res.Published == nil || res.Published.MakeLatest != wantMake {
			t.Errorf("yanked %v: latest %s (want %s), published %+v (want make_latest %s)", yanked, tags["latest"], wantLatest, res.Published, wantMake)
		}
		if yanked && (len(res.Plan.Targets[0].Yanked) != 1 || res.Plan.Targets[0].Yanked[0] != "v1.2.0") {
			t.Errorf("the plan's yanked versions: %q", res.Plan.Targets[0].Yanked)
		}
	}
}
