package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/release"
)

type releaseOptions struct {
	event         eventFlags
	source        string
	images        []string
	dryRun        bool
	output        string
	jobs          int
	allowRevision bool
}

func newCmdRelease(a *app) *cobra.Command {
	opts := &releaseOptions{}
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Put the release's tags on the built image in every target registry",
		Long: `Put the tags of a release or a push (as "sonic-release tags" computes them) on an
image that CI already built, in every target repository.

The plan comes first: each target's tags are listed, the published versions
found, and every tag classified as create, move, unchanged, conflict or skip.
An exact tag (vX.Y.Z, <branch>-<sha>) already on another digest refuses the
whole release before anything is written anywhere (exit 3), and so does a
source whose org.opencontainers.image.revision is another commit (unless
--allow-revision-mismatch). Then, per target: the manifest and missing blobs
are copied, the exact and commit tags written, the image signed (when
signing is set up), the floating tags moved, every written tag read back;
a final listing re-points floating tags if a higher version was published
meanwhile. A re-run of a finished release writes nothing.

--source is the image to release:
  REGISTRY/REPO@sha256:…          an image or index in a registry, by digest
  REGISTRY/REPO:TAG               … or by tag (promote master-<sha>)
  oci:DIR[@sha256:…]              an OCI layout directory
  oci-archive:FILE[@sha256:…]     a tar of one (docker buildx --output type=oci)
  docker-archive:FILE             what docker save writes

Credentials come from the docker config (what docker/login-action writes);
for ghcr.io, GITHUB_TOKEN is used when nothing else is configured. Inside
GitHub Actions the outputs digest, tags and json go to $GITHUB_OUTPUT and the
plan table to $GITHUB_STEP_SUMMARY.`,
		Example: `  sonic-release release --source ghcr.io/acme/app@sha256:… --image ghcr.io/acme/app --image docker.io/acme/app
  sonic-release release --source ghcr.io/acme/app:master-0123456 --image ghcr.io/acme/app --ref refs/tags/v1.2.3 --dry-run
  sonic-release release --source oci-archive:image.tar --image ghcr.io/acme/app -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			if opts.source == "" {
				return flagErrorf("--source is required: the built image to release")
			}
			if len(opts.images) == 0 {
				return flagErrorf("--image is required: a target repository such as ghcr.io/owner/app")
			}
			if opts.jobs < 1 {
				return flagErrorf("--jobs %d: expected 1 or more", opts.jobs)
			}
			return runRelease(cmd.Context(), a, opts)
		},
	}
	opts.event.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.source, "source", "", "the built image: REGISTRY/REPO@sha256:…, REGISTRY/REPO:TAG, oci:DIR, oci-archive:FILE or docker-archive:FILE")
	cmd.Flags().StringArrayVar(&opts.images, "image", nil, "a target repository, e.g. ghcr.io/owner/app (repeatable)")
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "print the plan and write nothing")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().IntVar(&opts.jobs, "jobs", 4, "registry requests run at once")
	cmd.Flags().BoolVar(&opts.allowRevision, "allow-revision-mismatch", false, "release a source whose org.opencontainers.image.revision is another commit")
	return cmd
}

func runRelease(ctx context.Context, a *app, opts *releaseOptions) error {
	env := a.env()
	ev, pol, err := opts.event.resolve(env)
	if err != nil {
		return err
	}
	src, err := release.ParseSource(opts.source)
	if err != nil {
		return err
	}
	targets := make([]name.Repository, 0, len(opts.images))
	for _, s := range opts.images {
		r, err := name.NewRepository(s, name.StrictValidation)
		if err != nil {
			return flagErrorf("--image %q: expected a repository such as ghcr.io/owner/app (no tag or digest): %v", s, err)
		}
		targets = append(targets, r)
	}
	ropts := []release.Option{
		release.WithKeychain(keychain(a)),
		release.WithJobs(opts.jobs),
		release.WithLogger(a.log),
		release.WithAllowRevisionMismatch(opts.allowRevision),
	}

	plan, planErr := release.BuildPlan(ctx, src, targets, ev, pol, ropts...)
	defer plan.Close()
	if planErr != nil && plan.Digest == "" {
		return credentialsHint(planErr)
	}
	var res *release.Result
	if planErr == nil && !opts.dryRun {
		r, err := release.Apply(ctx, plan, ropts...)
		res = &r
		if err != nil {
			planErr = err
		}
	}
	if planErr != nil {
		planErr = credentialsHint(planErr)
		// Nothing on stdout when a command fails; the step summary still
		// shows the plan, conflicts included.
		if err := actions.AppendSummary(env.SummaryPath, planSummary(plan, opts.dryRun)); err != nil {
			a.log.Warn("writing the step summary", "err", err)
		}
		return planErr
	}
	return writeRelease(a, env, opts, plan, res)
}

// credentialsHint says what to do about a registry's 401 or 403.
func credentialsHint(err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("%w\ncheck the registry credentials: docker login REGISTRY (docker/login-action in a workflow); for ghcr.io, GITHUB_TOKEN with permissions packages: write", err)
	}
	return err
}

// keychain is the docker config keychain, then GITHUB_TOKEN for ghcr.io.
func keychain(a *app) authn.Keychain {
	return authn.NewMultiKeychain(authn.DefaultKeychain, ghcrToken{token: a.getenv("GITHUB_TOKEN"), user: a.getenv("GITHUB_ACTOR")})
}

// ghcrToken authenticates to ghcr.io with GITHUB_TOKEN.
type ghcrToken struct{ token, user string }

func (k ghcrToken) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if k.token == "" || r.RegistryStr() != "ghcr.io" {
		return authn.Anonymous, nil
	}
	user := k.user
	if user == "" {
		user = "x-access-token"
	}
	return &authn.Basic{Username: user, Password: k.token}, nil
}

type releaseJSON struct {
	DryRun bool            `json:"dry_run"`
	Plan   release.Plan    `json:"plan"`
	Result *release.Result `json:"result"`
}

func writeRelease(a *app, env actions.Env, opts *releaseOptions, plan release.Plan, res *release.Result) error {
	js, err := json.MarshalIndent(releaseJSON{DryRun: opts.dryRun, Plan: plan, Result: res}, "", "  ")
	if err != nil {
		return err
	}
	if opts.output == "json" {
		fmt.Fprintln(a.io.Out, string(js))
	} else {
		printPlan(a.io.Out, plan, a.io.OutIsTTY)
	}
	switch {
	case plan.Skip != "":
		fmt.Fprintln(a.io.Err, plan.Skip)
	case opts.dryRun:
		fmt.Fprintf(a.io.Err, "dry-run: %d tag(s) would be written; nothing was sent\n", plan.Changes())
	case res != nil:
		fmt.Fprintf(a.io.Err, "released %s: %d tag(s) written, %d in all\n", plan.Digest, len(res.Written), len(res.Tags))
		for _, rp := range res.Repointed {
			fmt.Fprintf(a.io.Err, "%s:%s re-pointed at %s (%s, published meanwhile)\n", rp.Repository, rp.Tag, rp.Version, rp.To)
		}
	}
	var tags []string
	for _, t := range plan.Targets {
		for _, tp := range t.Tags {
			if tp.Op != release.OpSkip && tp.Op != release.OpConflict {
				tags = append(tags, t.Repository+":"+tp.Tag)
			}
		}
	}
	if err := actions.WriteOutputs(env.OutputPath, map[string]string{
		"digest": plan.Digest,
		"tags":   strings.Join(tags, "\n"),
		"json":   string(js),
	}); err != nil {
		return err
	}
	return actions.AppendSummary(env.SummaryPath, planSummary(plan, opts.dryRun))
}

// printPlan writes the plan: an aligned table on a terminal, tab-separated
// fields with full digests otherwise.
func printPlan(w io.Writer, plan release.Plan, tty bool) {
	short := func(d string) string { return d }
	out := w
	var tw *tabwriter.Writer
	if tty {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		out = tw
		short = shortDigest
		fmt.Fprintln(out, "REPOSITORY\tTAG\tOP\tFROM\tTO\tWHY")
	}
	for _, t := range plan.Targets {
		for _, tp := range t.Tags {
			fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Repository, tp.Tag, tp.Op, dash(short(tp.From)), dash(short(tp.To)), tp.Reason)
		}
	}
	if tw != nil {
		tw.Flush()
	}
}

func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// planSummary renders the plan as Markdown for the step summary.
func planSummary(plan release.Plan, dryRun bool) string {
	var b strings.Builder
	title := "Release"
	if plan.Version != "" {
		title += " " + plan.Version
	}
	if dryRun {
		title += " (dry-run)"
	}
	fmt.Fprintf(&b, "### %s\n\n", title)
	if plan.Skip != "" {
		b.WriteString(plan.Skip + "\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Digest `%s` from `%s`.\n\n| repository | tag | op | from | to | why |\n|---|---|---|---|---|---|\n", plan.Digest, plan.Source)
	for _, t := range plan.Targets {
		for _, tp := range t.Tags {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s | %s |\n", t.Repository, tp.Tag, tp.Op,
				dash(shortDigest(tp.From)), dash(shortDigest(tp.To)), strings.ReplaceAll(tp.Reason, "|", `\|`))
		}
	}
	return b.String()
}
