package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
)

func TestSignVerifyKey(t *testing.T) {
	host := registrytest.NewMemory(t).Host
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.3")
	priv, pub, privPath, pubPath := sigstoretest.KeyPair(t)
	_, _, _, otherPub := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	env := map[string]string{
		"COSIGN_PASSWORD":     sigstoretest.KeyPassword,
		"GITHUB_SHA":          "0123456789abcdef0123456789abcdef01234567",
		"GITHUB_REPOSITORY":   "acme/app",
		"GITHUB_WORKFLOW_REF": "acme/app/.github/workflows/release.yml@refs/tags/v1.2.3",
		"COSIGN_KEY":          string(priv),
		"COSIGN_PUB":          string(pub),
	}

	code, out, errOut := runCLI(t, env, "sign", d.String(), "--key", privPath, "--version", "1.2.3", "--tlog-upload=false")
	if code != 0 {
		t.Fatalf("sign: exit %d\n%s%s", code, out, errOut)
	}
	if want := "signed " + d.String() + "\n"; out != want {
		t.Errorf("sign output = %q, want %q", out, want)
	}
	// The cosign CLI checks the signature and every annotation (cosign v3:
	// v2 ignores -a on the bundle that the default format both writes).
	if out, err := sigstoretest.Cosign3(t, nil, "verify", "--key", pubPath, "--insecure-ignore-tlog=true", "--trusted-root", trPath,
		"-a", "version=1.2.3", "-a", "commit=0123456789abcdef0123456789abcdef01234567", "-a", "repository=acme/app",
		"-a", "workflow-ref=acme/app/.github/workflows/release.yml@refs/tags/v1.2.3", d.String()); err != nil {
		t.Fatalf("cosign verify: %v\n%s", err, out)
	}
	// env://VAR: a re-run, nothing added, still exit 0.
	if code, out, errOut := runCLI(t, env, "sign", d.String(), "--key", "env://COSIGN_KEY", "--version", "1.2.3", "--tlog-upload=false"); code != 0 {
		t.Fatalf("sign env://: exit %d\n%s%s", code, out, errOut)
	}

	code, out, errOut = runCLI(t, env, "verify", d.Context().Tag("v1.2.3").String(), "--insecure-ignore-tlog", "--key", "env://COSIGN_PUB", "-a", "version=1.2.3", "-o", "json")
	if code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	var res struct {
		Digest    string
		Manifests []struct{ Signatures []struct{ Key bool } }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("verify -o json: %v\n%s", err, out)
	}
	// The default format is both: a .sig signature and a bundle.
	if res.Digest != d.DigestStr() || len(res.Manifests) != 1 || len(res.Manifests[0].Signatures) != 2 {
		t.Errorf("verify result = %s", out)
	}
	code, out, _ = runCLI(t, env, "verify", d.String(), "--insecure-ignore-tlog", "--key", pubPath)
	if code != 0 || !strings.HasPrefix(out, "verified "+d.String()+"\n") {
		t.Errorf("verify text: exit %d\n%s", code, out)
	}

	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		contains string
	}{
		{"wrong key", env, []string{"verify", d.String(), "--insecure-ignore-tlog", "--key", otherPub}, 3, "no matching signatures"},
		{"wrong annotation", env, []string{"verify", d.String(), "--insecure-ignore-tlog", "--key", pubPath, "-a", "version=2.0.0"}, 3, "annotation"},
		{"sign by tag", env, []string{"sign", d.Context().Tag("v1.2.3").String(), "--key", privPath}, 2, "by digest"},
		{"wrong password", map[string]string{"COSIGN_PASSWORD": "nope"}, []string{"sign", d.String(), "--key", privPath}, 2, "COSIGN_PASSWORD"},
		{"no key, no Actions token", nil, []string{"sign", d.String()}, 2, "id-token: write"},
		{"keyless without the Actions variables", nil, []string{"sign", d.String(), "--keyless", "--trusted-root", trPath}, 1, "id-token: write"},
		{"empty env key", nil, []string{"sign", d.String(), "--key", "env://NOPE"}, 2, "NOPE"},
		{"KMS key", nil, []string{"sign", d.String(), "--key", "awskms:///alias/x"}, 2, "no KMS"},
		{"verify without key or identity", nil, []string{"verify", d.String()}, 2, "--certificate-identity"},
		{"key and keyless", nil, []string{"sign", d.String(), "--key", privPath, "--keyless"}, 2, "--key and --keyless cannot be used together"},
		{"key and identity", nil, []string{"verify", d.String(), "--key", pubPath, "--certificate-identity", "x"}, 2, "cannot be used together"},
		{"identity and identity regexp", nil, []string{"verify", d.String(), "--certificate-identity", "x", "--certificate-identity-regexp", "y"}, 2, "cannot be used together"},
		{"identity without issuer", nil, []string{"verify", d.String(), "--certificate-identity", "x"}, 2, "--certificate-oidc-issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.contains) {
				t.Errorf("exit %d, want %d; stderr must contain %q:\n%s%s", code, tt.code, tt.contains, out, errOut)
			}
		})
	}
}

