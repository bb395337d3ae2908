package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

type tagsOptions struct {
	event    eventFlags
	existing []string
	images   []string
	output   string
}

func newCmdTags(a *app) *cobra.Command {
	opts := &tagsOptions{}
	cmd := &cobra.Command{
		Use:   "tags",
		Short: "Print the image tags of a release or a push",
		Long: `Print the image tags for one event: a GitHub release, a tag push, a push to the
default branch, a workflow_dispatch. Pull requests and other branches get no tags.

The floating tags (v1.2, v1, latest) depend on the versions already published:
--image reads them from each repository's tag listing (the credentials of
release: docker login, or GITHUB_TOKEN for ghcr.io), --existing names them
(offline); both may be given, their union counts. With --image the tags are
printed fully qualified (REPOSITORY:TAG, every --image × tag), as
docker/metadata-action's tags output.

Inside GitHub Actions the event comes from GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
GITHUB_REF and GITHUB_SHA, and the outputs tags, tag-names, version, labels and
json are written to $GITHUB_OUTPUT with a table in $GITHUB_STEP_SUMMARY. Flags
override the environment.`,
		Example: `  sonic-release tags --ref refs/tags/v1.2.3 --existing v1.2.2,v1.3.0
  sonic-release tags --ref refs/tags/v1.2.3 --image ghcr.io/acme/app --image docker.io/acme/app
  sonic-release tags --ref refs/heads/master --sha $(git rev-parse HEAD)
  sonic-release tags --event-name release --event-path event.json -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			return runTags(cmd.Context(), a, opts)
		},
	}
	opts.event.register(cmd.Flags())
	cmd.Flags().StringSliceVar(&opts.existing, "existing", nil, "tags the target repository already holds (repeatable or comma-separated)")
	cmd.Flags().StringArrayVar(&opts.images, "image", nil, "a repository whose published tags count, and that the tags are printed for, e.g. ghcr.io/owner/app (repeatable)")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// tagsJSON is the document of -o json and of the json output.
type tagsJSON struct {
	tagging.Result
	// References are REPOSITORY:TAG for every --image × applied tag.
	References []string `json:"references,omitempty"`
	// Published are the tags the --image repositories held.
	Published []string          `json:"published,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

func runTags(ctx context.Context, a *app, opts *tagsOptions) error {
	env := a.env()
	ev, pol, err := opts.event.resolve(env)
	if err != nil {
		return err
	}
	repos, images, err := parseImages(opts.images)
	if err != nil {
		return err
	}
	existing := opts.existing
	var published []string
	// Nothing is tagged (a pull request, another branch): no listing, so
	// a fork's pull request needs no credentials.
	if len(repos) > 0 && ev.Kind != tagging.EventNone {
		published, err = release.PublishedTags(ctx, repos, release.WithKeychain(keychain(a)), release.WithLogger(a.log))
		if err != nil {
			return credentialsHint(err)
		}
		existing = append(slices.Clone(existing), published...)
	}
	res, err := ev.Tags(existing, pol)
	if err != nil {
		return err
	}
	a.log.Info("tags computed", "event", ev.Name, "kind", ev.Kind, "version", res.Version, "tags", strings.Join(res.Names(), ","))

	doc := tagsJSON{Result: res, Published: published, Labels: imageLabels(env, ev, res)}
	for _, img := range images {
		for _, n := range res.Names() {
			doc.References = append(doc.References, img+":"+n)
		}
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	// Without --image, tags are the bare names (as before --image existed);
	// with it, fully qualified, as docker/metadata-action's tags.
	tags := res.Names()
	if len(images) > 0 {
		tags = doc.References
	}
	var labels []string
	for _, k := range slices.Sorted(maps.Keys(doc.Labels)) {
		labels = append(labels, k+"="+doc.Labels[k])
	}
	// Outputs first: a command that fails prints nothing on stdout.
	if err := actions.WriteOutputs(env.OutputPath, map[string]string{
		"tags":      strings.Join(tags, "\n"),
		"tag-names": strings.Join(res.Names(), "\n"),
		"version":   res.Version,
		"labels":    strings.Join(labels, "\n"),
		"json":      string(js),
	}); err != nil {
		return err
	}
	if err := actions.AppendSummary(env.SummaryPath, tagsSummary(res, doc.Published, repos)); err != nil {
		return err
	}
	switch opts.output {
	case "json":
		fmt.Fprintln(a.io.Out, string(js))
	default:
		for _, n := range tags {
			fmt.Fprintln(a.io.Out, n)
		}
	}
	if res.Skip != "" {
		fmt.Fprintln(a.io.Err, actions.OneLine(res.Skip))
	}
	if len(res.Yanked) > 0 {
		fmt.Fprintf(a.io.Err, "yanked, no floating tag points at them: %s\n", strings.Join(res.Yanked, ", "))
	}
	return nil
}

// The OCI labels written, as docker/metadata-action names them.
const (
	labelVersion = "org.opencontainers.image.version"
	labelSource  = "org.opencontainers.image.source"
)

// imageLabels are the OCI labels for the image built for ev: the commit
// (the revision release checks), the version or else the branch, and the
// repository's URL when the repository is known. Values are one line.
func imageLabels(env actions.Env, ev tagging.Event, res tagging.Result) map[string]string {
	l := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			l[k] = actions.OneLine(v)
		}
	}
	set(release.RevisionLabel, ev.SHA)
	if res.Version != "" {
		set(labelVersion, res.Version)
	} else {
		set(labelVersion, ev.Branch)
	}
	if repo := cmp.Or(env.Repository, ev.Repository); repo != "" {
		set(labelSource, strings.TrimSuffix(env.ServerURL, "/")+"/"+repo)
	}
	return l
}

// tagsSummary renders the step summary: every tag considered and why, and
// the repositories whose published tags were read (--image).
func tagsSummary(res tagging.Result, published []string, repos []name.Repository) string {
	var b strings.Builder
	b.WriteString("### Image tags\n\n")
	if res.Skip != "" {
		b.WriteString(actions.OneLine(res.Skip) + "\n")
		return b.String()
	}
	if len(repos) > 0 {
		names := make([]string, len(repos))
		for i, r := range repos {
			names[i] = "`" + r.Name() + "`"
		}
		fmt.Fprintf(&b, "Published tags read from %s: %d.\n\n", strings.Join(names, ", "), len(published))
	}
	if len(res.Yanked) > 0 {
		fmt.Fprintf(&b, "Yanked (no floating tag points at them): %s.\n\n", strings.Join(res.Yanked, ", "))
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
