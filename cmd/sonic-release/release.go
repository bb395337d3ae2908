package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/provenance"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
	"github.com/sonicsaas/sonic-release/tagging"
)

type releaseOptions struct {
	event         eventFlags
	source        string
	images        []string
	dryRun        bool
	output        string
	jobs          int
	allowRevision bool

	// signing
	signMode  string
	signer    signerFlags
	publicKey string

	// notes
	notes         bool
	createRelease bool
	draftRelease  string
	repoDir       string
	previous      string
	migrationsDir string
	tagVariable   string
	releaseConfig string
	// --on-migration-error: fail or warn
	onMigrationError string
	provenance       bool // --provenance (provenance.go)
	airgap           airGapFlags
}

func newCmdRelease(a *app) *cobra.Command {
	opts := &releaseOptions{}
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Release the built image: tags in every registry, signature, floating tags, notes",
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
  auto                            the tested image of a version: IMAGE:master-<sha>
                                  (or release-X.Y-<sha>) of the tag's commit
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
			if err := onMigrationError(opts.onMigrationError); err != nil {
				return err
			}
			if !cmd.Flags().Changed("notes") {
				// By default the notes are written inside GitHub Actions,
				// where the release and its repository are known.
				opts.notes = a.env().Actions
			}
			return runRelease(cmd.Context(), a, opts)
		},
	}
	opts.event.register(cmd.Flags())
	opts.airgap.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.source, "source", "", "the built image: auto (the tested IMAGE:<default branch>-<sha> of the tag's commit), REGISTRY/REPO@sha256:…, REGISTRY/REPO:TAG, oci:DIR, oci-archive:FILE or docker-archive:FILE")
	cmd.Flags().StringArrayVar(&opts.images, "image", nil, "a target repository, e.g. ghcr.io/owner/app (repeatable)")
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "print the complete plan (tags, what would be signed, the notes), check that signing is possible, and write nothing to a registry or GitHub ($GITHUB_OUTPUT and the step summary are still written)")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().IntVar(&opts.jobs, "jobs", 4, "registry requests run at once")
	cmd.Flags().BoolVar(&opts.allowRevision, "allow-revision-mismatch", false, "release a source whose org.opencontainers.image.revision is another commit")
	cmd.Flags().StringVar(&opts.signMode, "sign", string(sign.ModeAuto), "sign the image: auto (key with --key, keyless when the job has id-token: write, else none), keyless, key or none")
	opts.signer.register(cmd.Flags())
	registerProvenance(cmd.Flags(), &opts.provenance)
	cmd.Flags().StringVar(&opts.publicKey, "public-key", "cosign.pub", "with --sign key: the public key operators verify with, as the notes name it")
	cmd.Flags().BoolVar(&opts.notes, "notes", false, "write the release notes of a version and publish them into its GitHub release when GITHUB_REPOSITORY is set (default: true inside GitHub Actions)")
	cmd.Flags().BoolVar(&opts.createRelease, "create-release", false, "create the GitHub release of the tag when there is none")
	cmd.Flags().StringVar(&opts.draftRelease, "draft-release", "auto", "make the GitHub release a draft (the maintainer's, or a new one) before anything is written and publish it last, with make_latest: true, false or auto (true when a tag push triggered the run)")
	cmd.Flags().StringVar(&opts.repoDir, "repo-dir", ".", "the local clone, for the notes' commits and migrations")
	cmd.Flags().StringVar(&opts.previous, "previous", "", "the release the notes compare with (default: the highest version below)")
	cmd.Flags().StringVar(&opts.migrationsDir, "migrations-dir", "", "the Drizzle migrations folder (default: out of drizzle.config.*, else drizzle/)")
	cmd.Flags().StringVar(&opts.onMigrationError, "on-migration-error", migrationErrorFail, "when the notes' migration analysis fails: fail (exit 1, publish no notes) or warn (publish the notes, saying the analysis failed)")
	cmd.Flags().StringVar(&opts.tagVariable, "tag-variable", notes.DefaultTagVariable, "the variable operators set to pin the image tag, in the notes")
	cmd.Flags().StringVar(&opts.releaseConfig, "release-config", "", "GitHub's release.yml categories (default: .github/release.yml in --repo-dir, if present)")
	return cmd
}

