package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/gitexec"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

type tagsOptions struct {
	event            eventFlags
	existing         []string
	images           []string
	output           string
	created          string
	repoDir          string
	annotationLevels string
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
GITHUB_REF and GITHUB_SHA, and the outputs tags, tag-names, version, labels,
annotations and json (named and shaped as docker/metadata-action's) are
written to $GITHUB_OUTPUT with a table in $GITHUB_STEP_SUMMARY. Flags
override the environment.

The labels and annotations are the OCI keys metadata-action writes, from the
payload's repository; created is the commit's time (--created, else
$SOURCE_DATE_EPOCH, else the payload's commit, else git in --repo-dir), so a
rebuild of a commit is labelled alike.`,
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
	cmd.Flags().StringVar(&opts.created, "created", "", "the image's created time, RFC 3339 or Unix seconds (default $SOURCE_DATE_EPOCH, else the commit's time from the payload or git)")
	cmd.Flags().StringVar(&opts.repoDir, "repo-dir", ".", "the local clone, for the commit's time")
	cmd.Flags().StringVar(&opts.annotationLevels, "annotation-levels", "", "levels of the annotations output, comma-separated: manifest, index, manifest-descriptor, index-descriptor (default $DOCKER_METADATA_ANNOTATIONS_LEVELS, else manifest)")
	return cmd
}

// tagsJSON is the document of -o json.
type tagsJSON struct {
	tagging.Result
	// References are REPOSITORY:TAG for every --image × applied tag.
	References []string `json:"references,omitempty"`
	// Published are the tags the --image repositories held.
	Published []string          `json:"published,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// metadataJSON is the json output: docker/metadata-action's document
// (tags, tag-names, labels, annotations), then what this command adds.
type metadataJSON struct {
	Tags        []string          `json:"tags"`
	TagNames    []string          `json:"tag-names"`
	Labels      map[string]string `json:"labels"`
	Annotations []string          `json:"annotations"`
	Version     string            `json:"version"`
	Published   []string          `json:"published,omitempty"`
	Plan        tagging.Result    `json:"plan"`
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
	repos, images = uniqueImages(repos, images)
	levels, err := tagging.ParseAnnotationLevels(cmp.Or(opts.annotationLevels, a.getenv("DOCKER_METADATA_ANNOTATIONS_LEVELS")))
	if err != nil {
		return fmt.Errorf("%w (--annotation-levels or DOCKER_METADATA_ANNOTATIONS_LEVELS)", err)
	}
	created, err := opts.createdTime(ctx, a, ev)
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

	// Every value one line: a repository description may hold newlines,
	// and labels and annotations are one per line.
	meta := tagging.Metadata(ev, res, tagging.MetadataInput{Repo: envRepository(env), Created: created})
	labels := make([]string, len(meta))
	labelMap := make(map[string]string, len(meta))
	doc := tagsJSON{Result: res, Published: published, Labels: map[string]string{}}
	for i := range meta {
		meta[i].Value = actions.OneLine(meta[i].Value)
		labels[i] = meta[i].String()
		labelMap[meta[i].Key] = meta[i].Value
		if meta[i].Value != "" {
			doc.Labels[meta[i].Key] = meta[i].Value
		}
	}
	annotations := tagging.Annotations(meta, levels)
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
	mjs, err := compactJSON(metadataJSON{Tags: tags, TagNames: res.Names(), Labels: labelMap, Annotations: annotations,
		Version: res.MainVersion(), Published: published, Plan: res})
	if err != nil {
		return err
	}
	// Outputs first: a command that fails prints nothing on stdout.
	if err := actions.WriteOutputs(env.OutputPath, map[string]string{
		"tags":        strings.Join(tags, "\n"),
		"tag-names":   strings.Join(res.Names(), "\n"),
		"version":     res.MainVersion(),
		"labels":      strings.Join(labels, "\n"),
		"annotations": strings.Join(annotations, "\n"),
		"json":        mjs,
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

// compactJSON is v as JSON.stringify writes it: one line, with "<", ">"
// and "&" as they are.
func compactJSON(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// uniqueImages drops an --image repeated, as spelled or spelled otherwise
// (docker.io/library/app and app): its tags would be listed twice.
func uniqueImages(repos []name.Repository, spelled []string) ([]name.Repository, []string) {
	var r []name.Repository
	var s []string
	for i, repo := range repos {
		if !slices.ContainsFunc(r, func(o name.Repository) bool { return o.Name() == repo.Name() }) {
			r, s = append(r, repo), append(s, spelled[i])
		}
	}
	return r, s
}

// envRepository is the repository of the run ($GITHUB_REPOSITORY on
// $GITHUB_SERVER_URL), for the labels when the payload has none.
func envRepository(env actions.Env) tagging.Repository {
	if env.Repository == "" {
		return tagging.Repository{}
	}
	return tagging.Repository{FullName: env.Repository, URL: strings.TrimSuffix(env.ServerURL, "/") + "/" + env.Repository}
}

// createdTime is the image's created time: --created, else
// $SOURCE_DATE_EPOCH, else the commit's time in the payload, else the
// commit's time in the clone at --repo-dir; zero (created left out) when
// none says.
func (opts *tagsOptions) createdTime(ctx context.Context, a *app, ev tagging.Event) (time.Time, error) {
	v, what := opts.created, "--created"
	if v == "" {
		v, what = a.getenv("SOURCE_DATE_EPOCH"), "SOURCE_DATE_EPOCH"
	}
	if v != "" {
		if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
			return time.Unix(sec, 0), nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return time.Time{}, flagErrorf("%s %q: expected an RFC 3339 time (2026-01-02T15:04:05Z) or Unix seconds", what, v)
		}
		return t, nil
	}
	if !ev.CommitTime.IsZero() || ev.SHA == "" {
		return ev.CommitTime, nil
	}
	out, err := gitexec.Repo{Dir: opts.repoDir}.Output(ctx, "show", "-s", "--format=%cI", ev.SHA+"^{commit}")
	if err == nil {
		t, perr := time.Parse(time.RFC3339, out)
		if perr == nil {
			return t, nil
		}
		err = perr
	}
	a.log.Warn("the created label is left out: the commit's time is unknown (check the commit out, or set SOURCE_DATE_EPOCH)", "commit", ev.SHA, "err", err)
	return time.Time{}, nil
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
