package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/sign"
)

// signerFlags say how to sign; sign and release share them.
type signerFlags struct {
	trust         trustFlags
	key           string
	fulcioURL     string
	tsaURL        string
	rekorURL      string
	tlogUpload    bool
	identityToken string
	tsaSet        bool // --tsa-url given explicitly
}

func (f *signerFlags) register(fs *pflag.FlagSet) {
	f.trust.register(fs)
	fs.StringVar(&f.key, "key", "", "cosign private key: a file or env://VAR (password from COSIGN_PASSWORD)")
	fs.StringVar(&f.fulcioURL, "fulcio-url", defaultFulcioURL, "Fulcio URL (keyless)")
	fs.StringVar(&f.tsaURL, "tsa-url", defaultTSAURL, "RFC 3161 timestamp authority URL (keyless; with --key only when set explicitly)")
	fs.StringVar(&f.rekorURL, "rekor-url", defaultRekorURL, "Rekor v1 transparency log URL")
	fs.BoolVar(&f.tlogUpload, "tlog-upload", true, "record the signature in the Rekor transparency log (--tlog-upload=false: timestamp only)")
	fs.StringVar(&f.identityToken, "identity-token", "", "OIDC identity token, or a file holding it, instead of the GitHub Actions token (keyless)")
}

// Signing modes.
const (
	signKeyless = "keyless"
	signKey     = "key"
	signNone    = "none"
	signAuto    = "auto"
)

// mode resolves "auto": a key when --key is given, keyless when the runner
// offers an OIDC token (the job has id-token: write), else none.
func (f *signerFlags) mode(requested string, env actions.Env) (string, error) {
	switch requested {
	case signAuto, "":
		switch {
		case f.key != "":
			return signKey, nil
		case env.OIDCURL != "" || f.identityToken != "":
			return signKeyless, nil
		}
		return signNone, nil
	case signKey:
		if f.key == "" {
			return "", flagErrorf("--sign key needs --key (a cosign key file or env://VAR)")
		}
		return signKey, nil
	case signKeyless, signNone:
		return requested, nil
	}
	return "", flagErrorf("--sign %q: expected auto, keyless, key or none", requested)
}

// options turns the flags into sign options for mode (key or keyless).
func (f *signerFlags) options(a *app, env actions.Env, mode string) ([]sign.Option, error) {
	var so []sign.Option
	switch mode {
	case signKey:
		k, err := readKey(a, "--key", f.key)
		if err != nil {
			return nil, err
		}
		pass := a.getenv("COSIGN_PASSWORD")
		so = append(so, sign.WithKey(k, func() ([]byte, error) { return []byte(pass), nil }))
		if f.tsaSet {
			so = append(so, sign.WithTimestampAuthority(f.tsaURL))
			if f.trust.trustedRoot != "" {
				tr, err := f.trust.load(a)
				if err != nil {
					return nil, err
				}
				so = append(so, sign.WithTrustedMaterial(tr))
			}
		}
	case signKeyless:
		var ts sign.TokenSource = sign.ActionsToken{RequestURL: env.OIDCURL, RequestToken: env.OIDCToken}
		if f.identityToken != "" {
			tok := f.identityToken
			if b, err := os.ReadFile(tok); err == nil {
				tok = string(b)
			}
			ts = sign.StaticToken(tok)
		}
		tr, err := f.trust.load(a)
		if err != nil {
			return nil, err
		}
		so = append(so, sign.WithKeyless(ts, f.fulcioURL), sign.WithTimestampAuthority(f.tsaURL), sign.WithTrustedMaterial(tr))
	default:
		return nil, fmt.Errorf("signing mode %q has no signer", mode)
	}
	if f.tlogUpload {
		so = append(so, sign.WithRekor(f.rekorURL))
	}
	return so, nil
}
