package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestReleaseVerdictOnTheSignature: a release with a breaking migration
// carries the verdict on its signatures, where `cosign verify -a` gates on
// it, in -o json and in the outputs; a re-run adds no second signature.
func TestReleaseVerdictOnTheSignature(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, pub, privPath, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	src, commit := pushDemoBuild(t, reg, repo, "v1.2.0")
	app := reg.Repo("acme/app")
	env := map[string]string{"GITHUB_OUTPUT": filepath.Join(t.TempDir(), "out"), "COSIGN_PASSWORD": sigstoretest.KeyPassword}
	args := []string{"release", "--source", src, "--image", app, "--ref", "refs/tags/v1.2.0", "--sha", commit,
		"--key", privPath, "--tlog-upload=false", "--notes", "--repo-dir", repo.Dir, "-o", "json"}

	_, _, stderr := runCLI(t, map[string]string{"COSIGN_PASSWORD": sigstoretest.KeyPassword}, append(args, "--dry-run")...)
	if want := "dry-run: the signatures would carry dev.sonicsaas.release/migrations=breaking dev.sonicsaas.release/migrations-breaking=0002_lifecycle_stage dev.sonicsaas.release/migrations-previous=v1.1.1\n"; !strings.Contains(stderr, want) {
		t.Errorf("the dry run does not say %q:\n%s", want, stderr)
	}

	code, stdout, stderr := runCLI(t, env, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var js struct {
		Migrations struct {
			Verdict  string   `json:"verdict"`
			Previous string   `json:"previous"`
			Breaking []string `json:"breaking"`
		} `json:"migrations"`
	}
	if err := json.Unmarshal([]byte(stdout), &js); err != nil {
		t.Fatal(err)
	}
	if js.Migrations.Verdict != "breaking" || js.Migrations.Previous != "v1.1.1" || len(js.Migrations.Breaking) != 1 {
		t.Errorf("-o json migrations: %+v", js.Migrations)
	}
	if out := parseOutputs(t, env["GITHUB_OUTPUT"]); out["migrations"] != "breaking" {
		t.Errorf("output migrations = %q, want breaking", out["migrations"])
	}
	if !strings.Contains(stderr, "migration verdict dev.sonicsaas.release/migrations=breaking ") {
		t.Errorf("stderr does not name the verdict:\n%s", stderr)
	}

	// The cosign CLI gates on the verdict, for the index and each platform
	// image: cosign v3 (v2.6.5 ignores -a on the bundle that the default
	// format both writes; sign's TestCosignV2BundleIgnoresAnnotations).
	cosignVerify := func(ann string) error {
		out, err := sigstoretest.Cosign3(t, nil, "verify", "--key", pubPath, "--insecure-ignore-tlog=true", "--trusted-root", trPath,
			"-a", ann, "-a", "version=v1.2.0", app+":v1.2.0")
		if err != nil {
			t.Logf("cosign verify -a %s: %v\n%s", ann, err, out)
		}
		return err
	}
	if err := cosignVerify("dev.sonicsaas.release/migrations=breaking"); err != nil {
		t.Error("cosign verify -a dev.sonicsaas.release/migrations=breaking fails")
	}
	if err := cosignVerify("dev.sonicsaas.release/migrations-previous=v1.1.1"); err != nil {
		t.Error("cosign verify -a dev.sonicsaas.release/migrations-previous=v1.1.1 fails")
	}
	if err := cosignVerify("dev.sonicsaas.release/migrations=compatible"); err == nil {
		t.Error("cosign verify -a dev.sonicsaas.release/migrations=compatible passes on a breaking release")
	}

	// A re-run computes the same verdict: no second signature anywhere. Nor
	// does a re-run relative to another previous release: the first claim
	// stands, and the log says so.
	if code, _, stderr := runCLI(t, env, args...); code != 0 || strings.Contains(stderr, "first claim stands") {
		t.Fatalf("re-run: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLI(t, env, append(args, "--previous", "v1.1.0")...)
	if code != 0 || !strings.Contains(stderr, "the first claim stands") || !strings.Contains(stderr, "dev.sonicsaas.release/migrations-previous: v1.1.1, not v1.1.0") {
		t.Fatalf("re-run relative to v1.1.0: exit %d: %s", code, stderr)
	}
	res, err := sign.Verify(t.Context(), app+":v1.2.0", sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false),
		sign.WithAnnotations(map[string]string{sign.AnnotationMigrations: "breaking"}))
	if err != nil {
		t.Fatal(err)
	}
	// One signature in each format of the default, both.
	for _, m := range res.Manifests {
		if len(m.Signatures) != 2 || m.Signatures[0].Format == m.Signatures[1].Format {
			t.Errorf("%s %s: %d signatures after a re-run, want a .sig one and a bundle", m.Digest, m.Platform, len(m.Signatures))
		}
	}
}
