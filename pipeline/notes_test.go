package pipeline_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/gitexec"
	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
)

// recorder is migrations.Analyze, remembering the range it was asked for.
type recorder struct{ from, to []string }

func (r *recorder) analyze(ctx context.Context, repoDir, from, to string) (migrations.Report, error) {
	r.from, r.to = append(r.from, from), append(r.to, to)
	return migrations.Analyzer{}.Analyze(ctx, repoDir, from, to)
}

// TestNotesOneRange: the range is chosen once and both the migration
// analysis and the notes cover it.
func TestNotesOneRange(t *testing.T) {
	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, version, head string
		from, to            string
		migrations          []string
	}{
		{"a release (after the backport v1.1.1)", "v1.2.0", "", "v1.1.1", "v1.2.0", []string{"0002_lifecycle_stage"}},
		{"the first release", "v1.0.0", "", "", "v1.0.0", []string{"0000_init"}},
		{"a backport", "v1.1.1", "", "v1.1.0", "v1.1.1", nil},
		{"a head not tagged yet", "v1.3.0", "master", "v1.2.0", "master", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			nc := pipeline.NotesConfig{Input: notes.Input{RepoDir: repo.Dir, Head: tt.head}, Migrations: rec.analyze}
			n, err := pipeline.Notes(t.Context(), nc, tt.version, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.from) != 1 || rec.from[0] != tt.from || rec.to[0] != tt.to {
				t.Errorf("analysed %q..%q, want one analysis of %q..%q", rec.from, rec.to, tt.from, tt.to)
			}
			if n.Range.From != tt.from || n.Range.To != tt.to || n.Migrations.From != tt.from || n.Migrations.To != tt.to {
				t.Errorf("notes cover %q..%q, report %q..%q; want %q..%q", n.Range.From, n.Range.To, n.Migrations.From, n.Migrations.To, tt.from, tt.to)
			}
			var got []string
			for _, m := range n.Migrations.Migrations {
				got = append(got, m.Name)
			}
			if len(got) != len(tt.migrations) || (len(got) > 0 && got[0] != tt.migrations[0]) {
				t.Errorf("migrations %q, want %q", got, tt.migrations)
			}
		})
	}

	// A report of another range is refused.
	rep := &migrations.Report{From: "v1.0.0", To: "v1.2.0"}
	_, err = pipeline.Notes(t.Context(), pipeline.NotesConfig{Input: notes.Input{RepoDir: repo.Dir, Migrations: rep}}, "v1.2.0", nil)
	if _, ok := errors.AsType[*notes.RangeMismatchError](err); !ok {
		t.Errorf("report of v1.0.0..v1.2.0 for the notes of v1.2.0: err = %v, want a *RangeMismatchError", err)
	}
}

// TestNotesPreviousFromGitHub: a clone with the history but no tags takes
// the previous release from GitHub's tags, and the migration analysis is
// asked for that same range: it cannot resolve the tag and says so, instead
// of taking every migration for new as it did with its own choice.
func TestNotesPreviousFromGitHub(t *testing.T) {
	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := exec.Command("git", "clone", "-q", "--no-tags", "file://"+repo.Dir, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	for _, r := range repo.Releases {
		gh.AddTag("acme/app", r.Version, r.Commit)
	}
	var rec recorder
	nc := pipeline.NotesConfig{
		Input:      notes.Input{RepoDir: clone, Repository: "acme/app", Head: repo.Head},
		Migrations: rec.analyze,
		Options:    []notes.Option{notes.WithHTTPClient(gh.Client()), notes.WithAPIURL(gh.URL)},
	}
	_, err = pipeline.Notes(t.Context(), nc, "v1.3.0", nil)
	if len(rec.from) != 1 || rec.from[0] != "v1.2.0" || rec.to[0] != repo.Head {
		t.Errorf("analysed %q..%q, want v1.2.0..%s", rec.from, rec.to, repo.Head)
	}
	if re, ok := errors.AsType[*gitexec.RefError](err); !ok || re.Ref != "v1.2.0" {
		t.Errorf("err = %v, want the analysis' *gitexec.RefError for v1.2.0", err)
	}
	if got := gh.Calls()["repos/list-tags"]; got != 1 {
		t.Errorf("list-tags calls = %d, want 1", got)
	}
}

// TestMigrationAnalysisFails: a release whose migrations cannot be analysed
// (here the real analysis refuses a folder outside the repository) publishes
// no notes; with ContinueOnMigrationError it publishes notes that say so.
func TestMigrationAnalysisFails(t *testing.T) {
	t.Parallel()
	f := setup(t)
	target, _ := name.NewRepository(f.host + "/acme/app")
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.2.0", Body: "Highlights."})
	run := func(continueOnError bool) (pipeline.Result, error) {
		src, commit := f.build(t, "v1.2.0", time.Unix(0, 0))
		res, err := pipeline.Run(t.Context(), pipeline.Config{
			Source: src, Targets: []name.Repository{target}, Event: event("v1.2.0", commit),
			Notes: &pipeline.NotesConfig{
				Input:                    notes.Input{RepoDir: f.repo.Dir, Repository: "acme/app"},
				Migrations:               migrations.Analyzer{Options: []migrations.Option{migrations.WithDir("../shared/drizzle")}}.Analyze,
				ContinueOnMigrationError: continueOnError,
				Publish:                  true,
				Options:                  []notes.Option{notes.WithHTTPClient(gh.Client()), notes.WithAPIURL(gh.URL)},
			},
		})
		res.Plan.Close()
		return res, err
	}

	res, err := run(false)
	me, ok := errors.AsType[*pipeline.MigrationsError](err)
	if !ok || me.Version != "v1.2.0" || me.BadInput() {
		t.Fatalf("err = %v, want a *pipeline.MigrationsError that is no bad input", err)
	}
	if strings.Contains((&pipeline.MigrationsError{Version: "v1.2.0", Err: errors.New("bad file\n::error::x")}).Error(), "\n") {
		t.Error("a MigrationsError spans lines")
	}
	if ie, ok := errors.AsType[*migrations.InputError](err); !ok || !strings.Contains(ie.Error(), "../shared/drizzle") {
		t.Errorf("err = %v, want the analysis' error as its cause", err)
	}
	if res.Notes != nil || res.Published != nil {
		t.Errorf("notes %v, published %+v: want none", res.Notes != nil, res.Published)
	}
	if rel, _ := gh.Release("acme/app", "v1.2.0"); rel.Body != "Highlights." {
		t.Errorf("the release was written: %q", rel.Body)
	}

	res, err = run(true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Notes == nil || !strings.Contains(res.Notes.MigrationsError, `migrations folder "../shared/drizzle"`) || res.Notes.Migrations != nil || res.Published == nil {
		t.Fatalf("notes %+v, published %+v", res.Notes, res.Published)
	}
	if rel, _ := gh.Release("acme/app", "v1.2.0"); !strings.Contains(rel.Body, "> The migrations of this release could not be analysed: migrations folder") {
		t.Errorf("published body lacks the failed analysis: %q", rel.Body)
	}
}