func TestSignVerifyKeyless(t *testing.T) {
	host := registrytest.NewMemory(t).Host
	is := sigstoretest.NewIssuer(t)
	fulcio := sigstoretest.StartFulcio(t, is)
	tsa := sigstoretest.StartTSA(t)
	_, trPath := sigstoretest.TrustedRoot(t, fulcio, tsa)
	idx, _, _ := sigstoretest.PushIndex(t, host, "acme/app", "v1.2.3")
	// As on a runner with id-token: write.
	env := map[string]string{
		"GITHUB_ACTIONS":                 "true",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   is.ActionsURL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": is.ActionsRequestToken,
		"GITHUB_SHA":                     "0123456789abcdef0123456789abcdef01234567",
	}
	identity := is.Identity("refs/tags/v1.2.3")
	code, out, errOut := runCLI(t, env, "sign", idx.String(), "--fulcio-url", fulcio.URL, "--tsa-url", tsa.URL, "--trusted-root", trPath, "--version", "1.2.3", "--tlog-upload=false")
	if code != 0 {
		t.Fatalf("sign: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "identity "+identity+" (issuer "+is.URL+")") {
		t.Errorf("sign output does not name the identity:\n%s", out)
	}
	if out, err := sigstoretest.Cosign(t, nil, "verify", "--trusted-root", trPath, "--certificate-identity", identity,
		"--certificate-oidc-issuer", is.URL, "--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct",
		"-a", "version=1.2.3", idx.String()); err != nil {
		t.Fatalf("cosign verify: %v\n%s", err, out)
	}
	args := []string{"verify", idx.Context().Tag("v1.2.3").String(), "--trusted-root", trPath, "--insecure-ignore-sct", "--insecure-ignore-tlog", "--certificate-oidc-issuer", is.URL}
	code, out, errOut = runCLI(t, nil, append(args, "--certificate-identity", identity, "--certificate-github-workflow-ref", "refs/tags/v1.2.3")...)
	if code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	// The default format is both: each manifest has a .sig signature and a bundle.
	if n, b := strings.Count(out, "signed by "+identity), strings.Count(out, "(Sigstore bundle)"); n != 6 || b != 3 || !strings.Contains(out, "linux/arm64") || !strings.Contains(out, "timestamp ") {
		t.Errorf("verify output: want the index and 2 platform images, each signed twice (.sig and bundle) by %s with a timestamp:\n%s", identity, out)
	}
	code, _, errOut = runCLI(t, nil, append(args, "--certificate-identity", is.Identity("refs/heads/main"))...)
	if code != 3 || !strings.Contains(errOut, "none of the expected identities matched") {
		t.Errorf("verify with the branch identity: exit %d, want 3\n%s", code, errOut)
	}
	// --identity-token outside GitHub Actions (no OIDC variables, no
	// --keyless): the one "auto" rule signs keyless with the given token.
	other := sigstoretest.PushImage(t, host, "acme/other", "v1.2.3")
	code, out, errOut = runCLI(t, nil, "sign", other.String(), "--identity-token", is.Token(nil), "--fulcio-url", fulcio.URL, "--tsa-url", tsa.URL, "--trusted-root", trPath, "--tlog-upload=false")
	if code != 0 || !strings.Contains(out, "identity "+is.Identity("refs/tags/v1.2.3")) {
		t.Fatalf("sign --identity-token outside Actions: exit %d\n%s%s", code, out, errOut)
	}
	if out, err := sigstoretest.Cosign(t, nil, "verify", "--trusted-root", trPath, "--certificate-identity", is.Identity("refs/tags/v1.2.3"),
		"--certificate-oidc-issuer", is.URL, "--use-signed-timestamps", "--insecure-ignore-tlog", "--insecure-ignore-sct", other.String()); err != nil {
		t.Fatalf("cosign verify of the --identity-token signature: %v\n%s", err, out)
	}
	// A token from a file (--identity-token), audience not sigstore: Fulcio refuses.
	tok := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tok, []byte(is.Token(map[string]string{"aud": "other"})), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, nil, "sign", idx.String(), "--keyless", "--identity-token", tok, "--fulcio-url", fulcio.URL, "--tsa-url", tsa.URL, "--trusted-root", trPath, "--tlog-upload=false")
	if code != 1 || !strings.Contains(errOut, "Fulcio") {
		t.Errorf("wrong audience: exit %d, want 1\n%s", code, errOut)
	}
}

// TestSignVerifyRekor is the default path: a timestamp and a Rekor entry,
// verified with the transparency log on.
func TestSignVerifyRekor(t *testing.T) {
	host := registrytest.NewMemory(t).Host
	is := sigstoretest.NewIssuer(t)
	fulcio := sigstoretest.StartFulcio(t, is)
	tsa := sigstoretest.StartTSA(t)
	rekor := sigstoretest.StartRekor(t)
	_, trPath := sigstoretest.TrustedRoot(t, fulcio, tsa, rekor)
	_, trNoRekor := sigstoretest.TrustedRoot(t, fulcio, tsa)
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.3")
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": is.ActionsURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": is.ActionsRequestToken}
	if code, out, errOut := runCLI(t, env, "sign", d.String(), "--fulcio-url", fulcio.URL, "--tsa-url", tsa.URL,
		"--rekor-url", rekor.URL, "--trusted-root", trPath); code != 0 {
		t.Fatalf("sign: exit %d\n%s%s", code, out, errOut)
	}
	args := []string{"verify", d.String(), "--insecure-ignore-sct", "-o", "json",
		"--certificate-identity", is.Identity(""), "--certificate-oidc-issuer", is.URL}
	code, out, errOut := runCLI(t, nil, append(args, "--trusted-root", trPath)...)
	if code != 0 || !strings.Contains(out, `"logIndex"`) {
		t.Fatalf("verify: exit %d, want 0 and a logIndex\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, nil, append(args, "--trusted-root", trNoRekor)...); code != 3 {
		t.Errorf("verify without the Rekor key: exit %d, want 3\n%s", code, errOut)
	}
}
