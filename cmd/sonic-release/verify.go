package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sonicsaas/sonic-release/sign"
)

type verifyOptions struct {
	verifierFlags
	annotations map[string]string
	output      string
}

// verifierFlags say whose signature verifies (verify, and yank for the
// digests floating tags move to).
type verifierFlags struct {
	trust          trustFlags
	key            string
	identity       string
	identityRegexp string
	issuer         string
	issuerRegexp   string
	workflow       sign.GitHubWorkflow
	ignoreSCT      bool
	ignoreTlog     bool
	format         string
}

func newCmdVerify(a *app) *cobra.Command {
	opts := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify IMAGE[:TAG|@DIGEST]",
		Short: "Verify the cosign signatures of an image and of each of its platform images",
		Long: `Verify that an image carries a valid cosign signature, and for a multi-platform
index that the index and every platform image do (cosign verify checks one manifest).

With --key, the signature must verify with that cosign public key. Keyless, the
certificate must chain to a Fulcio CA of the trusted root, name the expected
identity (--certificate-identity[-regexp]) and OIDC issuer
(--certificate-oidc-issuer[-regexp]), carry the GitHub workflow claims given, and
the signature must carry a timestamp from a trusted timestamp authority or a
Rekor entry that falls inside the certificate's 10-minute validity.

A signature is looked for in both formats, cosign's .sig tag and the Sigstore
bundle referrer (--signature-format any); the output says which it found.
--signature-format both requires both, legacy or bundle only that one.

Every signature needs a Rekor transparency-log entry, checked offline against
the trusted root's log keys, unless --insecure-ignore-tlog.

Prints the verified digest and signer of each manifest. Exits 3 when verification
fails, saying why.`,
		Example: `  sonic-release verify ghcr.io/acme/app:1.2.3 \
    --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3 \
    --certificate-oidc-issuer https://token.actions.githubusercontent.com
  sonic-release verify ghcr.io/acme/app:1.2.3 --key cosign.pub -a version=1.2.3 -o json`,
		Args: oneArg("IMAGE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			if err := opts.exclusive(cmd); err != nil {
				return err
			}
			return runVerify(cmd.Context(), a, opts, args[0])
		},
	}
	fs := cmd.Flags()
	opts.verifierFlags.register(fs)
	fs.StringToStringVarP(&opts.annotations, "annotation", "a", nil, "required signature annotation key=value (repeatable)")
	fs.StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// exclusive rejects a key given with a keyless identity or issuer.
func (opts *verifierFlags) exclusive(cmd *cobra.Command) error {
	for _, group := range [][]string{
		{"key", "certificate-identity", "certificate-identity-regexp"},
		{"key", "certificate-oidc-issuer", "certificate-oidc-issuer-regexp"},
	} {
		if err := exclusive(cmd, group...); err != nil {
			return err
		}
	}
	return nil
}

func (opts *verifierFlags) register(fs *pflag.FlagSet) {
	opts.trust.register(fs)
	fs.StringVar(&opts.key, "key", "", "cosign public key: a file or env://VAR")
	fs.StringVar(&opts.identity, "certificate-identity", "", "the keyless signer, e.g. https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/tags/v1.2.3")
	fs.StringVar(&opts.identityRegexp, "certificate-identity-regexp", "", "the keyless signer, as a regular expression")
	fs.StringVar(&opts.issuer, "certificate-oidc-issuer", "", "the OIDC issuer, e.g. https://token.actions.githubusercontent.com")
	fs.StringVar(&opts.issuerRegexp, "certificate-oidc-issuer-regexp", "", "the OIDC issuer, as a regular expression")
	fs.StringVar(&opts.workflow.Repository, "certificate-github-workflow-repository", "", "required GitHub repository claim, owner/name")
	fs.StringVar(&opts.workflow.Ref, "certificate-github-workflow-ref", "", "required GitHub ref claim, e.g. refs/tags/v1.2.3")
	fs.StringVar(&opts.workflow.Trigger, "certificate-github-workflow-trigger", "", "required GitHub event claim, e.g. push or release")
	fs.StringVar(&opts.workflow.SHA, "certificate-github-workflow-sha", "", "required GitHub commit claim")
	fs.StringVar(&opts.workflow.Name, "certificate-github-workflow-name", "", "required GitHub workflow name claim")
	fs.BoolVar(&opts.ignoreTlog, "insecure-ignore-tlog", false, "do not require a Rekor transparency-log entry (signatures made with --tlog-upload=false; keyless ones then need a timestamp)")
	fs.BoolVar(&opts.ignoreSCT, "insecure-ignore-sct", false, "do not check the certificate transparency timestamp (private Fulcio without a CT log)")
	fs.StringVar(&opts.format, "signature-format", string(sign.FormatAny), "signatures to look for: any (the .sig tag or a Sigstore bundle referrer), legacy, bundle, or both (each must verify)")
}

