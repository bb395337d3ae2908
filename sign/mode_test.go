package sign_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestResolveMode is the one "auto" rule of release --sign and sign.
func TestResolveMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		requested sign.Mode
		means     sign.Means
		want      sign.Mode
		problem   sign.ModeProblem // when an error is wanted
		fails     bool
	}{
		{sign.ModeAuto, sign.Means{}, sign.ModeNone, 0, false},
		{sign.ModeAuto, sign.Means{Key: true}, sign.ModeKey, 0, false},
		{sign.ModeAuto, sign.Means{Key: true, ActionsOIDC: true, IdentityToken: true}, sign.ModeKey, 0, false},
		{sign.ModeAuto, sign.Means{ActionsOIDC: true}, sign.ModeKeyless, 0, false},
		// The bug of issue 10: an identity token outside Actions is keyless, not "nothing".
		{sign.ModeAuto, sign.Means{IdentityToken: true}, sign.ModeKeyless, 0, false},
		{"", sign.Means{IdentityToken: true}, sign.ModeKeyless, 0, false},
		{sign.ModeKey, sign.Means{Key: true}, sign.ModeKey, 0, false},
		{sign.ModeKey, sign.Means{ActionsOIDC: true}, "", sign.ModeNeedsKey, true},
		{sign.ModeKeyless, sign.Means{}, sign.ModeKeyless, 0, false},
		{sign.ModeKeyless, sign.Means{Key: true}, "", sign.ModeKeyWithKeyless, true},
		{sign.ModeNone, sign.Means{Key: true, ActionsOIDC: true}, sign.ModeNone, 0, false},
		{"sigstore", sign.Means{}, "", sign.ModeUnknown, true},
	}
	for _, tt := range tests {
		got, err := sign.ResolveMode(tt.requested, tt.means)
		var me *sign.ModeError
		switch {
		case tt.fails && (!errors.As(err, &me) || me.Problem != tt.problem || !me.BadInput()):
			t.Errorf("ResolveMode(%q, %+v) = %q, %v; want a ModeError with problem %d", tt.requested, tt.means, got, err, tt.problem)
		case !tt.fails && (err != nil || got != tt.want):
			t.Errorf("ResolveMode(%q, %+v) = %q, %v; want %q", tt.requested, tt.means, got, err, tt.want)
		}
	}
	for _, m := range sign.Modes {
		if got, err := sign.ParseMode(string(m)); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := sign.ParseMode("keyles"); err == nil || !strings.Contains(err.Error(), "auto, keyless, key, none") {
		t.Errorf("ParseMode(keyles) = %v", err)
	}
}

// TestReady: what a dry run checks without signing.
func TestReady(t *testing.T) {
	t.Parallel()
	priv, _, _, _ := sigstoretest.KeyPair(t)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Ready(); err != nil || got != "key loaded" {
		t.Errorf("key: Ready() = %q, %v", got, err)
	}
	// A wrong password fails when the signer is built, before any signing.
	_, err = sign.New(sign.WithKey(priv, func() ([]byte, error) { return []byte("wrong"), nil }))
	var bi interface{ BadInput() bool }
	if err == nil || !errors.As(err, &bi) || !bi.BadInput() {
		t.Errorf("wrong password: New = %v, want a bad-input error", err)
	}

	var tm root.TrustedMaterialCollection // any trusted material: Ready contacts nothing
	is := sigstoretest.NewIssuer(t)
	keyless := func(ts sign.TokenSource) (string, error) {
		s, err := sign.New(sign.WithKeyless(ts, "https://fulcio.invalid"), sign.WithTimestampAuthority("https://tsa.invalid"), sign.WithTrustedMaterial(tm))
		if err != nil {
			t.Fatal(err)
		}
		return s.Ready()
	}
	if got, err := keyless(sign.ActionsToken{RequestURL: "https://runner.invalid/token", RequestToken: "t"}); err != nil || !strings.Contains(got, "GitHub Actions OIDC token available") {
		t.Errorf("Actions token: Ready() = %q, %v", got, err)
	}
	if _, err := keyless(sign.ActionsToken{}); !errors.Is(err, sign.ErrNoActionsToken) {
		t.Errorf("no Actions variables: Ready() error = %v, want ErrNoActionsToken", err)
	}
	if got, err := keyless(sign.StaticToken(is.Token(nil))); err != nil || !strings.Contains(got, "subject repo:acme/app:ref:refs/tags/v1.2.3") {
		t.Errorf("identity token: Ready() = %q, %v", got, err)
	}
	if _, err := keyless(sign.StaticToken("not a token")); err == nil || !strings.Contains(err.Error(), "not a JWT") {
		t.Errorf("a malformed identity token: Ready() error = %v", err)
	}
}

// TestTrustError: verification without the trusted material it needs is a
// typed bad-input error that names no command-line flag.
func TestTrustError(t *testing.T) {
	t.Parallel()
	_, pub, _, _ := sigstoretest.KeyPair(t)
	ref := "registry.invalid/acme/app@sha256:" + strings.Repeat("0", 64)
	for _, tt := range []struct {
		opts []sign.Option
		tlog bool
	}{
		{[]sign.Option{sign.WithPublicKey(pub)}, true},
		{[]sign.Option{sign.WithRequireTransparencyLog(false), sign.WithIdentity(sign.Identity{Subject: "s", Issuer: "i"})}, false},
	} {
		_, err := sign.Verify(t.Context(), ref, tt.opts...)
		var te *sign.TrustError
		if !errors.As(err, &te) || te.TransparencyLog != tt.tlog || !te.BadInput() || strings.Contains(err.Error(), "--") {
			t.Errorf("Verify = %v, want a TrustError (transparency log %v) naming no flag", err, tt.tlog)
		}
	}
}
