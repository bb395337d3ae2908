package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/migrations"
)

type migrationsOptions struct {
	from, to string
	dir      string
	repoDir  string
	failOn   string
	output   string
}

func newCmdMigrations(a *app) *cobra.Command {
	opts := &migrationsOptions{}
	cmd := &cobra.Command{
		Use:   "migrations",
		Short: "Find and classify the database migrations of a release",
		Long: `Find the Drizzle migrations added between two git refs and classify every
statement with the PostgreSQL parser: is it breaking for the previous release,
so that rolling the application back needs a database restore?

--from defaults to the previous version tag (the highest version tag below
--to's version, or below every tag not on --to's commit when --to is not a
version); --to defaults to HEAD. The migrations folder defaults to the "out" of
drizzle.config.{ts,js,mjs,json}, else drizzle.

Each migration gets a verdict: BREAKING (the previous release cannot run
against the migrated database: rolling back needs a restore), REVIEW (a
statement the analyser cannot judge, such as a trigger, a function body or
dynamic SQL: read it; the reason says what to look at) or compatible.

Inside GitHub Actions every breaking statement is also a ::warning annotation
on its file and line, every statement to review a ::notice, every problem an
::error annotation, and the outputs breaking, review and json are written to
$GITHUB_OUTPUT.

A statement's verdict can be overridden in the SQL file with a comment on a
line before it: "-- sonic-release: compatible <reason>" or
"-- sonic-release: breaking <reason>".`,
		Example: `  sonic-release migrations
  sonic-release migrations --from v1.2.0 --to v1.3.0 -o json
  sonic-release migrations --fail-on breaking   # in a pull request check
  sonic-release migrations --fail-on review     # also fail on what needs review`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			switch opts.failOn {
			case "breaking", "review", "any", "never":
			default:
				return flagErrorf("--fail-on %q: expected breaking, review, any or never", opts.failOn)
			}
			return runMigrations(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "ref the previous release was made from (default: the previous version tag)")
	f.StringVar(&opts.to, "to", "", "ref of the release (default: HEAD)")
	f.StringVar(&opts.dir, "dir", "", "migrations folder relative to the repository root (default: out of drizzle.config.*, else drizzle)")
	f.StringVar(&opts.repoDir, "repo-dir", ".", "the git repository")
	f.StringVar(&opts.failOn, "fail-on", "never", "exit 3 when the range has: breaking (a breaking migration or a problem), review (a breaking migration, a statement to review or a problem), any (any migration or problem), never")
	f.StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// migrationsRefused is the --fail-on refusal (exit 3).
type migrationsRefused struct{ msg string }

func (e *migrationsRefused) Error() string { return e.msg }
func (e *migrationsRefused) Refused() bool { return true }

func runMigrations(ctx context.Context, a *app, opts *migrationsOptions) error {
	mopts := []migrations.Option{migrations.WithLogger(a.log)}
	if opts.dir != "" {
		mopts = append(mopts, migrations.WithDir(opts.dir))
	}
	rep, err := migrations.Analyze(ctx, opts.repoDir, opts.from, opts.to, mopts...)
	if err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	env := a.env()
	// Outputs first: a command that fails prints nothing on stdout.
	if err := actions.WriteOutputs(env.OutputPath, map[string]string{
		"breaking": fmt.Sprint(rep.Breaking()),
		"review":   fmt.Sprint(rep.Review()),
		"json":     string(js),
	}); err != nil {
		return err
	}
	switch opts.output {
	case "json":
		fmt.Fprintln(a.io.Out, string(js))
	default:
		writeMigrationsText(a.io.Out, rep)
	}
	if env.Actions {
		for _, an := range migrationAnnotations(rep) {
			_ = actions.Command(a.io.Err, an.String())
		}
	}
	return failOn(opts.failOn, rep)
}

// failOn is the --fail-on refusal for a report, or nil.
func failOn(mode string, rep migrations.Report) error {
	n := rep.Counts()
	between := fmt.Sprintf("between %s and %s", orNone(rep.From), rep.To)
	switch {
	case mode == "breaking" && (n.Breaking > 0 || n.Problems > 0):
		return &migrationsRefused{fmt.Sprintf("--fail-on breaking: %d breaking migration(s) and %d problem(s) %s", n.Breaking, n.Problems, between)}
	case mode == "review" && (n.Breaking > 0 || n.Review > 0 || n.Problems > 0):
		return &migrationsRefused{fmt.Sprintf("--fail-on review: %d breaking migration(s), %d to review and %d problem(s) %s", n.Breaking, n.Review, n.Problems, between)}
	case mode == "any" && (len(rep.Migrations) > 0 || n.Problems > 0):
		return &migrationsRefused{fmt.Sprintf("--fail-on any: %d migration(s) and %d problem(s) %s", len(rep.Migrations), n.Problems, between)}
	}
	return nil
}

func orNone(from string) string {
	if from == "" {
		return "the first commit"
	}
	return from
}

// writeMigrationsText prints one table per migration, then the problems.
func writeMigrationsText(w io.Writer, rep migrations.Report) {
	n := rep.Counts()
	fmt.Fprintf(w, "Migrations in %s from %s to %s: %d (%d breaking, %d to review, %d compatible)\n", actions.OneLine(rep.Dir), actions.OneLine(orNone(rep.From)), actions.OneLine(rep.To), len(rep.Migrations), n.Breaking, n.Review, n.Compatible)
	for _, m := range rep.Migrations {
		verdict := "compatible"
		switch {
		case m.Status != "added":
			verdict = "see problems"
		case m.Breaking:
			verdict = "BREAKING"
		case m.Review:
			verdict = "REVIEW"
		}
		fmt.Fprintf(w, "\n%s (%s, %s): %s\n", actions.OneLine(m.File), actions.OneLine(m.Name), m.Status, verdict)
		if len(m.Findings) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  LINE\tCLASS\tOBJECT\tVERDICT\tREASON")
		for _, f := range m.Findings {
			obj := f.Table
			if f.Column != "" {
				obj += "." + f.Column
			}
			if obj == "" {
				obj = "-"
			}
			verdict := string(f.Verdict())
			if f.Level == migrations.LevelError {
				verdict += " (error)"
			}
			reason := f.Reason
			if f.Pragma {
				reason = "pragma: " + reason
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", f.Line, f.Class, actions.OneLine(obj), verdict, oneLine(reason))
		}
		tw.Flush()
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "\nProblems: %d\n", len(rep.Problems))
		for _, p := range rep.Problems {
			loc := actions.OneLine(p.File)
			if p.Line > 0 {
				loc += fmt.Sprintf(":%d", p.Line)
			}
			fmt.Fprintf(w, "  %s: %s\n", loc, oneLine(p.Reason))
		}
	}
}

// oneLine squashes the white space of s, newlines included, and breaks a
// workflow command in it.
func oneLine(s string) string { return actions.OneLine(strings.Join(strings.Fields(s), " ")) }

// migrationAnnotations are the workflow commands for a report: a warning
// per breaking statement, a notice per statement to review, an error per
// error-level finding or problem.
func migrationAnnotations(rep migrations.Report) []actions.Annotation {
	var out []actions.Annotation
	for _, m := range rep.Migrations {
		for _, f := range m.Findings {
			switch {
			case f.Level == migrations.LevelError:
				out = append(out, actions.Annotation{Level: "error", File: f.File, Line: f.Line, Title: "migration: " + string(f.Class), Message: f.Reason})
			case f.Breaking:
				out = append(out, actions.Annotation{Level: "warning", File: f.File, Line: f.Line, Title: "breaking migration: " + string(f.Class), Message: f.Reason})
			case f.Review:
				out = append(out, actions.Annotation{Level: "notice", File: f.File, Line: f.Line, Title: "migration to review: " + string(f.Class), Message: f.Reason})
			}
		}
	}
	for _, p := range rep.Problems {
		out = append(out, actions.Annotation{Level: "error", File: p.File, Line: p.Line, Title: "migration problem", Message: p.Reason})
	}
	return out
}
