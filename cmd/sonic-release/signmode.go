package main

import "github.com/sonicsaas/sonic-release/internal/actions"

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
