package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/tagging"
)

type tagsOptions struct {
	event    eventFlags
	existing []string
	output   string
}

func newCmdTags(a *app) *cobra.Command {
	opts := &tagsOptions{}
	cmd := &cobra.Command{
		Use:   "tags",
		Short: "Print the image tags of a release or a push",
		Long: `Print the image tags for one event: a GitHub release, a tag push, a push to the
default branch, a workflow_dispatch. Pull requests and other branches get no tags.

Inside GitHub Actions the event comes from GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
GITHUB_REF and GITHUB_SHA, and the outputs tags, version and json are written to
$GITHUB_OUTPUT with a table in $GITHUB_STEP_SUMMARY. Flags override the environment.`,
		Example: `  sonic-release tags --ref refs/tags/v1.2.3 --existing v1.2.2,v1.3.0
  sonic-release tags --ref refs/heads/master --sha $(git rev-parse HEAD)
  sonic-release tags --event-name release --event-path event.json -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			return runTags(a, opts)
		},
	}
	opts.event.register(cmd.Flags())
	cmd.Flags().StringSliceVar(&opts.existing, "existing", nil, "tags the target repository already holds (repeatable or comma-separated)")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func runTags(a *app, opts *tagsOptions) error {
	env := a.env()
	ev, pol, err := opts.event.resolve(env)
	if err != nil {
		return err
	}
	res, err := ev.Tags(opts.existing, pol)
	if err != nil {
		return err
	}
	a.log.Info("tags computed", "event", ev.Name, "kind", ev.Kind, "version", res.Version, "tags", strings.Join(res.Names(), ","))

	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	// Outputs first: a command that fails prints nothing on stdout.
	if err := actions.WriteOutputs(env.OutputPath, map[string]string{
		"tags":    strings.Join(res.Names(), "\n"),
		"version": res.Version,
		"json":    string(js),
	}); err != nil {
		return err
	}
	if err := actions.AppendSummary(env.SummaryPath, tagsSummary(res)); err != nil {
		return err
	}
	switch opts.output {
	case "json":
		fmt.Fprintln(a.io.Out, string(js))
	default:
		for _, n := range res.Names() {
			fmt.Fprintln(a.io.Out, n)
		}
	}
	if res.Skip != "" {
		fmt.Fprintln(a.io.Err, actions.OneLine(res.Skip))
	}
	return nil
}

// tagsSummary renders the step summary: every tag considered and why.
func tagsSummary(res tagging.Result) string {
	var b strings.Builder
	b.WriteString("### Image tags\n\n")
	if res.Skip != "" {
		b.WriteString(actions.OneLine(res.Skip) + "\n")
		return b.String()
	}
	b.WriteString("| tag | applied | why |\n|---|---|---|\n")
	for _, t := range res.Tags {
		mark := "✓"
		if !t.Apply {
			mark = "–"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", actions.OneLine(t.Name), mark, strings.ReplaceAll(actions.OneLine(t.Reason), "|", `\|`))
	}
	return b.String()
}
