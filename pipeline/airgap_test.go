package pipeline_test

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sonicsaas/sonic-release/airgap"
	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/sign"
)

// countingBlobSigner counts the blobs signed.
type countingBlobSigner struct {
	s *sign.Signer
	n atomic.Int32
}

func (c *countingBlobSigner) SignBlob(ctx context.Context, b []byte) ([]byte, error) {
	c.n.Add(1)
	return c.s.SignBlob(ctx, b)
}

func TestAirGapBundle(t *testing.T) {
	f := setup(t)
	src, commit := f.build(t, "v1.2.0", time.Unix(0, 0))
	target, _ := name.NewRepository(f.host + "/acme/app")
	pg := sigstoretest.PushImage(t, f.host, "library/postgres", "16.4")
	pgTag, _ := name.NewTag(f.host + "/library/postgres:16.4")
	priv, _, _, pubPath := sigstoretest.KeyPair(t)
	_, trPath := sigstoretest.TrustedRoot(t, nil, nil)
	signer, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	blobs := &countingBlobSigner{s: signer}
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.2.0", Draft: true})
	cfg := pipeline.Config{
		Source: src, Targets: []name.Repository{target}, Event: event("v1.2.0", commit),
		Signer: signer, Signing: notes.Signing{Key: "cosign.pub"},
		Notes: &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir, Repository: "acme/app"}, Publish: true,
			Options: []notes.Option{notes.WithHTTPClient(gh.Client()), notes.WithAPIURL(gh.URL)}},
		AirGap: &pipeline.AirGapConfig{TempDir: t.TempDir(), Signer: blobs,
			Extra: []airgap.Image{{Ref: pg, Tags: []name.Tag{pgTag}, Base: "postgres_16.4"}}},
	}
	// A dry run names the archives and writes the section, uploading nothing.
	dry := cfg
	dry.DryRun = true
	res, err := pipeline.Run(t.Context(), dry)
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.AirGap.Archives) != 3 || res.AirGap.Archives[1].Name != "app_v1.2.0_linux-arm64.tar.gz" || len(gh.Assets("acme/app", "v1.2.0")) != 0 ||
		!strings.Contains(res.Markdown, "docker load -i app_v1.2.0_linux-amd64.tar.gz") || blobs.n.Load() != 0 {
		t.Fatalf("dry run: %+v\n%s", res.AirGap, res.Markdown)
	}

	var steps []string
	cfg.Progress = func(s string) { steps = append(steps, s) }
	res, err = pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	// After signing the image, before publishing the notes.
	at := slices.Index(steps, "assets")
	signed := slices.IndexFunc(steps, func(s string) bool { return strings.HasPrefix(s, "sign "+target.String()) })
	if at < 0 || signed < 0 || signed > at || !slices.Contains(steps[at:], "publish") {
		t.Errorf("steps %v: want assets after the signatures and before publish", steps)
	}

	// The release holds the archives, SHA256SUMS and its signature; they
	// verify with the real cosign CLI and sha256sum, as the notes say.
	dir := t.TempDir()
	var names []string
	for _, a := range gh.Assets("acme/app", "v1.2.0") {
		names = append(names, a.Name)
		if err := os.WriteFile(filepath.Join(dir, a.Name), a.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"app_v1.2.0_linux-amd64.tar.gz", "app_v1.2.0_linux-arm64.tar.gz", "postgres_16.4.tar.gz", "SHA256SUMS", "SHA256SUMS.sigstore.json"}
	if !slices.Equal(names, want) {
		t.Fatalf("assets %v, want %v", names, want)
	}
	if out, err := sigstoretest.Cosign(t, nil, "verify-blob", "--key", pubPath, "--bundle", filepath.Join(dir, "SHA256SUMS.sigstore.json"),
		"--trusted-root", trPath, "--insecure-ignore-tlog", filepath.Join(dir, "SHA256SUMS")); err != nil {
		t.Fatalf("cosign verify-blob: %v\n%s", err, out)
	}
	cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	// The amd64 archive is the registry's amd64 image, tagged v1.2.0.
	idx, err := remote.Index(target.Digest(res.Plan.Digest))
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	regImg, _ := idx.Image(im.Manifests[0].Digest)
	tag := target.Tag("v1.2.0")
	got, err := tarball.Image(gunzipOpener(filepath.Join(dir, want[0])), &tag)
	if err != nil {
		t.Fatal(err)
	}
	// Tagged with the exact version only: never a floating tag that a
	// later release moves.
	mf, err := tarball.LoadManifest(gunzipOpener(filepath.Join(dir, want[0])))
	if err != nil || len(mf) != 1 || !slices.Equal(mf[0].RepoTags, []string{tag.String()}) {
		t.Errorf("manifest.json %+v (%v), want the tag %s only", mf, err, tag)
	}
	wc, _ := regImg.ConfigName()
	if gc, err := got.ConfigName(); err != nil || gc != wc {
		t.Errorf("archive config %s (%v), registry %s", gc, err, wc)
	}
	for _, s := range []string{"### Air-gapped install", "cosign verify-blob --bundle SHA256SUMS.sigstore.json --key cosign.pub SHA256SUMS",
		"docker load -i app_v1.2.0_linux-amd64.tar.gz", "/acme/app/releases/download/v1.2.0/SHA256SUMS", "`" + pgTag.String() + "`"} {
		if !strings.Contains(res.Markdown, s) {
			t.Errorf("notes lack %q:\n%s", s, res.Markdown)
		}
	}
	if rel, _ := gh.Release("acme/app", "v1.2.0"); !strings.Contains(rel.Body, "### Air-gapped install") {
		t.Errorf("release body lacks the section:\n%s", rel.Body)
	}

	// A re-run uploads nothing and signs nothing new.
	gh.ResetCalls()
	res, err = pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n := gh.Calls()["repos/upload-release-asset"]; n != 0 || blobs.n.Load() != 1 {
		t.Errorf("re-run: %d uploads, %d blob signatures in all (want 0 and 1)", n, blobs.n.Load())
	}
	if len(res.AirGap.Assets) != len(want) {
		t.Errorf("re-run: %d assets, want %d", len(res.AirGap.Assets), len(want))
	}
	for _, a := range res.AirGap.Assets {
		if a.Action != "kept" {
			t.Errorf("re-run: %+v", a)
		}
	}
}

