package pipeline_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/sign"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	long := make([]migrations.Migration, 30)
	for i := range long {
		long[i] = migrations.Migration{Name: "0000_a_long_migration_name", Breaking: true}
	}
	tests := []struct {
		name string
		rep  migrations.Report
		want map[string]string
	}{
		{"no migration", migrations.Report{From: "v1.1.0"},
			map[string]string{sign.AnnotationMigrations: "none", sign.AnnotationMigrationsPrevious: "v1.1.0"}},
		{"compatible", migrations.Report{From: "v1.1.0", Migrations: []migrations.Migration{{Name: "0003_add_orders"}}},
			map[string]string{sign.AnnotationMigrations: "compatible", sign.AnnotationMigrationsPrevious: "v1.1.0"}},
		{"breaking", migrations.Report{From: "v1.1.0", Migrations: []migrations.Migration{{Name: "0003_add_orders"}, {Name: "0004_drop_email", Breaking: true}, {Name: "0005_rename", Breaking: true}}},
			map[string]string{sign.AnnotationMigrations: "breaking", sign.AnnotationMigrationsPrevious: "v1.1.0", sign.AnnotationMigrationsBreaking: "0004_drop_email,0005_rename"}},
		// An edited shipped migration leaves a rollback unproven, as --fail-on breaking says.
		{"review only", migrations.Report{From: "v1.1.0", Migrations: []migrations.Migration{{Name: "0003_add_orders"}, {Name: "0004_trigger", Review: true}}},
			map[string]string{sign.AnnotationMigrations: "review", sign.AnnotationMigrationsPrevious: "v1.1.0"}},
		{"a problem only", migrations.Report{From: "v1.1.0", Migrations: []migrations.Migration{{Name: "0001_init", Status: "modified"}}, Problems: []migrations.Finding{{File: "drizzle/0001_init.sql"}}},
			map[string]string{sign.AnnotationMigrations: "breaking", sign.AnnotationMigrationsPrevious: "v1.1.0"}},
		// A first release has nothing to be relative to.
		{"first release", migrations.Report{Migrations: []migrations.Migration{{Name: "0000_init"}}},
			map[string]string{sign.AnnotationMigrations: "compatible"}},
		// Hostile names: a comma or a line break would make the list lie.
		{"hostile names", migrations.Report{From: "v1.1.0", Migrations: []migrations.Migration{{Name: "0004_a,0005_b", Breaking: true}, {Name: "0006\n::error::x", Breaking: true}}},
			map[string]string{sign.AnnotationMigrations: "breaking", sign.AnnotationMigrationsPrevious: "v1.1.0"}},
		// A list too long for an annotation is left out, not cut.
		{"many breaking", migrations.Report{From: "v1.1.0", Migrations: long},
			map[string]string{sign.AnnotationMigrations: "breaking", sign.AnnotationMigrationsPrevious: "v1.1.0"}},
	}
	for _, tt := range tests {
		m := pipeline.Summarize(tt.rep)
		if diff := cmp.Diff(tt.want, m.Annotations()); diff != "" {
			t.Errorf("%s: annotations (-want +got):\n%s", tt.name, diff)
		}
	}
	if got := (*pipeline.Migrations)(nil).Annotations(); got != nil {
		t.Errorf("no analysis: annotations %v", got)
	}
}

// recordingSigner records the annotations of each signature.
type recordingSigner struct {
	mu  sync.Mutex
	ann []map[string]string
}

func (r *recordingSigner) Sign(ctx context.Context, d name.Digest) error {
	return r.SignAnnotated(ctx, d, nil)
}

func (r *recordingSigner) SignAnnotated(_ context.Context, _ name.Digest, ann map[string]string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ann = append(r.ann, ann)
	return nil
}

// TestVerdictOnTheSignature: the migrations are analysed once, right after
// the plan; the signatures carry the verdict and the notes the same report.
func TestVerdictOnTheSignature(t *testing.T) {
	t.Parallel()
	f := setup(t)
	target, _ := name.NewRepository(f.host + "/acme/app")
	src, commit := f.build(t, "v1.2.0", time.Unix(0, 0))
	var steps []string
	analysed := 0
	s := &recordingSigner{}
	res, err := pipeline.Run(t.Context(), pipeline.Config{
		Source: src, Targets: []name.Repository{target}, Event: event("v1.2.0", commit), Signer: s,
		Signing: notes.Signing{Key: "cosign.pub"},
		Notes: &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir}, Migrations: func(ctx context.Context, dir, from, to string) (migrations.Report, error) {
			analysed++
			return migrations.Analyzer{}.Analyze(ctx, dir, from, to)
		}},
		Progress: func(step string) { steps = append(steps, strings.Fields(step)[0]) },
	})
	defer res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	if analysed != 1 {
		t.Errorf("the migrations were analysed %d times, want once", analysed)
	}
	if res.Migrations == nil || res.Migrations.Verdict != pipeline.VerdictBreaking || res.Migrations.Previous != "v1.1.1" || len(res.Migrations.Breaking) == 0 {
		t.Fatalf("verdict %+v, want breaking relative to v1.1.1 (the highest version below)", res.Migrations)
	}
	if want := []string{"plan", "migrations", "tags", "sign"}; len(steps) < 4 || !slices.Equal(steps[:4], want) {
		t.Errorf("steps %q, want %q first", steps, want)
	}
	if len(s.ann) != 1 || s.ann[0][sign.AnnotationMigrations] != "breaking" || s.ann[0][sign.AnnotationMigrationsPrevious] != "v1.1.1" {
		t.Errorf("signed with %v", s.ann)
	}
	if !strings.Contains(res.Markdown, "[!CAUTION]") {
		t.Errorf("the notes do not use the report:\n%s", res.Markdown)
	}

	// An analysis that fails stops the release before anything is written.
	f2 := setup(t)
	target2, _ := name.NewRepository(f2.host + "/acme/app")
	src2, commit2 := f2.build(t, "v1.2.0", time.Unix(0, 0))
	f2.reg.Counter.Reset()
	res2, err := pipeline.Run(t.Context(), pipeline.Config{
		Source: src2, Targets: []name.Repository{target2}, Event: event("v1.2.0", commit2), Signer: s,
		Notes: &pipeline.NotesConfig{Input: notes.Input{RepoDir: f2.repo.Dir}, Migrations: func(context.Context, string, string, string) (migrations.Report, error) {
			return migrations.Report{}, errors.New("the journal is unreadable")
		}},
	})
	defer res2.Plan.Close()
	if err == nil || !strings.Contains(err.Error(), "analysing the migrations of v1.2.0: the journal is unreadable") {
		t.Errorf("err = %v", err)
	}
	if w := f2.reg.Counter.Writes(); len(w) != 0 || res2.Applied != nil {
		t.Errorf("a failed analysis still wrote %v", w)
	}
}
