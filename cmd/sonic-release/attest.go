package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sonicsaas/sonic-release/internal/inputfile"
	"github.com/sonicsaas/sonic-release/provenance"
	"github.com/sonicsaas/sonic-release/sign"
)

type attestOptions struct {
	signer    signerFlags
	checksums string
	bundle    string
	github    bool
}

// newCmdAttest signs the SLSA provenance of release files (the archives
// of checksums.txt): what sonic-release's own release workflow runs on its
// binaries.
func newCmdAttest(a *app) *cobra.Command {
	opts := &attestOptions{}
	cmd := &cobra.Command{
		Use:   "attest --checksums checksums.txt",
		Short: "Sign the SLSA build provenance of release files listed in a checksums.txt",
		Long: `Sign the SLSA v1 build provenance of the files a checksums.txt lists
(sha256sum's output) and of the checksums.txt itself, as a sigstore bundle
written next to it (--bundle), and store it in the repository's GitHub
attestations (with the job's attestations: write), so that
gh attestation verify FILE --repo OWNER/REPO accepts each file.

It describes the GitHub Actions run it is in (GITHUB_* variables) and signs
like sign: keyless with the job's id-token: write, or with --key.`,
		Example: `  sonic-release attest --checksums dist/checksums.txt`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.checksums == "" {
				return flagErrorf("--checksums is required: the checksums.txt of the files to attest")
			}
			if !cmd.Flags().Changed("github") {
				opts.github = a.env().Actions
			}
			return runAttest(cmd.Context(), a, opts)
		},
	}
	fs := cmd.Flags()
	opts.signer.register(fs)
	fs.StringVar(&opts.checksums, "checksums", "", "the checksums.txt (sha256sum output) listing the files")
	fs.StringVar(&opts.bundle, "bundle", "", "where to write the sigstore bundle (default: the checksums file + .sigstore.json)")
	fs.BoolVar(&opts.github, "github", false, "store the attestation in GitHub's repository attestations (default: true inside GitHub Actions)")
	return cmd
}

func runAttest(ctx context.Context, a *app, opts *attestOptions) error {
	env := a.env()
	data, err := inputfile.Read(opts.checksums)
	if err != nil {
		return err
	}
	subjects, err := provenance.FileSubjects(data, filepath.Base(opts.checksums))
	if err != nil {
		return fmt.Errorf("--checksums %s: %w", opts.checksums, err)
	}
	b := actionsBuild(a, env)
	if err := b.Check(); err != nil {
		return flagErrorf("attest describes the GitHub Actions run it is in: %v", err)
	}
	mode, err := opts.signer.mode(string(sign.ModeAuto), env)
	if err != nil {
		return err
	}
	if mode == sign.ModeNone {
		return flagErrorf("nothing to sign with: give --key, or the job `id-token: write` (keyless)")
	}
	s, err := opts.signer.signer(ctx, a, mode, nil)
	if err != nil {
		return err
	}
	po := []provenance.Option{provenance.WithLogger(a.log)}
	if opts.github {
		po = append(po, provenance.WithGitHubAttestations(env.APIURL, env.Token, env.Repository))
	}
	res, err := provenance.AttestFiles(ctx, subjects, b, s, po...)
	if err != nil {
		return err
	}
	out := opts.bundle
	if out == "" {
		out = opts.checksums + ".sigstore.json"
	}
	if res.Bundle != nil {
		if err := os.WriteFile(out, res.Bundle, 0o644); err != nil {
			return fmt.Errorf("writing the bundle: %w", err)
		}
		fmt.Fprintf(a.io.Out, "attested %d files (%s): bundle %s\n", len(subjects), mode, out)
	} else {
		fmt.Fprintf(a.io.Out, "the provenance of %d files is already in GitHub's attestations\n", len(subjects))
	}
	if res.AttestationID != 0 {
		fmt.Fprintf(a.io.Out, "stored in GitHub's attestations of %s (id %d)\n", env.Repository, res.AttestationID)
	}
	return nil
}
