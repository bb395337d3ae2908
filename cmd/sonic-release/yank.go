package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
	"github.com/sonicsaas/sonic-release/tagging"
	"github.com/sonicsaas/sonic-release/yank"
)

type yankOptions struct {
	verifierFlags
	yank          bool
	images        []string
	reason        string
	dryRun        bool
	output        string
	jobs          int
	majorZero     bool
	allowUnsigned bool
	repository    string
}

func newCmdYank(a *app) *cobra.Command {
	return yankCommand(a, true)
}

func newCmdUnyank(a *app) *cobra.Command {
	return yankCommand(a, false)
}

func yankCommand(a *app, doYank bool) *cobra.Command {
	opts := &yankOptions{yank: doYank}
	cmd := &cobra.Command{
		Use:   "yank VERSION",
		Short: "Withdraw a bad release: floating tags move off it, its exact tag stays",
		Long: `Yank a published version: nobody new lands on it, anyone pinned to it can still
pull it. Its exact tag (vX.Y.Z) is never deleted or moved. In every --image
repository a marker tag yanked.vX.Y.Z is added (a small OCI artifact whose
annotations hold the reason, the date and the digest): every later release,
backport or re-run reads it in the tag listing it already makes, and never
moves a floating tag back onto the version. Every floating tag that points at
it (vX.Y, vX, latest) moves back to the highest remaining version of its line;
a line with nothing left keeps it, and the plan says so.

Before anything is written, every digest a floating tag moves to must verify
as signed by the release signer (--key, or --certificate-identity[-regexp]
with --certificate-oidc-issuer[-regexp], as for verify), or the command
refuses (exit 3); --allow-unsigned skips the check for unsigned releases.

With GITHUB_REPOSITORY (or --repository) and GITHUB_TOKEN, the version's
GitHub release gets a "> [!WARNING] Yanked: REASON Use vX.Y.W instead." at the
top of its notes, and stops being the latest release if it was.

A re-run writes nothing; "sonic-release unyank VERSION" restores the version.`,
		Example: `  sonic-release yank v1.3.0 --reason "corrupts sessions, see #412" --image ghcr.io/acme/app --image docker.io/acme/app --key cosign.pub --dry-run
  sonic-release yank v1.3.0 --reason "corrupts sessions" --image ghcr.io/acme/app \
    --certificate-identity-regexp '^https://github.com/acme/app/' --certificate-oidc-issuer https://token.actions.githubusercontent.com`,
		Args: oneArg("VERSION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			if err := opts.exclusive(cmd); err != nil {
				return err
			}
			if len(opts.images) == 0 {
				return flagErrorf("--image is required: a repository such as ghcr.io/owner/app")
			}
			if opts.yank && strings.TrimSpace(opts.reason) == "" {
				return flagErrorf("--reason is required: say why the version is yanked (operators read it)")
			}
			if opts.jobs < 1 {
				return flagErrorf("--jobs %d: expected 1 or more", opts.jobs)
			}
			if !opts.given() && !opts.allowUnsigned {
				return flagErrorf("give the release signer, --key or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp], so the digests floating tags move to are verified; or --allow-unsigned")
			}
			return runYank(cmd.Context(), a, opts, args[0])
		},
	}
	if !doYank {
		cmd.Use = "unyank VERSION"
		cmd.Short = "Restore a yanked release: the floating tags it is the highest of move back onto it"
		cmd.Long = `Undo "sonic-release yank": an unyanked.vX.Y.Z marker is added next to the
yanked.vX.Y.Z one (markers are never deleted: GHCR refuses deleting a tag), the
floating tags the version is the highest of move back onto it (after the same
signature check as yank), and its GitHub release loses the yank notice and is
made the latest again if it is the highest version.`
		cmd.Example = `  sonic-release unyank v1.3.0 --image ghcr.io/acme/app --key cosign.pub`
	}
	fs := cmd.Flags()
	opts.verifierFlags.register(fs)
	fs.StringArrayVar(&opts.images, "image", nil, "a repository the version is published in, e.g. ghcr.io/owner/app (repeatable)")
	fs.StringVar(&opts.reason, "reason", "", "why (required by yank): recorded on the marker, and shown in the GitHub release's warning")
	fs.BoolVar(&opts.dryRun, "dry-run", false, "read, decide and verify; write nothing to a registry or GitHub")
	fs.StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	fs.IntVar(&opts.jobs, "jobs", 4, "registry requests run at once")
	fs.BoolVar(&opts.majorZero, "major-zero", false, "the v0 tag is made for 0.y.z releases (as release's --major-zero)")
	fs.BoolVar(&opts.allowUnsigned, "allow-unsigned", false, "do not verify the signatures of the digests floating tags move to")
	fs.StringVar(&opts.repository, "repository", "", "the GitHub repository whose release is marked, owner/name (default $GITHUB_REPOSITORY)")
	return cmd
}

// yankJSON is the document of -o json and of the json output.
type yankJSON struct {
	DryRun bool              `json:"dry_run"`
	Plan   yank.Plan         `json:"plan"`
	Result *yank.Result      `json:"result,omitempty"`
	GitHub *notes.YankResult `json:"github,omitempty"`
}

// signVerifier verifies with sign.Verify.
type signVerifier struct{ opts []sign.Option }

func (v signVerifier) Verify(ctx context.Context, d name.Digest) error {
	_, err := sign.Verify(ctx, d.String(), v.opts...)
	return err
}

