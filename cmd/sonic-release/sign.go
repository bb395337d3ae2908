package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/internal/inputfile"
	"github.com/sonicsaas/sonic-release/sign"
)

// The public-good Sigstore instance.
const (
	defaultFulcioURL = "https://fulcio.sigstore.dev"
	defaultTSAURL    = "https://timestamp.sigstore.dev/api/v1/timestamp"
	defaultRekorURL  = "https://rekor.sigstore.dev"
)

// trustFlags locate the Sigstore trust material; sign and verify share them.
type trustFlags struct {
	trustedRoot string
}

func (f *trustFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.trustedRoot, "trusted-root", "", "Sigstore trusted root JSON (Fulcio CAs, timestamp authorities, CT logs), as written by cosign trusted-root create; default: the public-good root from Sigstore's TUF repository")
}

// load returns the trusted root: the file, or the public-good one.
func (f *trustFlags) load(a *app) (*root.TrustedRoot, error) {
	if f.trustedRoot != "" {
		b, err := inputfile.Read(f.trustedRoot)
		if err != nil {
			return nil, flagErrorf("--trusted-root: %v", err)
		}
		tr, err := root.NewTrustedRootFromJSON(b)
		if err != nil {
			return nil, flagErrorf("--trusted-root %q: %v", f.trustedRoot, err)
		}
		return tr, nil
	}
	a.log.Info("fetching the public-good Sigstore trusted root from TUF")
	tr, err := root.FetchTrustedRoot()
	if err != nil {
		return nil, fmt.Errorf("fetching the public-good Sigstore trusted root (give --trusted-root for a private instance): %w", err)
	}
	return tr, nil
}

// readKey reads a key reference: a file path or env://VAR.
func readKey(a *app, flag, ref string) ([]byte, error) {
	if v, ok := strings.CutPrefix(ref, "env://"); ok {
		k := a.getenv(v)
		if k == "" {
			return nil, flagErrorf("%s %q: the environment variable %s is empty or not set", flag, ref, v)
		}
		return []byte(k), nil
	}
	if strings.Contains(ref, "://") {
		return nil, flagErrorf("%s %q: only a file path or env://VAR is supported (no KMS)", flag, ref)
	}
	b, err := inputfile.Read(ref)
	if err != nil {
		return nil, flagErrorf("%s: %v", flag, err)
	}
	return b, nil
}

// identityToken is --identity-token: the token, or the file holding it
// when a file of that name exists.
func identityToken(v string) (string, error) {
	if _, err := os.Stat(v); err != nil {
		return v, nil
	}
	b, err := inputfile.Read(v)
	if err != nil {
		return "", flagErrorf("--identity-token: %v", err)
	}
	return string(b), nil
}

// registryOptions authenticate with the Docker credentials
// (~/.docker/config.json, written by `docker login`), then GITHUB_TOKEN for
// ghcr.io, as release does.
func registryOptions(ctx context.Context, a *app) []remote.Option {
	return []remote.Option{remote.WithAuthFromKeychain(keychain(a)), remote.WithContext(ctx), remote.WithUserAgent("sonic-release")}
}

// signerFlags are the flags that choose how to sign; sign and release
// share them (release picks keyless or key with its own --sign).
type signerFlags struct {
	trust         trustFlags
	key           string
	fulcioURL     string
	tsaURL        string
	rekorURL      string
	tlogUpload    bool
	identityToken string
	format        string
	rekorVersion  int
	fs            *pflag.FlagSet
}

func (f *signerFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	f.trust.register(fs)
	fs.StringVar(&f.key, "key", "", "cosign private key: a file or env://VAR (password from COSIGN_PASSWORD)")
	fs.StringVar(&f.fulcioURL, "fulcio-url", defaultFulcioURL, "Fulcio URL (keyless)")
	fs.StringVar(&f.tsaURL, "tsa-url", defaultTSAURL, "RFC 3161 timestamp authority URL (keyless; with --key only when set explicitly)")
	fs.StringVar(&f.rekorURL, "rekor-url", defaultRekorURL, "Rekor transparency log URL (API --rekor-version)")
	fs.IntVar(&f.rekorVersion, "rekor-version", 1, "the API of --rekor-url: 1 (Rekor v1) or 2 (Rekor v2, rekor-tiles: bundles only, needs the timestamp authority)")
	fs.BoolVar(&f.tlogUpload, "tlog-upload", true, "record the signature in the Rekor transparency log (--tlog-upload=false: timestamp only)")
	fs.StringVar(&f.identityToken, "identity-token", "", "OIDC identity token, or a file holding it, instead of the GitHub Actions token (keyless)")
	fs.StringVar(&f.format, "signature-format", string(sign.FormatBoth), "where signatures go: legacy (cosign's .sig tag), bundle (Sigstore bundle as an OCI referrer, as cosign v3 writes) or both")
}

