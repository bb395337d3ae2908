package sign

import (
	"fmt"
	"strings"
)

// Mode is how a release is signed.
type Mode string

// The signing modes.
const (
	// ModeAuto signs with a key when one is given, keyless when an OIDC
	// identity token is at hand (given, or the GitHub Actions runner's,
	// which needs the job's `id-token: write` permission), else not at all.
	ModeAuto    Mode = "auto"
	ModeKeyless Mode = "keyless" // a Fulcio certificate for an OIDC identity
	ModeKey     Mode = "key"     // a cosign private key
	ModeNone    Mode = "none"    // no signature
)

// Modes are the modes ParseMode accepts, ModeAuto first.
var Modes = []Mode{ModeAuto, ModeKeyless, ModeKey, ModeNone}

// ParseMode reads a mode name; "" is ModeAuto. An unknown name is a
// *ModeError.
func ParseMode(s string) (Mode, error) {
	if s == "" {
		return ModeAuto, nil
	}
	for _, m := range Modes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", &ModeError{Mode: Mode(s), Problem: ModeUnknown}
}

// Means is what a job has to sign with.
type Means struct {
	Key           bool // a cosign private key is given
	ActionsOIDC   bool // the GitHub Actions runner offers an ID token (ACTIONS_ID_TOKEN_REQUEST_URL is set)
	IdentityToken bool // an OIDC identity token is given
}

// ResolveMode is the one rule for choosing how to sign: ModeAuto becomes
// ModeKey with a key, else ModeKeyless with an identity token or the
// runner's OIDC token, else ModeNone. An explicit mode is returned as it
// is, unless it cannot be used: ModeKey without a key, or ModeKeyless
// with a key, is a *ModeError. (ModeKeyless without any token is left to
// the signer, whose token source says what is missing.)
func ResolveMode(requested Mode, m Means) (Mode, error) {
	switch requested {
	case ModeAuto, "":
		switch {
		case m.Key:
			return ModeKey, nil
		case m.IdentityToken || m.ActionsOIDC:
			return ModeKeyless, nil
		}
		return ModeNone, nil
	case ModeKey:
		if !m.Key {
			return "", &ModeError{Mode: requested, Problem: ModeNeedsKey}
		}
	case ModeKeyless:
		if m.Key {
			return "", &ModeError{Mode: requested, Problem: ModeKeyWithKeyless}
		}
	case ModeNone:
	default:
		return "", &ModeError{Mode: requested, Problem: ModeUnknown}
	}
	return requested, nil
}

// ModeProblem is why a signing mode cannot be used.
type ModeProblem int

// The problems of a ModeError.
const (
	ModeUnknown        ModeProblem = iota // not one of Modes
	ModeNeedsKey                          // ModeKey without a key
	ModeKeyWithKeyless                    // a key given for keyless signing
)

// ModeError is a signing mode that cannot be used. BadInput reports true.
type ModeError struct {
	Mode    Mode
	Problem ModeProblem
}

func (e *ModeError) Error() string {
	switch e.Problem {
	case ModeNeedsKey:
		return "signing with a key needs a cosign private key"
	case ModeKeyWithKeyless:
		return "a key and keyless signing cannot be used together"
	}
	names := make([]string, len(Modes))
	for i, m := range Modes {
		names[i] = string(m)
	}
	return fmt.Sprintf("unknown signing mode %q: expected %s", e.Mode, strings.Join(names, ", "))
}

// BadInput marks the mode as unusable input.
func (e *ModeError) BadInput() bool { return true }
