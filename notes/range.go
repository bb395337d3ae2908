package notes

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/sonicsaas/sonic-release/internal/gitexec"
	"github.com/sonicsaas/sonic-release/migrations/report"
	"github.com/sonicsaas/sonic-release/tagging"
)

// ResolveRange chooses the range of a release once, for the notes and the
// migration analysis alike: From is the previous release (in.Previous, else
// the highest version tag below in.Version among the clone's tags, or among
// GitHub's when the clone has no version tag and in.Repository is set; ""
// for a first release) and To the commit the release is made of (in.Head,
// else in.Version). Pass it to the migration analysis (from From to To) and
// to Build as Input.Range, which then looks nothing up again and refuses a
// migration report of another range.
//
// Only From and To are set: Build reads the commits.
func ResolveRange(ctx context.Context, in Input, opts ...Option) (Range, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return Range{}, err
	}
	v, err := tagging.ParseVersion(in.Version)
	if err != nil {
		return Range{}, err
	}
	if in.RepoDir == "" {
		return Range{}, errNoRepoDir
	}
	var owner, name string
	if in.Repository != "" {
		if owner, name, err = splitRepo(in.Repository); err != nil {
			return Range{}, err
		}
	}
	gh, err := o.client()
	if err != nil {
		return Range{}, err
	}
	return chooseRange(ctx, o.repo(in.RepoDir), gh, owner, name, v, in)
}

var errNoRepoDir = &InputError{What: "no repository directory", Expect: "pass the local clone of the repository"}

// chooseRange is ResolveRange's choice; owner is empty without GitHub.
func chooseRange(ctx context.Context, g gitRepo, gh *github.Client, owner, name string, v tagging.Version, in Input) (Range, error) {
	rng := Range{From: in.Previous, To: cmp.Or(in.Head, in.Version)}
	if rng.From != "" {
		_, err := tagging.ParseVersion(rng.From)
		return rng, err
	}
	tags, err := g.Tags(ctx)
	if err != nil {
		return Range{}, err
	}
	if len(tagging.PublishedVersions(tags)) == 0 && owner != "" {
		// A clone without tags (actions/checkout's default): ask GitHub.
		if tags, err = listTagNames(ctx, gh, owner, name); err != nil {
			return Range{}, err
		}
	}
	rng.From = tagging.Previous(v, tags)
	return rng, nil
}

// repo is the repository at dir read with the configured git binary.
func (o *options) repo(dir string) gitRepo {
	return gitRepo{gitexec.Repo{Bin: o.git, Dir: dir}}
}

// RangeMismatchError is a migration report of another range than the
// notes': its verdicts are about other migrations than the release ships.
type RangeMismatchError struct {
	// Notes is the range of the notes, Report the range of the report.
	Notes, Report Range
}

func (e *RangeMismatchError) Error() string {
	// The report's refs come from a file: kept on one line.
	return strings.Join(strings.Fields(fmt.Sprintf("the migration report covers %s..%s but the notes cover %s..%s: analyse the migrations of the notes' range",
		rangeEnd(e.Report.From), e.Report.To, rangeEnd(e.Notes.From), e.Notes.To)), " ")
}

// BadInput marks the error as unusable input.
func (e *RangeMismatchError) BadInput() bool { return true }

func rangeEnd(from string) string { return cmp.Or(from, "(start)") }

// checkReport refuses a migration report whose range is not rng: the same
// ref names, or refs the clone resolves to the same commits.
func checkReport(ctx context.Context, g gitRepo, rng Range, rep *report.Report) error {
	if rep == nil {
		return nil
	}
	from, err := sameRef(ctx, g, rng.From, rng.FromSHA, rep.From)
	if err != nil {
		return err
	}
	to, err := sameRef(ctx, g, rng.To, rng.ToSHA, rep.To)
	if err != nil {
		return err
	}
	if !from || !to {
		return &RangeMismatchError{Notes: Range{From: rng.From, To: rng.To}, Report: Range{From: rep.From, To: rep.To}}
	}
	return nil
}

// sameRef reports whether other names the same commit as ref (whose commit
// is sha, "" when the clone lacks it).
func sameRef(ctx context.Context, g gitRepo, ref, sha, other string) (bool, error) {
	if ref == other {
		return true, nil
	}
	if ref == "" || other == "" || sha == "" {
		return false, nil
	}
	got, err := g.resolve(ctx, other)
	return got == sha, err
}

// UnknownHeadError is a head neither the clone nor GitHub knows: often a
// version not tagged yet, whose commit must then be named as the head.
type UnknownHeadError struct {
	Head string
	Err  error
}

func (e *UnknownHeadError) Error() string {
	return fmt.Sprintf("%v (if %s is not tagged yet, name the commit the release is made of as its head)", e.Err, e.Head)
}

func (e *UnknownHeadError) Unwrap() error { return e.Err }
