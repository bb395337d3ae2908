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

Inside GitHub Actions every breaking statement is also a ::warning annotation
on its file and line, every problem an ::error annotation, and the outputs
breaking and json are written to $GITHUB_OUTPUT.

A statement's verdict can be overridden in the SQL file with a comment on a
line before it: "-- sonic-release: compatible <reason>" or
"-- sonic-release: breaking <reason>".`,
		Example: `  sonic-release migrations
  sonic-release migrations --from v1.2.0 --to v1.3.0 -o json
  sonic-release migrations --fail-on breaking   # in a pull request check`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			switch opts.failOn {
			case "breaking", "any", "never":
			default:
				return flagErrorf("--fail-on %q: expected breaking, any or never", opts.failOn)
			}
			return runMigrations(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "ref the previous release was made from (default: the previous version tag)")
	f.StringVar(&opts.to, "to", "", "ref of the release (default: HEAD)")
	f.StringVar(&opts.dir, "dir", "", "migrations folder relative to the repository root (default: out of drizzle.config.*, else drizzle)")
	f.StringVar(&opts.repoDir, "repo-dir", ".", "the git repository")
	f.StringVar(&opts.failOn, "fail-on", "never", "exit 3 when the range has: breaking (a breaking statement or a problem), any (any migration or problem), never")
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
	switch opts.output {
	case "json":
		fmt.Fprintln(a.io.Out, string(js))
	default:
		writeMigrationsText(a.io.Out, rep)
	}
	env := a.env()
	if env.Actions {
		for _, an := range migrationAnnotations(rep) {
			fmt.Fprintln(a.io.Err, an)
		}
	}
	if err := actions.WriteOutputs(env.OutputPath, map[string]string{
		"breaking": fmt.Sprint(rep.Breaking()),
		"json":     string(js),
	}); err != nil {
		return err
	}
	breaking, problems := 0, len(rep.Problems)
	for _, m := range rep.Migrations {
		if m.Breaking {
			breaking++
		}
	}
	switch {
	case opts.failOn == "breaking" && (breaking > 0 || problems > 0):
		return &migrationsRefused{fmt.Sprintf("--fail-on breaking: %d breaking migration(s) and %d problem(s) between %s and %s", breaking, problems, orNone(rep.From), rep.To)}
	case opts.failOn == "any" && (len(rep.Migrations) > 0 || problems > 0):
		return &migrationsRefused{fmt.Sprintf("--fail-on any: %d migration(s) and %d problem(s) between %s and %s", len(rep.Migrations), problems, orNone(rep.From), rep.To)}
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
	fmt.Fprintf(w, "Migrations in %s from %s to %s: %d\n", rep.Dir, orNone(rep.From), rep.To, len(rep.Migrations))
	for _, m := range rep.Migrations {
		verdict := "compatible"
		if m.Breaking {
			verdict = "BREAKING"
		}
		if m.Status != "added" {
			verdict = "see problems"
		}
		fmt.Fprintf(w, "\n%s (%s, %s): %s\n", m.File, m.Name, m.Status, verdict)
		if len(m.Findings) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  LINE\tCLASS\tOBJECT\tBREAKING\tREASON")
		for _, f := range m.Findings {
			obj := f.Table
			if f.Column != "" {
				obj += "." + f.Column
			}
			if obj == "" {
				obj = "-"
			}
			brk := "no"
			if f.Breaking {
				brk = "yes"
			}
			if f.Level == migrations.LevelError {
				brk += " (error)"
			}
			reason := f.Reason
			if f.Pragma {
				reason = "pragma: " + reason
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", f.Line, f.Class, obj, brk, oneLine(reason))
		}
		tw.Flush()
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "\nProblems: %d\n", len(rep.Problems))
		for _, p := range rep.Problems {
			loc := p.File
			if p.Line > 0 {
				loc += fmt.Sprintf(":%d", p.Line)
			}
			fmt.Fprintf(w, "  %s: %s\n", loc, oneLine(p.Reason))
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// migrationAnnotations are the workflow commands for a report: a warning
// per breaking statement, an error per error-level finding or problem.
func migrationAnnotations(rep migrations.Report) []actions.Annotation {
	var out []actions.Annotation
	for _, m := range rep.Migrations {
		for _, f := range m.Findings {
			switch {
			case f.Level == migrations.LevelError:
				out = append(out, actions.Annotation{Level: "error", File: f.File, Line: f.Line, Title: "migration: " + string(f.Class), Message: f.Reason})
			case f.Breaking:
				out = append(out, actions.Annotation{Level: "warning", File: f.File, Line: f.Line, Title: "breaking migration: " + string(f.Class), Message: f.Reason})
			}
		}
	}
	for _, p := range rep.Problems {
		out = append(out, actions.Annotation{Level: "error", File: p.File, Line: p.Line, Title: "migration problem", Message: p.Reason})
	}
	return out
}