// signer builds the Signer for a resolved mode (signerFlags.mode): with
// --key, or keyless (the GitHub Actions token, or --identity-token). ann
// are the signature annotations; extra are more options (the release's
// shared registry access).
func (f *signerFlags) signer(ctx context.Context, a *app, mode sign.Mode, ann map[string]string, extra ...sign.Option) (*sign.Signer, error) {
	env := a.env()
	client := &http.Client{Timeout: time.Minute}
	format, err := sign.ParseFormat(f.format)
	if err != nil || format == sign.FormatAny {
		return nil, flagErrorf("--signature-format %q: want legacy, bundle or both", f.format)
	}
	so := []sign.Option{
		sign.WithSignatureFormat(format),
		sign.WithAnnotations(ann),
		sign.WithRemoteOptions(registryOptions(ctx, a)...),
		sign.WithLogger(a.log),
		sign.WithHTTPClient(client),
	}
	switch mode {
	case sign.ModeKey:
		k, err := readKey(a, "--key", f.key)
		if err != nil {
			return nil, err
		}
		pass := a.getenv("COSIGN_PASSWORD")
		so = append(so, sign.WithKey(k, func() ([]byte, error) { return []byte(pass), nil }))
		if f.fs != nil && f.fs.Changed("tsa-url") {
			so = append(so, sign.WithTimestampAuthority(f.tsaURL))
		}
		if f.trust.trustedRoot != "" { // checks the timestamp and Rekor entry before pushing
			tr, err := f.trust.load(a)
			if err != nil {
				return nil, err
			}
			so = append(so, sign.WithTrustedMaterial(tr))
		}
	case sign.ModeKeyless:
		var ts sign.TokenSource = sign.ActionsToken{RequestURL: env.OIDCURL, RequestToken: env.OIDCToken, Client: client}
		if f.identityToken != "" {
			tok, err := identityToken(f.identityToken)
			if err != nil {
				return nil, err
			}
			ts = sign.StaticToken(tok)
		}
		tr, err := f.trust.load(a)
		if err != nil {
			return nil, err
		}
		so = append(so, sign.WithKeyless(ts, f.fulcioURL), sign.WithTimestampAuthority(f.tsaURL), sign.WithTrustedMaterial(tr))
	default:
		return nil, flagErrorf("nothing to sign with: give --key, or --keyless (inside GitHub Actions, give the job the `id-token: write` permission)")
	}
	if f.tlogUpload {
		if f.rekorVersion != 1 && f.rekorVersion != 2 {
			return nil, flagErrorf("--rekor-version %d: want 1 or 2", f.rekorVersion)
		}
		so = append(so, sign.WithRekor(f.rekorURL), sign.WithRekorV2(f.rekorVersion == 2))
	}
	return sign.New(append(so, extra...)...)
}

type signOptions struct {
	signer      signerFlags
	keyless     bool
	annotations map[string]string
	version     string
	commit      string
	repository  string
	workflowRef string
	output      string
}