func runYank(ctx context.Context, a *app, opts *yankOptions, version string) error {
	env := a.env()
	v, err := tagging.ParseVersion(version)
	if err != nil {
		return err
	}
	repos, _, err := parseImages(opts.images)
	if err != nil {
		return err
	}
	cfg := yank.Config{
		Request: yank.Request{Version: v, Yank: opts.yank, Reason: strings.TrimSpace(opts.reason),
			Policy: tagging.Policy{MajorZero: opts.majorZero}, Now: time.Now()},
		Repos:    repos,
		Registry: []release.Option{release.WithKeychain(keychain(a)), release.WithJobs(opts.jobs), release.WithLogger(a.log)},
		DryRun:   opts.dryRun,
	}
	if opts.given() {
		vo, err := opts.options(ctx, a)
		if err != nil {
			return err
		}
		cfg.Verifier = signVerifier{vo}
	}
	res, err := yank.Run(ctx, cfg)
	if err != nil {
		return credentialsHint(err)
	}
	doc := yankJSON{DryRun: opts.dryRun, Plan: res.Plan, Result: &res}
	if repo := cmp.Or(opts.repository, env.Repository); repo != "" {
		gh, err := notes.Yank(ctx, notes.YankInput{
			Repository: repo, Version: v.String(), Yank: opts.yank,
			Reason: res.Plan.Reason, Replacement: res.Plan.Replacement, Latest: res.Plan.Latest, DryRun: opts.dryRun,
		}, notes.WithAuthToken(env.Token), notes.WithAPIURL(env.APIURL), notes.WithServerURL(env.ServerURL), notes.WithLogger(a.log))
		if err != nil {
			return fmt.Errorf("the registries are done; marking the GitHub release (re-run to complete): %w", err)
		}
		doc.GitHub = &gh
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := actions.WriteOutputs(env.OutputPath, map[string]string{
		"version":     v.String(),
		"replacement": res.Plan.Replacement,
		"json":        string(js),
	}); err != nil {
		return err
	}
	if err := actions.AppendSummary(env.SummaryPath, yankSummary(doc)); err != nil {
		return err
	}
	writeYankStatus(a.io.Err, doc)
	if opts.output == "json" {
		fmt.Fprintln(a.io.Out, string(js))
	} else {
		printYankPlan(a.io.Out, res.Plan, a.io.OutIsTTY)
	}
	return nil
}

// writeYankStatus says on stderr what was (or would be) done.
func writeYankStatus(w io.Writer, doc yankJSON) {
	p := doc.Plan
	what := "yank"
	if !p.Yank {
		what = "unyank"
	}
	n := p.Changes()
	switch {
	case doc.DryRun:
		fmt.Fprintf(w, "dry-run: %s %s: %d tag(s) would be written; nothing was sent\n", what, p.Version, n)
	case n == 0:
		fmt.Fprintf(w, "%s %s: already done, nothing written\n", what, p.Version)
	default:
		fmt.Fprintf(w, "%s %s: %d tag(s) written\n", what, p.Version, len(doc.Result.Written))
	}
	for _, rp := range p.Repos {
		for _, t := range rp.Tags {
			if t.Op == yank.OpKeep {
				fmt.Fprintf(w, "%s:%s %s\n", rp.Repository, t.Tag, actions.OneLine(t.Reason))
			}
		}
	}
	if p.Replacement != "" {
		fmt.Fprintf(w, "use %s instead\n", p.Replacement)
	}
	if gh := doc.GitHub; gh != nil {
		fmt.Fprintf(w, "GitHub release %s", gh.Action)
		if gh.URL != "" {
			fmt.Fprintf(w, ": %s", gh.URL)
		}
		fmt.Fprintln(w)
		if gh.MadeLatest != "" {
			fmt.Fprintf(w, "latest GitHub release: %s\n", gh.MadeLatest)
		}
		if gh.Note != "" {
			fmt.Fprintln(w, actions.OneLine(gh.Note))
		}
	}
}

// yankRows are the plan's rows: each marker, then each floating tag.
func yankRows(p yank.Plan, short func(string) string) [][]string {
	var rows [][]string
	for _, rp := range p.Repos {
		if rp.Marker != "" {
			rows = append(rows, []string{rp.Repository, rp.Marker, "mark", "-", dash(short(rp.Digest)), "records " + p.Version + " as " + map[bool]string{true: "yanked", false: "unyanked"}[p.Yank]})
		}
		for _, t := range rp.Tags {
			rows = append(rows, []string{rp.Repository, t.Tag, string(t.Op), dash(short(t.From)), dash(short(t.To)), actions.OneLine(t.Reason)})
		}
	}
	return rows
}

func printYankPlan(w io.Writer, p yank.Plan, tty bool) {
	short := func(d string) string { return d }
	out := w
	var tw *tabwriter.Writer
	if tty {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		out, short = tw, shortDigest
		fmt.Fprintln(out, "REPOSITORY\tTAG\tOP\tFROM\tTO\tWHY")
	}
	for _, r := range yankRows(p, short) {
		fmt.Fprintln(out, strings.Join(r, "\t"))
	}
	if tw != nil {
		tw.Flush()
	}
}

func yankSummary(doc yankJSON) string {
	var b strings.Builder
	title := "Yank "
	if !doc.Plan.Yank {
		title = "Unyank "
	}
	title += doc.Plan.Version
	if doc.DryRun {
		title += " (dry-run)"
	}
	fmt.Fprintf(&b, "### %s\n\n", title)
	if doc.Plan.Reason != "" {
		fmt.Fprintf(&b, "Reason: %s\n\n", actions.OneLine(strings.Join(strings.Fields(doc.Plan.Reason), " ")))
	}
	b.WriteString("| repository | tag | op | from | to | why |\n|---|---|---|---|---|---|\n")
	for _, r := range yankRows(doc.Plan, shortDigest) {
		for i := range r {
			r[i] = strings.ReplaceAll(r[i], "|", `\|`)
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s | %s |\n", r[0], r[1], r[2], r[3], r[4], r[5])
	}
	return b.String()
}