func runRelease(ctx context.Context, a *app, opts *releaseOptions) error {
	env := a.env()
	ev, pol, err := opts.event.resolve(env)
	if err != nil {
		return err
	}
	targets, _, err := parseImages(opts.images)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return flagErrorf("--image is required: a target repository such as ghcr.io/owner/app")
	}
	draft, err := draftRelease(opts.draftRelease, ev)
	if err != nil {
		return err
	}
	kc := keychain(a)
	src, err := releaseSource(ctx, a, opts.source, targets, ev, pol, release.WithKeychain(kc), release.WithLogger(a.log))
	if err != nil {
		return err
	}
	cfg := pipeline.Config{
		Source:  src,
		Targets: targets,
		Event:   ev,
		Policy:  pol,
		DryRun:  opts.dryRun,
		Release: []release.Option{
			release.WithKeychain(kc),
			release.WithJobs(opts.jobs),
			release.WithLogger(a.log),
			release.WithAllowRevisionMismatch(opts.allowRevision),
		},
	}
	// One ping, token and connection pool per registry for the whole run.
	regs, err := release.NewRegistries(src, targets, !opts.dryRun, cfg.Release...)
	if err != nil {
		return err
	}
	cfg.Release = append(cfg.Release, release.WithRegistries(regs))

	mode, err := opts.signer.mode(opts.signMode, env)
	if err != nil {
		return err
	}
	switch mode {
	case sign.ModeNone:
		if ev.Kind != tagging.EventNone && opts.signMode != string(sign.ModeNone) {
			msg := "the image will not be signed: give the job the `id-token: write` permission (keyless) or pass --key; --sign none silences this"
			fmt.Fprintln(a.io.Err, "warning: "+msg)
			if env.Actions {
				_ = actions.Command(a.io.Err, actions.Annotation{Level: "warning", Title: "sonic-release", Message: msg}.String())
			}
		}
	case sign.ModeKey:
		cfg.Signing = notes.Signing{Key: opts.publicKey}
	case sign.ModeKeyless:
		cfg.Signing = notes.Signing{Issuer: notes.GitHubActionsIssuer, Identity: notes.WorkflowIdentity(env.ServerURL, env.Workflow)}
	}
	// The signer is built in a dry run too, and asked whether it can sign
	// (the key decrypts, the OIDC token is offered, the trusted root
	// loads), so that a dry run fails where the real run would.
	ready, blobSigner := "", pipeline.BlobSigner(nil)
	if mode != sign.ModeNone && ev.Kind != tagging.EventNone {
		ann := signatureAnnotations(env, versionOf(ev), ev.SHA, "", "")
		build := func() (*sign.Signer, error) {
			return opts.signer.signer(ctx, a, mode, ann, sign.WithRegistryOptions(regs.RemoteOptions), sign.WithRegistryTransport(regs.Transport), sign.WithKnownManifests(regs.KnownManifest), sign.WithBackgroundChecks(), sign.WithJobs(opts.jobs))
		}
		if opts.dryRun {
			s, err := build()
			if err != nil {
				return err
			}
			if ready, err = s.Ready(); err != nil {
				return fmt.Errorf("signing is not possible: %w", err)
			}
			blobSigner = s
		} else {
			// The key decrypts while the plan reads the registries and
			// the blobs are copied; no tag is written before it is ready.
			p := startSigner(build)
			cfg.Signer, blobSigner = p, p
			if cfg.Provenance, err = provenanceConfig(ctx, a, opts.provenance, opts.signer.fs != nil && opts.signer.fs.Changed("provenance"), p, provenance.WithRegistryOptions(regs.RemoteOptions)); err != nil {
				return err
			}
		}
	}

	if opts.notes && ev.Kind == tagging.EventRelease {
		rc, err := releaseConfig(opts.releaseConfig, opts.repoDir)
		if err != nil {
			return err
		}
		cfg.Notes = &pipeline.NotesConfig{
			Input:                    notes.Input{Previous: opts.previous, RepoDir: opts.repoDir, Repository: env.Repository, Config: rc},
			TagVariable:              opts.tagVariable,
			Publish:                  env.Repository != "",
			CreateRelease:            opts.createRelease,
			Draft:                    draft,
			Migrations:               migrationAnalyzer(opts.migrationsDir, a).Analyze,
			ContinueOnMigrationError: opts.onMigrationError == migrationErrorWarn,
			Upgrades:                 migrationAnalyzer(opts.migrationsDir, a).Upgrades,
			Options: []notes.Option{
				notes.WithAuthToken(env.Token),
				notes.WithAPIURL(env.APIURL),
				notes.WithServerURL(env.ServerURL),
				notes.WithLogger(a.log),
			},
		}
	}

	if cfg.AirGap, err = opts.airgap.config(env, kc, blobSigner, ev.Kind == tagging.EventRelease && cfg.Notes == nil); err != nil {
		return err
	}
	prog := newProgress(a.io.Err, env.Actions)
	cfg.Progress = prog.step
	res, err := pipeline.Run(ctx, cfg)
	prog.done()
	defer res.Plan.Close()
	if err != nil {
		err = notesHint(credentialsHint(err))
		// Nothing on stdout when a command fails; the step summary still
		// shows the plan, conflicts included.
		if res.Plan.Digest != "" {
			if err := actions.AppendSummary(env.SummaryPath, planSummary(res.Plan, opts.dryRun)); err != nil {
				a.log.Warn("writing the step summary", "err", err)
			}
		}
		return err
	}
	warnMigrationsFailed(a, env, res.Notes)
	warnProvenance(a, env, res.Provenance)
	return writeRelease(a, env, opts, res, mode, ready)
}

