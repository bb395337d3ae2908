package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/migrations"
	"github.com/sonicsaas/sonic-release/notes"
)

type notesOptions struct {
	version, previous, head string
	repoDir, repo           string
	config, template        string
	migrations              string
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

--publish writes the notes into the GitHub release of the tag (drafts
included) between <!-- sonic-release:begin --> and <!-- sonic-release:end -->,
keeping the rest of its text; --create-release creates a missing release.
In GitHub Actions the notes also go to $GITHUB_STEP_SUMMARY.`,
		Example: `  sonic-release notes --version v1.2.0 --repo sonicsaas/app
  sonic-release notes --version v1.2.0 --image ghcr.io/sonicsaas/app --digest sha256:… \
    --image-tag v1.2.0 --image-tag v1.2 --image-tag latest --publish
  sonic-release notes --version v1.3.0-rc.1 --migrations report.json -o json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := outputFormat(opts.output, "markdown", "json"); err != nil {
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
	f.StringVar(&opts.migrations, "migrations", "", "the migration report of the range, a JSON file holding a migrations.Report")
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
	cfg, err := loadReleaseConfig(opts.config, opts.repoDir)
	if err != nil {
		return err
	}
	in.Config = cfg
	if opts.migrations != "" {
		data, err := os.ReadFile(opts.migrations)
		if err != nil {
			return flagErrorf("--migrations: %v", err)
		}
		var r migrations.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return flagErrorf("--migrations %q: not a migration report: %v", opts.migrations, err)
		}
		in.Migrations = &r
	}
	if in.Migrations != nil && opts.head == "" {
		if in.Upgrades, err = upgradeTable(ctx, opts.repoDir, in.Version, in.Migrations.Dir, a.log); err != nil {
			return err
		}
	}
	if in.Image, err = imageInput(opts, in.Version, env); err != nil {
		return err
	}
	var tmpl string
	if opts.template != "" {
		data, err := os.ReadFile(opts.template)
		if err != nil {
			return flagErrorf("--template: %v", err)
		}
		tmpl = string(data)
	}

	nopts := []notes.Option{
		notes.WithHTTPClient(&http.Client{Transport: &bearerTransport{token: env.Token}}),
		notes.WithAPIURL(env.APIURL),
		notes.WithServerURL(env.ServerURL),
		notes.WithLogger(a.log),
		notes.WithMaxRateLimitWait(opts.rateLimitWait),
	}
	n, err := notes.Build(ctx, in, nopts...)
	if err != nil {
		return err
	}
	for _, w := range n.Warnings {
		fmt.Fprintln(a.io.Err, "warning: "+w)
		if env.Actions {
			fmt.Fprintln(a.io.Err, actions.Annotation{Level: "warning", Title: "release notes " + n.Version, Message: w})
		}
	}
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
			return err
		}
		draft := ""
		if res.Draft {
			draft = " (draft)"
		}
		fmt.Fprintf(a.io.Err, "release %s%s %s: %s\n", in.Version, draft, res.Action, res.URL)
	}
	switch opts.output {
	case "json":
		js, err := json.MarshalIndent(n, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(a.io.Out, string(js))
	default:
		fmt.Fprint(a.io.Out, md)
	}
	return actions.AppendSummary(env.SummaryPath, md)
}

// loadReleaseConfig reads --config, or .github/release.yml / .yaml in the
// clone when present (GitHub's own lookup).
func loadReleaseConfig(path, repoDir string) (*notes.Config, error) {
	if path != "" {
		return notes.LoadConfig(path)
	}
	for _, name := range []string{".github/release.yml", ".github/release.yaml"} {
		p := filepath.Join(repoDir, name)
		if _, err := os.Stat(p); err == nil {
			return notes.LoadConfig(p)
		}
	}
	return nil, nil
}

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
	} else if img.Signing.Identity == "" && env.Workflow != "" {
		img.Signing.Identity = strings.TrimSuffix(env.ServerURL, "/") + "/" + env.Workflow
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

// bearerTransport authenticates GitHub API requests with a token.
type bearerTransport struct {
	token string
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.token == "" {
		return http.DefaultTransport.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return http.DefaultTransport.RoundTrip(r)
}