// TestAirGapConflictUploadsNothing: a release that holds an archive of
// the same name with other content is refused before anything is
// uploaded, and its notes are not published.
func TestAirGapConflictUploadsNothing(t *testing.T) {
	f := setup(t)
	src, commit := f.build(t, "v1.2.0", time.Unix(0, 0))
	target, _ := name.NewRepository(f.host + "/acme/app")
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.2.0", Draft: true})
	nopts := []notes.Option{notes.WithHTTPClient(gh.Client()), notes.WithAPIURL(gh.URL)}
	other := filepath.Join(t.TempDir(), "other")
	if err := os.WriteFile(other, []byte("another build"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := notes.UploadAssets(t.Context(), notes.AssetsInput{Repository: "acme/app", Tag: "v1.2.0",
		Assets: []notes.AssetFile{{Name: "app_v1.2.0_linux-arm64.tar.gz", Path: other}}}, nopts...); err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.Run(t.Context(), pipeline.Config{
		Source: src, Targets: []name.Repository{target}, Event: event("v1.2.0", commit),
		Notes:  &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir, Repository: "acme/app"}, Publish: true, Options: nopts},
		AirGap: &pipeline.AirGapConfig{TempDir: t.TempDir()},
	})
	res.Plan.Close()
	var conflict *notes.AssetConflictError
	if !errors.As(err, &conflict) || !conflict.Refused() {
		t.Fatalf("err = %v, want a refused asset conflict", err)
	}
	if as := gh.Assets("acme/app", "v1.2.0"); len(as) != 1 {
		t.Errorf("the release holds %d assets, want only the one it had", len(as))
	}
	if rel, _ := gh.Release("acme/app", "v1.2.0"); strings.Contains(rel.Body, "sonic-release:begin") {
		t.Errorf("notes published after a refused bundle")
	}

	// A signature without its SHA256SUMS signs another file: refused.
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.1.0", Draft: true})
	if _, err := notes.UploadAssets(t.Context(), notes.AssetsInput{Repository: "acme/app", Tag: "v1.1.0",
		Assets: []notes.AssetFile{{Name: "SHA256SUMS.sigstore.json", Path: other}}}, nopts...); err != nil {
		t.Fatal(err)
	}
	priv, _, _, _ := sigstoretest.KeyPair(t)
	signer, err := sign.New(sign.WithKey(priv, sigstoretest.Password))
	if err != nil {
		t.Fatal(err)
	}
	src11, commit11 := f.build(t, "v1.1.0", time.Unix(0, 0))
	res, err = pipeline.Run(t.Context(), pipeline.Config{
		Source: src11, Targets: []name.Repository{target}, Event: event("v1.1.0", commit11),
		Notes:  &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir, Repository: "acme/app"}, Publish: true, Options: nopts},
		AirGap: &pipeline.AirGapConfig{TempDir: t.TempDir(), Signer: signer},
	})
	res.Plan.Close()
	if !errors.As(err, &conflict) || !conflict.Refused() || !strings.Contains(err.Error(), "it signs another SHA256SUMS") {
		t.Errorf("stale signature: %v", err)
	}
	if as := gh.Assets("acme/app", "v1.1.0"); len(as) != 1 {
		t.Errorf("the release of v1.1.0 holds %d assets, want only the stale signature", len(as))
	}

	// No release at all, and none to create: refused before anything is
	// written.
	gh.AddRepo("acme/other")
	f.reg.Counter.Reset()
	res, err = pipeline.Run(t.Context(), pipeline.Config{
		Source: src, Targets: []name.Repository{target}, Event: event("v1.2.0", commit),
		Notes:  &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir, Repository: "acme/other"}, Publish: true, Options: nopts},
		AirGap: &pipeline.AirGapConfig{TempDir: t.TempDir()},
	})
	res.Plan.Close()
	var nr *notes.NoReleaseError
	if !errors.As(err, &nr) || len(f.reg.Counter.Writes()) != 0 {
		t.Errorf("no release: %v; registry writes %v", err, f.reg.Counter.Writes())
	}
}

