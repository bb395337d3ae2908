package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
)

// TestNotesUpgradeTable: the notes of a release carry the upgrade table
// NotesConfig.Upgrades makes; when it fails, the job fails before the notes.
func TestNotesUpgradeTable(t *testing.T) {
	t.Parallel()
	f := setup(t)
	src, commit := f.build(t, "v1.2.0", time.Unix(0, 0))
	target, _ := name.NewRepository(f.host + "/acme/app")
	run := func(upgrades pipeline.UpgradesFunc) (pipeline.Result, error) {
		res, err := pipeline.Run(t.Context(), pipeline.Config{
			Source: src, Targets: []name.Repository{target}, Event: event("v1.2.0", commit),
			Notes:  &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir}, Migrations: migrations.Analyzer{}.Analyze, Upgrades: upgrades},
			DryRun: true,
		})
		res.Plan.Close()
		return res, err
	}
	res, err := run(migrations.Analyzer{}.Upgrades)
	if err != nil {
		t.Fatal(err)
	}
	if res.Notes.Upgrades == nil || len(res.Notes.Upgrades.Rows) == 0 || !strings.Contains(res.Markdown, "### Upgrading from, rolling back to\n\n| from |") {
		t.Errorf("no upgrade table in the notes:\n%s", res.Markdown)
	}
	_, err = run(func(context.Context, string, string, string) (migrations.Upgrades, error) {
		return migrations.Upgrades{}, errors.New("git is gone")
	})
	if err == nil || !strings.Contains(err.Error(), "analysing the migrations of v1.2.0: the upgrade table: git is gone") {
		t.Errorf("error %v", err)
	}
}
