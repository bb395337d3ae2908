package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/sign"
	"github.com/sonicsaas/sonic-release/tagging"
)

// Verdict is what a release's migrations mean for the release before it.
type Verdict string

// The verdicts.
const (
	// VerdictBreaking: a migration the previous release cannot run
	// against, or a problem with the migration set (a shipped migration
	// edited or deleted, a journal mismatch) that leaves a rollback
	// unproven; the same rule as `sonic-release migrations --fail-on
	// breaking`. Rolling back needs the database backup.
	VerdictBreaking Verdict = "breaking"
	// VerdictCompatible: migrations, none of them breaking.
	VerdictCompatible Verdict = "compatible"
	// VerdictNone: no migration in the range.
	VerdictNone Verdict = "none"
)

// MaxBreakingAnnotation is the longest list of breaking migrations a
// signature carries (sign.AnnotationMigrationsBreaking); a longer one, or
// one with a name holding a comma or a control character, is left out
// rather than cut, so that a reader never takes part of the list for all
// of it (the notes and -o json list them all).
const MaxBreakingAnnotation = 256

// Migrations is the verdict of a release's migration analysis, as its
// signatures, the -o json document and the Action's outputs carry it.
type Migrations struct {
	Verdict Verdict `json:"verdict"`
	// Previous is the release the verdict is relative to (the analysis'
	// From); empty for a first release.
	Previous string `json:"previous,omitempty"`
	// Breaking are the breaking migrations, by name, in the report's order.
	Breaking []string `json:"breaking,omitempty"`
	// Problems counts the findings about the migration set itself.
	Problems int `json:"problems,omitempty"`
}

// Summarize gives the verdict of a report.
func Summarize(rep migrations.Report) Migrations {
	m := Migrations{Verdict: VerdictNone, Previous: rep.From, Problems: len(rep.Problems)}
	for _, mig := range rep.Migrations {
		if mig.Breaking {
			m.Breaking = append(m.Breaking, mig.Name)
		}
	}
	switch {
	case len(m.Breaking) > 0 || m.Problems > 0:
		m.Verdict = VerdictBreaking
	case len(rep.Migrations) > 0:
		m.Verdict = VerdictCompatible
	}
	return m
}

// Annotations are the signature annotations of the verdict (the keys
// sign.AnnotationMigrations…); none for a nil m.
func (m *Migrations) Annotations() map[string]string {
	if m == nil {
		return nil
	}
	ann := map[string]string{sign.AnnotationMigrations: string(m.Verdict)}
	if m.Previous != "" && !strings.ContainsFunc(m.Previous, unicode.IsControl) {
		ann[sign.AnnotationMigrationsPrevious] = m.Previous
	}
	// The names come from the repository: a list that a comma or a
	// control character would make ambiguous (or carry a line break into a
	// log) is left out, as a long one is.
	list := strings.Join(m.Breaking, ",")
	unsafe := slices.ContainsFunc(m.Breaking, func(n string) bool {
		return n == "" || strings.Contains(n, ",") || strings.ContainsFunc(n, unicode.IsControl)
	})
	if list != "" && len(list) <= MaxBreakingAnnotation && !unsafe {
		ann[sign.AnnotationMigrationsBreaking] = list
	}
	return ann
}

// analyseMigrations runs the configured migration analysis of a version
// release, right after the plan: its verdict goes on the signatures, and
// the notes use the same report. It returns nil when none is configured.
func analyseMigrations(ctx context.Context, cfg Config, event, version string, progress func(string)) (*migrations.Report, error) {
	if cfg.Notes == nil || cfg.Notes.Migrations == nil || event != string(tagging.EventRelease) || version == "" {
		return nil, nil
	}
	progress("migrations")
	rep, err := cfg.Notes.Migrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("analysing the migrations of %s: %w", version, err)
	}
	return rep, nil
}

// annotatingSigner is a signer that takes per-call annotations, as
// *sign.Signer does.
type annotatingSigner interface {
	SignAnnotated(ctx context.Context, d name.Digest, ann map[string]string) error
}
