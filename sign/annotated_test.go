package sign_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestSignAnnotated: the per-release annotations (the migration verdict) are
// on the signature where `cosign verify -a` checks them (cosign v3, which
// reads the bundle of the default format both; cosign v2 ignores -a on a
// bundle, TestCosignV2BundleIgnoresAnnotations); a re-run adds
// nothing, not even with another verdict (the first claim stands), and a
// signature made before the key existed gets the annotated one next to it.
func TestSignAnnotated(t *testing.T) {
	ctx := t.Context()
	host := registrytest.NewMemory(t).Host
	idx, _, _ := sigstoretest.PushIndex(t, host, "acme/app", "v1.2.0")
	old := sigstoretest.PushImage(t, host, "acme/app", "v1.1.0")
	priv, _, _, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(map[string]string{sign.AnnotationVersion: "v1.2.0"}))
	if err != nil {
		t.Fatal(err)
	}
	verdict := map[string]string{sign.AnnotationMigrations: "breaking", sign.AnnotationMigrationsPrevious: "v1.1.0"}
	if err := s.SignAnnotated(ctx, idx, verdict); err != nil {
		t.Fatal(err)
	}
	verify := func(ref string, ann ...string) error {
		args := []string{"verify", "--key", pubPath, "--insecure-ignore-tlog=true", "--trusted-root", trPath}
		for _, a := range ann {
			args = append(args, "-a", a)
		}
		out, err := sigstoretest.Cosign3(t, nil, append(args, ref)...)
		if err != nil {
			t.Logf("cosign verify -a %v: %v\n%s", ann, err, out)
		}
		return err
	}
	if err := verify(idx.String(), "dev.sonicsaas.release/migrations=breaking", "dev.sonicsaas.release/migrations-previous=v1.1.0", "version=v1.2.0"); err != nil {
		t.Errorf("cosign verify -a dev.sonicsaas.release/migrations=breaking fails: %v", err)
	}
	if err := verify(idx.String(), "dev.sonicsaas.release/migrations=compatible"); err == nil {
		t.Error("cosign verify -a dev.sonicsaas.release/migrations=compatible passes on a breaking release")
	}

	// A re-run with the same verdict adds nothing.
	if err := s.SignAnnotated(ctx, idx, verdict); err != nil {
		t.Fatal(err)
	}
	if n := sigLayers(t, idx); n != 1 {
		t.Errorf("after a re-run: %d signatures, want 1", n)
	}
	// Another verdict from the same signer (a newer previous release, another
	// classifier) would contradict the first claim: nothing is added, the
	// first claim stands, and the log says both.
	var logs bytes.Buffer
	s, err = sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(map[string]string{sign.AnnotationVersion: "v1.2.0"}),
		sign.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SignAnnotated(ctx, idx, map[string]string{sign.AnnotationMigrations: "compatible", sign.AnnotationMigrationsPrevious: "v1.1.1"}); err != nil {
		t.Fatal(err)
	}
	if n := sigLayers(t, idx); n != 1 {
		t.Errorf("after a re-run with another verdict: %d signatures, want 1", n)
	}
	for _, want := range []string{"the first claim stands", "dev.sonicsaas.release/migrations: breaking, not compatible", "dev.sonicsaas.release/migrations-previous: v1.1.0, not v1.1.1"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs.String())
		}
	}
	if err := verify(idx.String(), "dev.sonicsaas.release/migrations=compatible"); err == nil {
		t.Error("the second verdict verifies")
	}
	// Another version of the same digest (a release candidate promoted) is a
	// new claim: signed, with its own verdict.
	s3, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(map[string]string{sign.AnnotationVersion: "v1.2.1"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.SignAnnotated(ctx, idx, map[string]string{sign.AnnotationMigrations: "none"}); err != nil {
		t.Fatal(err)
	}
	if n := sigLayers(t, idx); n != 2 {
		t.Errorf("after signing another version: %d signatures, want 2", n)
	}
	if err := verify(idx.String(), "dev.sonicsaas.release/migrations=none", "version=v1.2.1"); err != nil {
		t.Error("the other version's verdict does not verify")
	}

	// Signed before the verdict existed: the annotated signature is added.
	if err := s.Sign(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := s.SignAnnotated(ctx, old, map[string]string{sign.AnnotationMigrations: "none"}); err != nil {
		t.Fatalf("annotating a signature without the key: %v", err)
	}
	if n := sigLayers(t, old); n != 2 {
		t.Errorf("%d signatures, want the old one and the annotated one", n)
	}
	if err := verify(old.String(), "dev.sonicsaas.release/migrations=none"); err != nil {
		t.Error("the annotated signature does not verify")
	}
	// Another signer's verdict is not this signer's claim.
	other, _, _, _ := sigstoretest.KeyPair(t)
	s2, err := sign.New(sign.WithKey(other, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.SignAnnotated(ctx, idx, map[string]string{sign.AnnotationMigrations: "compatible"}); err != nil {
		t.Errorf("another signer: %v", err)
	}
	if err := s.SignAnnotated(ctx, idx, map[string]string{"": "x"}); err == nil || !strings.Contains(err.Error(), "empty key") {
		t.Errorf("empty key: %v", err)
	}
}

// TestSignWithLessAddsNothing: a re-run that knows less (no verdict) finds
// the annotated signature claims all it would, and adds nothing.
func TestSignWithLessAddsNothing(t *testing.T) {
	ctx := t.Context()
	host := registrytest.NewMemory(t).Host
	d := sigstoretest.PushImage(t, host, "acme/app", "v1.2.0")
	priv, _, _, _ := sigstoretest.KeyPair(t)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(map[string]string{sign.AnnotationVersion: "v1.2.0"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SignAnnotated(ctx, d, map[string]string{sign.AnnotationMigrations: "breaking"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n := sigLayers(t, d); n != 1 {
		t.Errorf("%d signatures after a re-run without the verdict, want 1", n)
	}
	// Another version annotation is a new claim: signed.
	s2, err := sign.New(sign.WithKey(priv, sigstoretest.Password), sign.WithAnnotations(map[string]string{sign.AnnotationVersion: "v1.2"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Sign(ctx, d); err != nil {
		t.Fatal(err)
	}
	if n := sigLayers(t, d); n != 2 {
		t.Errorf("%d signatures after a signature with another version, want 2", n)
	}
}