// parseImages reads the --image flags: one flag may hold several, one per
// line or comma-separated (the Action's multi-line input). It returns the
// repositories and each as the user spelled it (docker.io/acme/app, not
// index.docker.io/acme/app), empty entries left out.
func parseImages(values []string) ([]name.Repository, []string, error) {
	var repos []name.Repository
	var spelled []string
	for _, v := range values {
		for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ',' }) {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			r, err := name.NewRepository(s, name.StrictValidation)
			if err != nil {
				return nil, nil, flagErrorf("--image %q: expected a repository such as ghcr.io/owner/app (no tag or digest): %v", s, err)
			}
			repos = append(repos, r)
			spelled = append(spelled, s)
		}
	}
	return repos, spelled, nil
}

func versionOf(ev tagging.Event) string {
	if ev.Kind == tagging.EventRelease {
		return ev.Version.String()
	}
	return ""
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
	return release.GitHubKeychain(a.getenv("GITHUB_TOKEN"), a.getenv("GITHUB_ACTOR"))
}

type releaseJSON struct {
	DryRun     bool                 `json:"dry_run"`
	Plan       release.Plan         `json:"plan"`
	Result     *release.Result      `json:"result"`
	Signing    string               `json:"signing"`
	Migrations *pipeline.Migrations `json:"migrations,omitempty"`
	Notes      *notes.Notes         `json:"notes,omitempty"`
	Published  *notes.PublishResult `json:"published,omitempty"`
	Release    *notes.Release       `json:"release,omitempty"`
}