func gunzipOpener(p string) tarball.Opener {
	return func() (io.ReadCloser, error) {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{zr, f}, nil
	}
}

// TestAirGapRerunAfterNewerRelease: a re-run of a release after a newer
// one took its floating tags keeps the bundle the release holds (the
// archives carry the exact version only, so they do not change).
func TestAirGapRerunAfterNewerRelease(t *testing.T) {
	f := setup(t)
	target, _ := name.NewRepository(f.host + "/acme/app")
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.1.0", Draft: true})
	nopts := []notes.Option{notes.WithHTTPClient(gh.Client()), notes.WithAPIURL(gh.URL)}
	run := func(version string, ag *pipeline.AirGapConfig) pipeline.Result {
		t.Helper()
		src, commit := f.build(t, version, time.Unix(0, 0))
		res, err := pipeline.Run(t.Context(), pipeline.Config{Source: src, Targets: []name.Repository{target}, Event: event(version, commit),
			Notes: &pipeline.NotesConfig{Input: notes.Input{RepoDir: f.repo.Dir, Repository: "acme/app"}, Publish: ag != nil, Options: nopts}, AirGap: ag})
		res.Plan.Close()
		if err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		return res
	}
	first := run("v1.1.0", &pipeline.AirGapConfig{TempDir: t.TempDir()})
	if tags := first.Plan.Targets[0].AppliedTags(); !slices.Contains(tags, "latest") {
		t.Fatalf("v1.1.0 first got %v, want latest among them", tags)
	}
	run("v1.2.0", nil)
	gh.ResetCalls()
	again := run("v1.1.0", &pipeline.AirGapConfig{TempDir: t.TempDir()})
	if tags := again.Plan.Targets[0].AppliedTags(); slices.Contains(tags, "latest") {
		t.Fatalf("the re-run still applies latest: %v", tags)
	}
	if n := gh.Calls()["repos/upload-release-asset"]; n != 0 {
		t.Errorf("the re-run uploaded %d assets", n)
	}
	for _, a := range again.AirGap.Assets {
		if a.Action != "kept" {
			t.Errorf("re-run: %+v", a)
		}
	}
}

// TestAirGapDraftImmutable: on a repository with immutable releases, a
// tag push drafts the release, attaches the bundle and publishes it last;
// a re-run of the published release keeps its assets; a published
// immutable release without the bundle fails before anything is written.
func TestAirGapDraftImmutable(t *testing.T) {
	f := setup(t)
	gh := fakegithub.New(t)
	gh.AddRepo("acme/app")
	gh.SetImmutableReleases("acme/app", true)
	cfg, _ := f.draftConfig(t, gh, "v1.2.0")
	// One platform: the re-run's check of the immutable release must not
	// miss the other's archive.
	cfg.AirGap = &pipeline.AirGapConfig{TempDir: t.TempDir(), Platforms: []string{"linux/arm64"}}
	res, err := pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := gh.Release("acme/app", "v1.2.0")
	if rel.Draft || !rel.Immutable || len(gh.Assets("acme/app", "v1.2.0")) != 2 || !strings.Contains(rel.Body, "### Air-gapped install") {
		t.Fatalf("release %+v with %d assets", rel, len(gh.Assets("acme/app", "v1.2.0")))
	}
	gh.ResetCalls()
	res, err = pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	if err != nil || gh.Calls()["repos/upload-release-asset"] != 0 {
		t.Fatalf("re-run of the published release: %v, %d uploads", err, gh.Calls()["repos/upload-release-asset"])
	}

	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.1.0", Immutable: true})
	cfg, _ = f.draftConfig(t, gh, "v1.1.0")
	cfg.AirGap = &pipeline.AirGapConfig{TempDir: t.TempDir()}
	f.reg.Counter.Reset()
	res, err = pipeline.Run(t.Context(), cfg)
	res.Plan.Close()
	var im *notes.ImmutableError
	if !errors.As(err, &im) || !slices.Contains(im.Assets, "app_v1.1.0_linux-amd64.tar.gz") || len(f.reg.Counter.Writes()) != 0 {
		t.Errorf("immutable release without the bundle: %v; registry writes %v", err, f.reg.Counter.Writes())
	}
}
