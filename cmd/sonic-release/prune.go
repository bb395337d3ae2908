package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/prune"
)

type pruneOptions struct {
	policy        prune.Policy
	ownerType     string
	apply         bool
	output        string
	rateLimitWait time.Duration
}

func newCmdPrune(a *app) *cobra.Command {
	opts := &pruneOptions{}
	cmd := &cobra.Command{
		Use:   "prune IMAGE",
		Short: "Delete old branch builds (master-<sha>) from a GHCR package without breaking a kept image",
		Long: `Apply a retention policy to a container package on GHCR: keep the newest --keep
branch builds (tags <branch>-<sha>) and those younger than --keep-younger-than;
keep everything else that is tagged (versions, vX.Y, vX, latest, master, any
other tag) with everything it needs: the platform manifests of an index, and the
cosign signatures, attestations and OCI referrers of each of those digests. A
pruned build goes with its own platform manifests and signatures. Versions no
tag reaches at all are deleted when older than every kept build (what a run
stopped half-way leaves), unless --keep-untagged.

Without --apply it only prints the plan: what would be deleted, and why (in
GitHub Actions too: deleting always needs --apply). With --apply it deletes
through GitHub's Packages API (the registry API of GHCR refuses DELETE), an
index before its children and an image before its signatures, and reports what
it freed; a run stopped half-way leaves no image broken, and running it again
completes it.

The token (GITHUB_TOKEN) must be a classic personal access token with
delete:packages, or a workflow's GITHUB_TOKEN when the repository has the Admin
role on the package. GITHUB_API_URL points at GitHub Enterprise Server.

Exit codes: 0 done, 1 failure, 2 bad input, 3 the package changed under the run.`,
		Example: `  sonic-release prune ghcr.io/acme/app --keep 20
  sonic-release prune ghcr.io/acme/app --keep 10 --keep-younger-than 720h --apply
  sonic-release prune ghcr.io/acme/app -o json`,
		Args: oneArg("IMAGE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			switch opts.ownerType {
			case "auto", "org", "user":
			default:
				return flagErrorf("--owner-type %q: expected auto, org or user", opts.ownerType)
			}
			if err := opts.policy.Validate(); err != nil {
				return &flagError{fmt.Errorf("%w (--keep, --keep-younger-than, --branch)", err)}
			}
			return runPrune(cmd.Context(), a, opts, args[0])
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&opts.policy.Keep, "keep", 10, "how many branch builds (<branch>-<sha>) to keep, newest first")
	fs.DurationVar(&opts.policy.KeepYoungerThan, "keep-younger-than", 0, "also keep every branch build younger than this, e.g. 720h (0: off)")
	fs.StringVar(&opts.policy.Branch, "branch", "master", "the branch whose builds are pruned, as in its tags (main for main-<sha>)")
	fs.BoolVar(&opts.policy.KeepUntagged, "keep-untagged", false, "keep the versions no tag reaches, however old")
	fs.StringVar(&opts.ownerType, "owner-type", "auto", "the package's owner: org, user, or auto (the organization API first)")
	fs.BoolVar(&opts.apply, "apply", false, "delete (without it: print what would be deleted)")
	fs.StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	fs.DurationVar(&opts.rateLimitWait, "rate-limit-wait", 5*time.Minute, "the longest wait for a GitHub rate limit to reset")
	return cmd
}

// packageOf splits ghcr.io/OWNER/NAME[/MORE] into the owner and the package
// name ("NAME/MORE").
func packageOf(image string) (name.Repository, string, string, error) {
	repo, err := name.NewRepository(image)
	if err != nil {
		return name.Repository{}, "", "", flagErrorf("IMAGE %q: expected REGISTRY/OWNER/NAME, such as ghcr.io/acme/app: %v", image, err)
	}
	owner, pkg, ok := strings.Cut(repo.RepositoryStr(), "/")
	if !ok || pkg == "" {
		return name.Repository{}, "", "", flagErrorf("IMAGE %q: expected REGISTRY/OWNER/NAME, such as ghcr.io/acme/app", image)
	}
	return repo, owner, pkg, nil
}

type pruneJSON struct {
	Image   string        `json:"image"`
	Applied bool          `json:"applied"`
	Plan    *prune.Plan   `json:"plan"`
	Result  *prune.Result `json:"result,omitempty"`
}

