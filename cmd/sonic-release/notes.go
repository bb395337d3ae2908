package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/inputfile"
	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
)

type notesOptions struct {
	version, previous, head string
	repoDir, repo           string
	config, template        string
	migrations              string
	noMigrations            bool
	migrationsDir           string
	onMigrationError        string
	output                  string
	publish, createRelease  bool
	rateLimitWait           time.Duration

	image, digest string
	imageTags     []string
	platforms     []string
	tagVariable   string
	identity      string
	issuer        string
	key           string
}

func newCmdNotes(a *app) *cobra.Command {
	opts := &notesOptions{}
	cmd := &cobra.Command{
		Use:   "notes",
		Short: "Write the release notes of a version, and publish them on its GitHub release",
		Long: `Write the release notes an operator reads before upgrading: database
migrations the previous release cannot run against, breaking changes, the
changes by category (.github/release.yml, else conventional-commit type), the
image with its digest and the cosign verify command, and the compare link.

The range runs from the previous release (the highest version tag below
--version: the highest stable one for a stable release, any for a
pre-release) to --version. Commits come from the local clone; when it is
shallow or lacks a tag, GitHub's compare API is used instead. Pull requests
come from GitHub in pages of 100 (GITHUB_API_URL, GITHUB_TOKEN).

The Drizzle migrations of the same range are analysed in the local clone
(as 'sonic-release migrations' does; --migrations-dir names the folder), so
it needs the previous release's tag: fetch-depth: 0 in a workflow.
--migrations FILE uses a report made before instead (it must cover the same
range); --no-migrations leaves the migrations out. When the analysis fails
the command fails (exit 1) and publishes nothing; with
--on-migration-error=warn it writes the notes anyway, saying in their
migration section that the analysis failed and why.

--publish writes the notes into the GitHub release of the tag (drafts
included) between <!-- sonic-release:begin --> and <!-- sonic-release:end -->,
keeping the rest of its text; --create-release creates a missing release.
In GitHub Actions the notes also go to $GITHUB_STEP_SUMMARY.`,
		Example: `  sonic-release notes --version v1.2.0 --repo sonicsaas/app
  sonic-release notes --version v1.2.0 --image ghcr.io/sonicsaas/app --digest sha256:… \
    --image-tag v1.2.0 --image-tag v1.2 --image-tag latest --publish
  sonic-release notes --version v1.3.0-rc.1 --migrations report.json -o json
  sonic-release notes --version v1.2.0 --migrations-dir db/migrations --on-migration-error=warn`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFormat(opts.output, "markdown", "json"); err != nil {
				return err
			}
			if err := onMigrationError(opts.onMigrationError); err != nil {
				return err
			}
			return runNotes(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.version, "version", "", "the release's version tag, e.g. v1.2.3 (default: the tag of $GITHUB_REF)")
	f.StringVar(&opts.previous, "previous", "", "the release to compare with (default: the highest version tag below --version)")
	f.StringVar(&opts.head, "head", "", "the commit the release is made of (default: the --version tag)")
	f.StringVar(&opts.repoDir, "repo-dir", ".", "the local clone of the repository")
	f.StringVar(&opts.repo, "repo", "", "the GitHub repository OWNER/NAME (default $GITHUB_REPOSITORY; empty: no GitHub calls)")
	f.StringVar(&opts.config, "config", "", "GitHub's release.yml categories (default: .github/release.yml or .yaml in --repo-dir, if present)")
	f.StringVar(&opts.template, "template", "", "a Go text/template file to render the notes with instead of the built-in layout")
	f.StringVar(&opts.migrations, "migrations", "", "a migration report of the range (JSON, as 'sonic-release migrations -o json' writes) to use instead of analysing the migrations")
	f.BoolVar(&opts.noMigrations, "no-migrations", false, "leave the database migrations out of the notes (no analysis, no section)")
	f.StringVar(&opts.migrationsDir, "migrations-dir", "", "the Drizzle migrations folder (default: out of drizzle.config.*, else drizzle/)")
	f.StringVar(&opts.onMigrationError, "on-migration-error", migrationErrorFail, "when the migration analysis fails: fail (exit 1, publish nothing) or warn (write the notes, saying the analysis failed)")
	f.StringVarP(&opts.output, "output", "o", "markdown", "output format: markdown or json")
	f.BoolVar(&opts.publish, "publish", false, "write the notes into the GitHub release of the tag, between the sonic-release markers")
	f.BoolVar(&opts.createRelease, "create-release", false, "with --publish: create the release when the tag has none (implies --publish)")
	f.DurationVar(&opts.rateLimitWait, "rate-limit-wait", 5*time.Minute, "the longest wait for a GitHub rate limit to reset")
	f.StringVar(&opts.image, "image", "", "the image repository, e.g. ghcr.io/sonicsaas/app (adds the image section)")
	f.StringVar(&opts.digest, "digest", "", "the released digest, sha256:… (required with --image)")
	f.StringArrayVar(&opts.imageTags, "image-tag", nil, "a tag on the digest, repeatable, exact version first (default: --version)")
	f.StringArrayVar(&opts.platforms, "platform-digest", nil, "PLATFORM=DIGEST of an index's manifest, repeatable, e.g. linux/amd64=sha256:…")
	f.StringVar(&opts.tagVariable, "tag-variable", notes.DefaultTagVariable, "the variable operators set to pin the image tag")
	f.StringVar(&opts.identity, "certificate-identity", "", "keyless signing identity (default in Actions: $GITHUB_SERVER_URL/$GITHUB_WORKFLOW_REF)")
	f.StringVar(&opts.issuer, "certificate-oidc-issuer", notes.GitHubActionsIssuer, "keyless signing OIDC issuer")
	f.StringVar(&opts.key, "key", "", "the public key that verifies the signature, instead of a keyless identity")
	return cmd
}

func runNotes(ctx context.Context, a *app, opts *notesOptions) error {
	env := a.env()
	in := notes.Input{
		Version:    opts.version,
		Previous:   opts.previous,
		Head:       opts.head,
		RepoDir:    opts.repoDir,
		Repository: opts.repo,
	}
	if in.Version == "" {
		tag, ok := strings.CutPrefix(env.Ref, "refs/tags/")
		if !ok {
			return flagErrorf("--version is required (outside a tag's workflow run)")
		}
		in.Version = tag
	}
	if in.Repository == "" {
		in.Repository = env.Repository
	}
	if opts.createRelease {
		opts.publish = true
	}
	if opts.publish && in.Repository == "" {
		return flagErrorf("--publish needs the GitHub repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
	}
	cfg, err := releaseConfig(opts.config, opts.repoDir)
	if err != nil {
		return err
	}
	in.Config = cfg
	nc := pipeline.NotesConfig{
		Migrations:               migrationAnalyzer(opts.migrationsDir, a).Analyze,
		ContinueOnMigrationError: opts.onMigrationError == migrationErrorWarn,
		Upgrades:                 migrationAnalyzer(opts.migrationsDir, a).Upgrades,
	}
	switch {
	case opts.noMigrations && (opts.migrations != "" || opts.migrationsDir != ""):
		return flagErrorf("--no-migrations leaves the migrations out: drop --migrations and --migrations-dir, or --no-migrations")
	case opts.migrations != "" && opts.migrationsDir != "":
		return flagErrorf("--migrations-dir names the folder to analyse; with --migrations FILE nothing is analysed: drop one")
	case opts.noMigrations:
		nc.Migrations, nc.Upgrades = nil, nil
	case opts.migrations != "":
		data, err := inputfile.Read(opts.migrations)
		if err != nil {
			return flagErrorf("--migrations: %v", err)
		}
		var r migrations.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return flagErrorf("--migrations %q: not a migration report: %v", opts.migrations, err)
		}
		in.Migrations, nc.Migrations = &r, nil
	}
	img, err := imageInput(opts, in.Version, env)
	if err != nil {
		return err
	}
	var tmpl string
	if opts.template != "" {
		data, err := inputfile.Read(opts.template)
		if err != nil {
			return flagErrorf("--template: %v", err)
		}
		tmpl = string(data)
	}

	nopts := []notes.Option{
		notes.WithAuthToken(env.Token),
		notes.WithAPIURL(env.APIURL),
		notes.WithServerURL(env.ServerURL),
		notes.WithLogger(a.log),
		notes.WithMaxRateLimitWait(opts.rateLimitWait),
	}
	nc.Input, nc.Options = in, nopts
	n, err := pipeline.Notes(ctx, nc, in.Version, img)
	if e, ok := errors.AsType[*notes.UnknownHeadError](err); ok {
		return &hintError{err, fmt.Sprintf("name the commit of %s with --head", e.Head)}
	}
	if err != nil {
		return notesHint(err)
	}
	warnNotes(a, env, n.Version, n.Warnings)
	md := notes.Markdown(n)
	if tmpl != "" {
		if md, err = notes.Template(n, tmpl); err != nil {
			return err
		}
	}
	// Publish first: a command that fails prints nothing on stdout.
	if opts.publish {
		res, err := notes.Publish(ctx, notes.PublishInput{
			Repository: in.Repository,
			Tag:        in.Version,
			Markdown:   md,
			Create:     opts.createRelease,
			RepoDir:    opts.repoDir,
		}, nopts...)
		if err != nil {
			return notesHint(err)
		}
		draft := ""
		if res.Draft {
			draft = " (draft)"
		}
		fmt.Fprintf(a.io.Err, "release %s%s %s: %s\n", in.Version, draft, res.Action, res.URL)
	}
	out := md
	if opts.output == "json" {
		js, err := json.MarshalIndent(n, "", "  ")
		if err != nil {
			return err
		}
		out = string(js) + "\n"
	}
	if err := actions.AppendSummary(env.SummaryPath, md); err != nil {
		return err
	}
	fmt.Fprint(a.io.Out, out)
	return nil
}

// warnNotes prints what the notes warn about, on stderr and, in Actions,
// as annotations.
func warnNotes(a *app, env actions.Env, version string, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintln(a.io.Err, "warning: "+actions.OneLine(w))
		if env.Actions {
			_ = actions.Command(a.io.Err, actions.Annotation{Level: "warning", Title: "release notes " + version, Message: w}.String())
		}
	}
}