func newCmdSign(a *app) *cobra.Command {
	opts := &signOptions{}
	cmd := &cobra.Command{
		Use:   "sign IMAGE@DIGEST",
		Short: "Sign an image by digest with cosign (keyless or with a key)",
		Long: `Sign an image, by digest, in cosign's signature layout (the sha256-<hex>.sig tag),
which ` + "`cosign verify`" + ` v2 and v3 and Kyverno read, and as the Sigstore bundle, an OCI
referrer of the image, as cosign v3 writes it (the sha256-<hex> fallback tag on
registries without the referrers API, such as GHCR): --signature-format both, the
default; legacy or bundle writes only one. For a multi-platform index the index and each
platform image are signed; attestation manifests are skipped. A signature that is
already there (same payload, same signer) is not added again.

Keyless (--keyless; the default without --key when --identity-token is given,
or inside GitHub Actions when the job has the ` + "`id-token: write`" + ` permission): the runner's OIDC token (audience sigstore) is
exchanged at Fulcio for a 10-minute certificate, and an RFC 3161 timestamp from the
timestamp authority keeps the signature valid after the certificate expires.
The signature is also recorded in the Rekor transparency log (--rekor-url), as
cosign v2 does, unless --tlog-upload=false; then verify with
` + "`cosign verify --insecure-ignore-tlog --use-signed-timestamps`" + `.

With a key (--key): a cosign private key file or env://VAR holding it; the
password comes from COSIGN_PASSWORD.

The signature carries the annotations version, commit, repository and
workflow-ref (from the flags or GITHUB_SHA, GITHUB_REPOSITORY, GITHUB_WORKFLOW_REF).
Registry credentials come from the Docker config (docker login).`,
		Example: `  sonic-release sign ghcr.io/acme/app@sha256:… --keyless --version 1.2.3
  COSIGN_PASSWORD=… sonic-release sign ghcr.io/acme/app@sha256:… --key cosign.key
  sonic-release sign ghcr.io/acme/app@sha256:… --key env://COSIGN_PRIVATE_KEY`,
		Args: oneArg("IMAGE@DIGEST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(opts.output, "text", "json"); err != nil {
				return err
			}
			if err := exclusive(cmd, "key", "keyless"); err != nil {
				return err
			}
			return runSign(cmd.Context(), a, opts, args[0])
		},
	}
	fs := cmd.Flags()
	opts.signer.register(fs)
	fs.BoolVar(&opts.keyless, "keyless", false, "sign keyless with a Fulcio certificate (default without --key when --identity-token is given or inside GitHub Actions with id-token: write)")
	fs.StringToStringVarP(&opts.annotations, "annotation", "a", nil, "extra annotation key=value (repeatable)")
	fs.StringVar(&opts.version, "version", "", "the release version, annotation version")
	fs.StringVar(&opts.commit, "commit", "", "the git commit, annotation commit (default $GITHUB_SHA)")
	fs.StringVar(&opts.repository, "repository", "", "the GitHub repository owner/name, annotation repository (default $GITHUB_REPOSITORY)")
	fs.StringVar(&opts.workflowRef, "workflow-ref", "", "the workflow ref, annotation workflow-ref (default $GITHUB_WORKFLOW_REF)")
	fs.StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func runSign(ctx context.Context, a *app, opts *signOptions, image string) error {
	d, err := name.NewDigest(image)
	if err != nil {
		return flagErrorf("%q: expected IMAGE@sha256:DIGEST (images are signed by digest, never by tag): %v", image, err)
	}
	env := a.env()
	ann := signatureAnnotations(env, opts.version, opts.commit, opts.repository, opts.workflowRef)
	for k, v := range opts.annotations {
		ann[k] = v
	}
	requested := sign.ModeAuto
	if opts.keyless {
		requested = sign.ModeKeyless
	}
	mode, err := opts.signer.mode(string(requested), env)
	if err != nil {
		return err
	}
	signer, err := opts.signer.signer(ctx, a, mode, ann)
	if err != nil {
		return err
	}
	if err := signer.Sign(ctx, d); err != nil {
		return err
	}
	out := struct {
		Digest      string            `json:"digest"`
		Subject     string            `json:"subject,omitempty"`
		Issuer      string            `json:"issuer,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}{Digest: d.String(), Annotations: ann}
	if id, ok := signer.Identity(); ok {
		out.Subject, out.Issuer = id.Subject, id.Issuer
	}
	if opts.output == "json" {
		js, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(a.io.Out, string(js))
		return nil
	}
	fmt.Fprintf(a.io.Out, "signed %s\n", d)
	if out.Subject != "" {
		fmt.Fprintf(a.io.Out, "identity %s (issuer %s)\n", out.Subject, out.Issuer)
	}
	return nil
}

// signatureAnnotations are the annotations every signature carries; empty
// flags fall back to the GitHub Actions environment, empty values are left out.
func signatureAnnotations(env actions.Env, version, commit, repository, workflowRef string) map[string]string {
	ann := map[string]string{}
	for k, v := range map[string]string{
		sign.AnnotationVersion:     version,
		sign.AnnotationCommit:      cmp.Or(commit, env.SHA),
		sign.AnnotationRepository:  cmp.Or(repository, env.Repository),
		sign.AnnotationWorkflowRef: cmp.Or(workflowRef, env.Workflow),
	} {
		if v != "" {
			ann[k] = v
		}
	}
	return ann
}

// oneArg accepts exactly one positional argument, else a usage error.
func oneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return flagErrorf("%s takes one %s argument, got %d", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}

// exclusive is a usage error (exit 2) when more than one of the flags is set.
func exclusive(cmd *cobra.Command, flags ...string) error {
	var set []string
	for _, f := range flags {
		if cmd.Flags().Changed(f) {
			set = append(set, "--"+f)
		}
	}
	if len(set) > 1 {
		return flagErrorf("%s cannot be used together", strings.Join(set, " and "))
	}
	return nil
}
