package main

import (
	"errors"

	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/sign"
)

// mode resolves a requested mode (--sign of release; auto or keyless for
// sign) by sign.ResolveMode, the one rule both commands follow: a key
// when --key is given, keyless with --identity-token or when the runner
// offers an OIDC token (the job has id-token: write), else none.
func (f *signerFlags) mode(requested string, env actions.Env) (sign.Mode, error) {
	m, err := sign.ParseMode(requested)
	if err != nil {
		return "", flagErrorf("--sign %q: expected auto, keyless, key or none", requested)
	}
	mode, err := sign.ResolveMode(m, sign.Means{Key: f.key != "", ActionsOIDC: env.OIDCURL != "", IdentityToken: f.identityToken != ""})
	var me *sign.ModeError
	if errors.As(err, &me) {
		switch me.Problem {
		case sign.ModeNeedsKey:
			return "", flagErrorf("--sign key needs --key (a cosign key file or env://VAR)")
		case sign.ModeKeyWithKeyless:
			return "", flagErrorf("--key and keyless signing cannot be used together")
		}
	}
	return mode, err
}
