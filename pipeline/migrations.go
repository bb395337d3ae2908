package pipeline

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/migrations/report"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/sign"
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
	// VerdictReview: no breaking migration, but statements the analyser
	// cannot judge (a trigger, a function body, dynamic SQL): a person
	// should read them before relying on a rollback.
	VerdictReview Verdict = "review"
	// VerdictCompatible: migrations, none of them breaking or to review.
	VerdictCompatible Verdict = "compatible"
	// VerdictUnknown: the analysis failed and the release went on anyway
	// (ContinueOnMigrationError): nothing is claimed.
	VerdictUnknown Verdict = "unknown"
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
func Summarize(rep report.Report) Migrations {
	m := Migrations{Verdict: VerdictNone, Previous: rep.From, Problems: len(rep.Problems)}
	for _, mig := range rep.Migrations {
		if mig.Breaking {
			m.Breaking = append(m.Breaking, mig.Name)
		}
	}
	switch {
	case len(m.Breaking) > 0 || m.Problems > 0:
		m.Verdict = VerdictBreaking
	case rep.Review():
		m.Verdict = VerdictReview
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

// verdictOf is the verdict of prepared notes: nil when no analysis is
// configured, "unknown" when it failed and the release goes on
// (NotesConfig.ContinueOnMigrationError).
func verdictOf(nc NotesConfig, in notes.Input) *Migrations {
	switch {
	case in.Migrations != nil:
		m := Summarize(*in.Migrations)
		return &m
	case in.MigrationsError != "":
		m := Migrations{Verdict: VerdictUnknown}
		if in.Range != nil {
			m.Previous = in.Range.From
		}
		return &m
	}
	return nil
}

// annotatingSigner is a signer that takes per-call annotations, as
// *sign.Signer does.
type annotatingSigner interface {
	SignAnnotated(ctx context.Context, d name.Digest, ann map[string]string) error
}