// warnMigrationsFailed is the release command's warning for notes made
// although their migration analysis failed (--on-migration-error=warn).
func warnMigrationsFailed(a *app, env actions.Env, n *notes.Notes) {
	if n != nil && n.MigrationsError != "" {
		warnNotes(a, env, n.Version, []string{"the migration analysis failed, and the notes say so: " + n.MigrationsError})
	}
}

// releaseConfig reads --config, or .github/release.yml / .yaml in the
// clone when present (GitHub's own lookup).
func releaseConfig(path, repoDir string) (*notes.Config, error) {
	if path != "" {
		return notes.LoadConfig(path)
	}
	return notes.FindConfig(repoDir)
}

// --on-migration-error values.
const (
	migrationErrorFail = "fail"
	migrationErrorWarn = "warn"
)

func onMigrationError(v string) error {
	if v != migrationErrorFail && v != migrationErrorWarn {
		return flagErrorf("--on-migration-error %q: expected fail or warn", v)
	}
	return nil
}

// notesHint adds the flag that helps to an error of the notes.
func notesHint(err error) error {
	if _, ok := errors.AsType[*pipeline.MigrationsError](err); ok {
		return &hintError{err, "fix the analysis (see 'sonic-release migrations'), or pass --on-migration-error=warn to write the notes saying it failed"}
	}
	if e, ok := errors.AsType[*notes.NoReleaseError](err); ok {
		return &hintError{err, fmt.Sprintf("pass --create-release to create the release of %s", e.Tag)}
	}
	if e, ok := errors.AsType[*notes.RangeMismatchError](err); ok && e.Notes.From != "" {
		return &hintError{err, fmt.Sprintf("pass the report of that range (sonic-release migrations --from %s --to %s -o json)", e.Notes.From, e.Notes.To)}
	}
	return err
}