func runPrune(ctx context.Context, a *app, opts *pruneOptions, image string) error {
	repo, owner, pkg, err := packageOf(image)
	if err != nil {
		return err
	}
	env := a.env()
	popts := []prune.Option{
		prune.WithAuthToken(env.Token),
		prune.WithAPIURL(env.APIURL),
		prune.WithLogger(a.log),
		prune.WithMaxRateLimitWait(opts.rateLimitWait),
		prune.WithRemoteOptions(registryOptions(ctx, a)...),
	}
	if opts.ownerType != "auto" {
		popts = append(popts, prune.WithOwnerType(prune.OwnerType(opts.ownerType)))
	}
	gh, err := prune.NewGitHub(owner, pkg, popts...)
	if err != nil {
		return err
	}
	plan, err := prune.BuildPlan(ctx, gh, repo, opts.policy, popts...)
	if err != nil {
		return err
	}
	out := pruneJSON{Image: repo.String(), Applied: opts.apply, Plan: plan}
	var applyErr error
	if opts.apply {
		out.Result, applyErr = prune.Apply(ctx, plan, gh, popts...)
	}
	// The outputs first, and nothing on stdout when the command fails
	// (docs/exit-codes.md): what a failed run deleted goes into its error.
	outputs := map[string]string{"prune-planned": strconv.Itoa(plan.DeleteCount), "prune-planned-bytes": strconv.FormatInt(plan.Bytes, 10)}
	if out.Result != nil {
		outputs["prune-deleted"] = strconv.Itoa(len(out.Result.Deleted))
		outputs["prune-freed-bytes"] = strconv.FormatInt(out.Result.Bytes, 10)
	}
	if err := actions.WriteOutputs(env.OutputPath, outputs); err != nil {
		return err
	}
	if applyErr != nil {
		done := 0
		if out.Result != nil {
			done = len(out.Result.Deleted)
		}
		return fmt.Errorf("%w\ndeleted %d of the %d versions planned; the order leaves no image broken: run the same command again to finish", applyErr, done, plan.DeleteCount)
	}
	if opts.output == "json" {
		js, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(a.io.Out, string(js))
		return nil
	}
	printPrunePlan(a.io.Out, repo.String(), plan, opts.apply, a.io.OutIsTTY)
	if out.Result != nil {
		fmt.Fprintf(a.io.Out, "deleted %d versions, freed about %s (%d GitHub API calls)\n", len(out.Result.Deleted), humanBytes(out.Result.Bytes), gh.Calls())
	}
	return nil
}

func printPrunePlan(w io.Writer, image string, plan *prune.Plan, apply bool, tty bool) {
	what := "would delete"
	if apply {
		what = "deleted"
	}
	fmt.Fprintf(w, "prune %s: %d versions, %s %d (about %s), keeping %d\n", image, plan.DeleteCount+plan.KeepCount, what, plan.DeleteCount, humanBytes(plan.Bytes), plan.KeepCount)
	for _, warn := range plan.Warnings {
		fmt.Fprintln(w, "warning: "+actions.OneLine(warn))
	}
	// On a terminal, aligned columns and short digests; piped, stable
	// tab-separated fields with the whole digest.
	digest, tag := func(d string) string { return d }, func(t string) string { return t }
	var tw *tabwriter.Writer
	if tty {
		digest, tag = shortDigest, shortSigTag
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		w = tw
		defer tw.Flush()
		fmt.Fprintln(w, "ACTION\tVERSION\tDIGEST\tTAGS\tSIZE\tWHY")
	}
	for _, it := range plan.Items {
		size := "-"
		if it.Action == prune.Delete && it.Bytes > 0 {
			size = humanBytes(it.Bytes)
		}
		tags := make([]string, len(it.Tags))
		for i, t := range it.Tags {
			tags[i] = tag(t)
		}
		row := []string{string(it.Action), strconv.FormatInt(it.ID, 10), digest(it.Digest), dash(strings.Join(tags, ",")), size, actions.OneLine(it.Reason)}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	if !apply && plan.DeleteCount > 0 {
		fmt.Fprintln(w, "dry run: nothing deleted; pass --apply to delete")
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// shortSigTag shortens a signature-style tag for a terminal:
// sha256-<64 hex>.sig becomes sha256-<12 hex>….sig.
func shortSigTag(t string) string {
	if rest, ok := strings.CutPrefix(t, "sha256-"); ok && len(rest) >= 64 {
		return "sha256-" + rest[:12] + "…" + rest[64:]
	}
	return t
}