func runVerify(ctx context.Context, a *app, opts *verifyOptions, image string) error {
	vo, err := opts.options(ctx, a)
	if err != nil {
		return err
	}
	vo = append(vo, sign.WithAnnotations(opts.annotations))
	res, err := sign.Verify(ctx, image, vo...)
	if err != nil {
		return err
	}
	return writeVerify(a, opts, image, res)
}

// given reports whether a signer to verify was named.
func (opts *verifierFlags) given() bool {
	return opts.key != "" || opts.identity != "" || opts.identityRegexp != ""
}

// options are the sign options that verify the signer the flags name.
func (opts *verifierFlags) options(ctx context.Context, a *app) ([]sign.Option, error) {
	format, err := sign.ParseFormat(opts.format)
	if err != nil {
		return nil, flagErrorf("--signature-format %q: want any, legacy, bundle or both", opts.format)
	}
	vo := []sign.Option{
		sign.WithSignatureFormat(format),
		sign.WithRemoteOptions(registryOptions(ctx, a)...),
		sign.WithLogger(a.log),
		sign.WithIgnoreSCT(opts.ignoreSCT),
		sign.WithRequireTransparencyLog(!opts.ignoreTlog),
	}
	keyless := opts.identity != "" || opts.identityRegexp != ""
	switch {
	case opts.key != "":
		k, err := readKey(a, "--key", opts.key)
		if err != nil {
			return nil, err
		}
		vo = append(vo, sign.WithPublicKey(k))
		if opts.trust.trustedRoot != "" || !opts.ignoreTlog { // to check timestamps and Rekor entries
			tr, err := opts.trust.load(a)
			if err != nil {
				return nil, err
			}
			vo = append(vo, sign.WithTrustedMaterial(tr))
		}
	case keyless:
		if opts.issuer == "" && opts.issuerRegexp == "" {
			return nil, flagErrorf("--certificate-identity needs --certificate-oidc-issuer (GitHub Actions: https://token.actions.githubusercontent.com)")
		}
		tr, err := opts.trust.load(a)
		if err != nil {
			return nil, err
		}
		vo = append(vo, sign.WithTrustedMaterial(tr), sign.WithGitHubWorkflow(opts.workflow), sign.WithIdentity(sign.Identity{
			Subject: opts.identity, SubjectRegexp: opts.identityRegexp,
			Issuer: opts.issuer, IssuerRegexp: opts.issuerRegexp,
		}))
	default:
		return nil, flagErrorf("give --key, or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp]")
	}
	return vo, nil
}

// writeVerify prints what verified.
func writeVerify(a *app, opts *verifyOptions, image string, res sign.Result) error {
	if opts.output == "json" {
		js, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(a.io.Out, string(js))
		return nil
	}
	ref := image
	if i := strings.LastIndex(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	fmt.Fprintf(a.io.Out, "verified %s@%s\n", strings.TrimSuffix(ref, tagSuffix(ref)), res.Digest)
	for _, m := range res.Manifests {
		what := "image"
		if m.Platform != "" {
			what = m.Platform
		} else if len(res.Manifests) > 1 {
			what = "index"
		}
		for _, s := range m.Signatures {
			signer := "key " + opts.key
			if !s.Key {
				signer = s.Subject + " (issuer " + s.Issuer + ")"
			}
			at := ""
			if s.SignedAt != nil {
				at = ", timestamp " + s.SignedAt.Format("2006-01-02T15:04:05Z")
			}
			fmt.Fprintf(a.io.Out, "  %s %s: signed by %s%s (%s)\n", m.Digest, what, signer, at, formatName(s.Format))
		}
	}
	return nil
}

// tagSuffix returns the ":tag" of an image reference, if any.
func tagSuffix(ref string) string {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ""
	}
	return ref[i:]
}

// formatName says where a verified signature was found.
func formatName(f string) string {
	if f == string(sign.FormatBundle) {
		return "Sigstore bundle"
	}
	return "cosign .sig"
}