// hintError is an error with what to do about it on the CLI.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() + "; " + e.hint }
func (e *hintError) Unwrap() error { return e.err }

func imageInput(opts *notesOptions, version string, env actions.Env) (*notes.Image, error) {
	if opts.image == "" {
		if opts.digest != "" || len(opts.imageTags) > 0 || len(opts.platforms) > 0 {
			return nil, flagErrorf("--digest, --image-tag and --platform-digest need --image")
		}
		return nil, nil
	}
	if opts.digest == "" {
		return nil, flagErrorf("--image needs --digest sha256:…: the notes pin the release by digest")
	}
	img := &notes.Image{
		Repository:  opts.image,
		Digest:      opts.digest,
		Tags:        opts.imageTags,
		TagVariable: opts.tagVariable,
		Signing:     notes.Signing{Identity: opts.identity, Issuer: opts.issuer, Key: opts.key},
	}
	if len(img.Tags) == 0 {
		img.Tags = []string{version}
	}
	if opts.key != "" {
		img.Signing.Identity, img.Signing.Issuer = "", ""
	} else if img.Signing.Identity == "" {
		img.Signing.Identity = notes.WorkflowIdentity(env.ServerURL, env.Workflow)
	}
	if img.Signing.Identity == "" {
		img.Signing.Issuer = ""
	}
	for _, p := range opts.platforms {
		plat, dg, ok := strings.Cut(p, "=")
		if !ok {
			return nil, flagErrorf("--platform-digest %q: expected PLATFORM=DIGEST, e.g. linux/amd64=sha256:…", p)
		}
		img.Platforms = append(img.Platforms, notes.Platform{Platform: plat, Digest: dg})
	}
	return img, nil
}
