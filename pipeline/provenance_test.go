package pipeline_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/provenance"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestProvenanceAfterSigning: a signed release attests its digest in every
// target with the release's signer, and the notes show how to verify it;
// a dry run attests nothing.
func TestProvenanceAfterSigning(t *testing.T) {
	t.Parallel()
	f := setup(t)
	src, commit, s, app, mirror, build := f.provenanceRelease(t)
	var steps []string
	cfg := pipeline.Config{
		Source: src, Targets: []name.Repository{app, mirror}, Event: event("v1.2.0", commit),
		Signer: s, Signing: notes.Signing{Key: "cosign.pub"},
		Notes:      &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir}},
		Provenance: &pipeline.ProvenanceConfig{Build: build, Signer: s, Repository: "acme/app"},
		Progress:   func(step string) { steps = append(steps, step) },
		DryRun:     true,
	}
	res, err := pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil || res.Provenance != nil || strings.Contains(res.Markdown, "verify-attestation") {
		t.Fatalf("dry run: provenance %+v, err %v\n%s", res.Provenance, err, res.Markdown)
	}

	cfg.DryRun, steps = false, nil
	res, err = pipeline.Run(t.Context(), cfg)
	defer res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Provenance == nil || len(res.Provenance.Attached) != 2 {
		t.Fatalf("provenance = %+v", res.Provenance)
	}
	if i, j := index(steps, "floating tags"), index(steps, "provenance"); i < 0 || j < i || index(steps, "notes") < j {
		t.Errorf("steps %q: provenance after the floating tags, before the notes", steps)
	}
	want := "cosign verify-attestation --type slsaprovenance1 --key cosign.pub " + app.String() + "@" + res.Plan.Digest
	if !strings.Contains(res.Markdown, want+"\n") || strings.Contains(res.Markdown, "gh attestation verify") {
		t.Errorf("notes lack %q (and show gh only for keyless):\n%s", want, res.Markdown)
	}
}

// provenanceRelease is a release of v1.2.0 with provenance: its source
// and commit, a key signer, the two targets and the build.
func (f fixture) provenanceRelease(t *testing.T) (release.Source, string, *sign.Signer, name.Repository, name.Repository, provenance.Build) {
	t.Helper()
	src, commit := f.build(t, "v1.2.0", time.Unix(0, 0))
	priv, _, _, _ := sigstoretest.KeyPair(t)
	s, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	app, _ := name.NewRepository(f.host + "/acme/app")
	mirror, _ := name.NewRepository(f.host + "/mirror/app")
	build := provenance.Build{
		ServerURL: "https://github.com", Repository: "acme/app", EventName: "release", Ref: "refs/tags/v1.2.0", SHA: commit,
		WorkflowRef: "acme/app/.github/workflows/release.yml@refs/tags/v1.2.0", RunID: "1", RunAttempt: "1",
	}
	return src, commit, s, app, mirror, build
}

func index(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