// writeRelease prints the outcome; ready is what the signer said it signs
// with (sign.Signer.Ready), for the dry run's report.
func writeRelease(a *app, env actions.Env, opts *releaseOptions, res pipeline.Result, mode sign.Mode, ready string) error {
	plan := res.Plan
	js, err := json.MarshalIndent(releaseJSON{DryRun: opts.dryRun, Plan: plan, Result: res.Applied, Signing: string(mode), Migrations: res.Migrations, Notes: res.Notes, Published: res.Published, Release: res.Release}, "", "  ")
	if err != nil {
		return err
	}
	signWhat := ""
	if plan.Digest != "" && plan.Skip == "" {
		signWhat = fmt.Sprintf("%s (index + %d platform images) in %d repositories", plan.Digest, len(plan.Platforms), len(plan.Targets))
		if len(plan.Platforms) == 0 {
			signWhat = fmt.Sprintf("%s in %d repositories", plan.Digest, len(plan.Targets))
		}
	}
	switch {
	case plan.Skip != "":
		fmt.Fprintln(a.io.Err, actions.OneLine(plan.Skip))
	case opts.dryRun:
		fmt.Fprintf(a.io.Err, "dry-run: %d tag(s) would be written; nothing was sent\n", plan.Changes())
		if mode != sign.ModeNone && signWhat != "" {
			fmt.Fprintf(a.io.Err, "dry-run: would sign %s (%s), before moving the floating tags (checked: %s)\n", signWhat, mode, ready)
			if m := res.Migrations; m != nil {
				fmt.Fprintf(a.io.Err, "dry-run: the signatures would carry %s\n", verdictText(m))
			}
		}
		if res.Markdown != "" {
			fmt.Fprintf(a.io.Err, "dry-run: the release notes that would be published:\n\n%s\n", res.Markdown)
		}
	case res.Applied != nil:
		fmt.Fprintf(a.io.Err, "released %s: %d tag(s) written, %d in all\n", plan.Digest, len(res.Applied.Written), len(res.Applied.Tags))
		if len(res.Applied.Signed) > 0 {
			fmt.Fprintf(a.io.Err, "signed %s (%s)\n", signWhat, mode)
			if m := res.Migrations; m != nil {
				fmt.Fprintf(a.io.Err, "migration verdict %s: on every signature this run added (one already there keeps its own)\n", verdictText(m))
			}
		}
		for _, rp := range res.Applied.Repointed {
			fmt.Fprintf(a.io.Err, "%s:%s re-pointed at %s (%s, published meanwhile)\n", rp.Repository, rp.Tag, rp.Version, rp.To)
		}
		if res.Published != nil {
			fmt.Fprintf(a.io.Err, "release notes %s: %s\n", res.Published.Action, res.Published.URL)
		}
	}
	if err := actions.WriteOutputs(env.OutputPath, map[string]string{
		"digest":  plan.Digest,
		"tags":    strings.Join(plan.AppliedTags(), "\n"),
		"version": plan.Version,
		"notes":   res.Markdown,
		"json":    string(js),
		// breaking, compatible or none; empty when the migrations were not analysed.
		"migrations": verdictOf(res.Migrations),
	}); err != nil {
		return err
	}
	summary := planSummary(plan, opts.dryRun)
	if res.Markdown != "" {
		summary += "\n" + res.Markdown
	}
	if err := actions.AppendSummary(env.SummaryPath, summary); err != nil {
		return err
	}
	// stdout last: a command that fails prints nothing on stdout.
	if opts.output == "json" {
		fmt.Fprintln(a.io.Out, string(js))
	} else {
		printPlan(a.io.Out, plan, a.io.OutIsTTY)
	}
	return nil
}

// verdictOf is the migration verdict, empty without an analysis.
func verdictOf(m *pipeline.Migrations) string {
	if m == nil {
		return ""
	}
	return string(m.Verdict)
}

// verdictText says what the signatures carry: the annotations of the
// migration verdict, in the form `cosign verify -a` checks.
func verdictText(m *pipeline.Migrations) string {
	ann := m.Annotations()
	keys := slices.Sorted(maps.Keys(ann))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + ann[k]
	}
	return strings.Join(parts, " ")
}

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
			fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Repository, tp.Tag, tp.Op, dash(short(tp.From)), dash(short(tp.To)), actions.OneLine(tp.Reason))
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
		b.WriteString(actions.OneLine(plan.Skip) + "\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Digest `%s` from `%s`.\n\n| repository | tag | op | from | to | why |\n|---|---|---|---|---|---|\n", plan.Digest, plan.Source)
	for _, t := range plan.Targets {
		for _, tp := range t.Tags {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s | %s |\n", t.Repository, tp.Tag, tp.Op,
				dash(shortDigest(tp.From)), dash(shortDigest(tp.To)), strings.ReplaceAll(actions.OneLine(tp.Reason), "|", `\|`))
		}
	}
	return b.String()
}
