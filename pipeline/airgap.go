package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/airgap"
	"github.com/sonicsaas/sonic-release/internal/inputerr"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
	"github.com/sonicsaas/sonic-release/tagging"
)

// AirGapConfig attaches the air-gapped bundle to the GitHub release of a
// version: a `docker load` archive per platform of the released image
// (and of Extra), SHA256SUMS and, for a signed release, its signature.
// It needs NotesConfig with Publish (the release's repository and the
// GitHub client). The bundle is a ReleaseStep ("assets", and "sign
// SHA256SUMS" when it signs): attached after the signatures, while the
// release is still a draft (NotesConfig.Draft), before the notes.
type AirGapConfig struct {
	// TempDir is where the archives are written before the upload (the
	// runner's RUNNER_TEMP): a directory of its own inside, removed
	// afterwards. It needs room for the bundle. Required.
	TempDir string
	// Extra are more images the application runs with (Postgres, Caddy),
	// by digest, each with the tags it carries once loaded and the start
	// of its archives' names.
	Extra []airgap.Image
	// ServerURL is GitHub's web root, for the download links. The default
	// is https://github.com.
	ServerURL string
	// Signer signs SHA256SUMS (sign.Signer.SignBlob); nil leaves it
	// unsigned. The release's image Signer, when it signs blobs, is the
	// one to give.
	Signer BlobSigner
	// Platforms, when set, bundles only these platforms of an index
	// ("linux/amd64"); the default is every platform image.
	Platforms []string
	// Options are the bundle's registry options (keychain, transport).
	Options []airgap.Option
}

// BlobSigner signs a file and returns its Sigstore bundle.
type BlobSigner interface {
	SignBlob(ctx context.Context, blob []byte) ([]byte, error)
}

// AirGapResult is what the bundle step did: the archives written (or,
// in a dry run, planned by name) and each asset uploaded or kept.
type AirGapResult struct {
	Archives []airgap.Archive    `json:"archives"`
	Assets   []notes.AssetResult `json:"assets,omitempty"`
}

// sumsSignature is the name of SHA256SUMS's signature bundle.
const sumsSignature = airgap.SumsName + sign.BlobBundleSuffix

// airGapRun is the bundle of one run: its step on the GitHub release
// (ReleaseStep "assets", between the signatures and the notes, while a
// draft still takes assets) and what the step did, for the notes.
type airGapRun struct {
	cfg      *AirGapConfig
	nc       *NotesConfig
	tag      string
	progress func(string)
	result   *AirGapResult
}

// attachAirGap adds the bundle's release step to cfg (Run's copy), or
// refuses a bundle that has no GitHub release to go to. Nil without a
// bundle or for an event other than a release.
func attachAirGap(cfg *Config) (*airGapRun, error) {
	if cfg.AirGap == nil || cfg.Event.Kind != tagging.EventRelease {
		return nil, nil
	}
	if cfg.Notes == nil || (!cfg.DryRun && (!cfg.Notes.Publish || cfg.Notes.Input.Repository == "")) {
		return nil, inputerr.New(errors.New("the air-gapped bundle is attached to the GitHub release: it needs the notes published into the release (a repository to publish to)"))
	}
	r := &airGapRun{cfg: cfg.AirGap, nc: cfg.Notes, tag: cmp.Or(cfg.Event.Tag, cfg.Event.Version.String()), progress: cfg.Progress}
	if r.progress == nil {
		r.progress = func(string) {}
	}
	cfg.BeforePublish = append(slices.Clone(cfg.BeforePublish), ReleaseStep{Name: "assets", Assets: r.assetNames, Run: r.run})
	return r, nil
}

// assetNames are the assets the bundle attaches that the plan names
// without reading the registry: the released image's archives (of an
// index), SHA256SUMS and its signature.
func (r *airGapRun) assetNames(plan release.Plan) []string {
	images, err := bundleImages(plan, nil)
	if err != nil {
		return nil
	}
	var names []string
	for _, p := range plan.Platforms {
		if len(r.cfg.Platforms) == 0 || slices.Contains(r.cfg.Platforms, p.Platform) {
			names = append(names, airgap.ArchiveName(images[0].Base, p.Platform))
		}
	}
	names = append(names, airgap.SumsName)
	if r.cfg.Signer != nil {
		names = append(names, sumsSignature)
	}
	return names
}

// run makes, signs and uploads the bundle into rel. Nothing is uploaded
// when any asset the release holds conflicts.
func (r *airGapRun) run(ctx context.Context, plan release.Plan, rel notes.Release) error {
	ac := r.cfg
	images, err := bundleImages(plan, ac.Extra)
	if err != nil {
		return err
	}
	bp, err := airgap.PlanBundle(ctx, images, ac.options()...)
	if err != nil {
		return fmt.Errorf("planning the air-gapped bundle: %w", err)
	}
	r.result = &AirGapResult{Archives: bp.Archives}
	dir, err := os.MkdirTemp(ac.TempDir, "sonic-release-airgap-")
	if err != nil {
		return fmt.Errorf("the air-gapped bundle needs a temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	b, err := airgap.Write(ctx, bp, dir, ac.options()...)
	if err != nil {
		return fmt.Errorf("writing the air-gapped bundle: %w", err)
	}
	r.result.Archives = b.Archives
	var assets []notes.AssetFile
	for _, a := range b.Archives {
		assets = append(assets, notes.AssetFile{Name: a.Name, Path: a.Path})
	}
	assets = append(assets, notes.AssetFile{Name: airgap.SumsName, Path: b.SumsPath})
	repo := r.nc.Input.Repository
	if ac.Signer != nil {
		existing, err := notes.ReleaseAssetStates(ctx, repo, rel.ID, r.nc.Options...)
		if err != nil {
			return err
		}
		// The signature differs on every run: an existing one is kept
		// when SHA256SUMS is (the same file, already signed), and a new
		// one is made only when it is missing.
		upload, _, err := notes.CheckAssets(r.tag, assets, existing)
		if err != nil {
			return err
		}
		signed := false
		for _, e := range existing {
			signed = signed || e.Name == sumsSignature && e.State == "uploaded"
		}
		sumsNew := false
		for _, u := range upload {
			sumsNew = sumsNew || u.Name == airgap.SumsName
		}
		switch {
		case signed && sumsNew:
			return &notes.AssetConflictError{Tag: r.tag, Name: sumsSignature, Reason: "it signs another " + airgap.SumsName + " than the one this run uploads"}
		case signed:
			assets = append(assets, notes.AssetFile{Name: sumsSignature, KeepExisting: true})
		default:
			r.progress("sign " + airgap.SumsName)
			sig, err := ac.Signer.SignBlob(ctx, b.Sums)
			if err != nil {
				return fmt.Errorf("signing %s: %w", airgap.SumsName, err)
			}
			p := filepath.Join(dir, sumsSignature)
			if err := os.WriteFile(p, sig, 0o644); err != nil {
				return err
			}
			assets = append(assets, notes.AssetFile{Name: sumsSignature, Path: p})
		}
	}
	uploaded, err := notes.UploadAssets(ctx, notes.AssetsInput{Repository: repo, Tag: r.tag, ReleaseID: rel.ID, Assets: assets}, r.nc.Options...)
	r.result.Assets = uploaded
	if err != nil {
		return fmt.Errorf("attaching the air-gapped bundle: %w", err)
	}
	return nil
}

// section puts the "Air-gapped install" section into the notes' image:
// the archives the step wrote, or in a dry run those it would write.
func (r *airGapRun) section(ctx context.Context, cfg Config, res *Result, in *notes.Input) error {
	if r == nil || in == nil || in.Image == nil {
		return nil
	}
	ac := r.cfg
	if r.result == nil {
		if !cfg.DryRun {
			return nil
		}
		images, err := bundleImages(res.Plan, ac.Extra)
		if err != nil {
			return err
		}
		bp, err := dryRunPlan(ctx, images, res.Plan.Platforms, ac)
		if err != nil {
			return fmt.Errorf("planning the air-gapped bundle: %w", err)
		}
		r.result = &AirGapResult{Archives: bp.Archives}
	}
	ag := &notes.AirGap{
		DownloadURL: fmt.Sprintf("%s/%s/releases/download/%s", cmp.Or(ac.ServerURL, "https://github.com"), in.Repository, in.Version),
		Sums:        airgap.SumsName,
	}
	if ac.Signer != nil {
		ag.Signature = sumsSignature
	}
	for _, a := range r.result.Archives {
		image := a.Image
		if len(a.Tags) > 0 {
			image = a.Tags[0]
		}
		ag.Archives = append(ag.Archives, notes.AirGapArchive{Name: a.Name, Platform: a.Platform, Image: image})
	}
	in.Image.AirGap = ag
	res.AirGap = r.result
	return nil
}

// bundleImages are the released image (the first target, by digest,
// tagged with the exact version only) and the extra images.
//
// Not the floating tags: they are the registry's view at release time. An
// archive that carried v1, v1.2 or latest would move them backwards on an
// operator's host that loads it after a newer release, and would change
// when a re-run of the release finds that a newer one took them, so that
// the re-run's archive no longer matched the one the release holds.
func bundleImages(plan release.Plan, extra []airgap.Image) ([]airgap.Image, error) {
	if len(plan.Targets) == 0 || plan.Digest == "" {
		return nil, errors.New("the air-gapped bundle needs a released image")
	}
	ref, err := name.NewDigest(plan.Targets[0].Repository + "@" + plan.Digest)
	if err != nil {
		return nil, err
	}
	main := airgap.Image{Ref: ref, Base: path.Base(ref.Context().RepositoryStr()) + "_" + plan.Version, Tags: []name.Tag{ref.Context().Tag(plan.Version)}}
	return append([]airgap.Image{main}, extra...), nil
}

// dryRunPlan names the archives of a dry run: the released image's from
// the plan's platforms (it is not in the target yet; a single-platform
// image is named without its platform), the extra images' from the
// registry.
func dryRunPlan(ctx context.Context, images []airgap.Image, platforms []release.Platform, ac *AirGapConfig) (airgap.Plan, error) {
	main := images[0]
	var tags []string
	for _, t := range main.Tags {
		tags = append(tags, t.String())
	}
	var p airgap.Plan
	for _, pl := range platforms {
		if len(ac.Platforms) > 0 && !slices.Contains(ac.Platforms, pl.Platform) {
			continue
		}
		p.Archives = append(p.Archives, airgap.Archive{Name: airgap.ArchiveName(main.Base, pl.Platform), Image: main.Ref.Context().Digest(pl.Digest).String(), Platform: pl.Platform, Tags: tags})
	}
	if len(platforms) == 0 {
		p.Archives = append(p.Archives, airgap.Archive{Name: airgap.ArchiveName(main.Base, ""), Image: main.Ref.String(), Tags: tags})
	}
	if len(images) > 1 {
		extra, err := airgap.PlanBundle(ctx, images[1:], ac.options()...)
		if err != nil {
			return airgap.Plan{}, err
		}
		p.Archives = append(p.Archives, extra.Archives...)
	}
	return p, nil
}

// options are the bundle's options with its platforms.
func (ac *AirGapConfig) options() []airgap.Option {
	if len(ac.Platforms) == 0 {
		return ac.Options
	}
	return append(slices.Clone(ac.Options), airgap.WithPlatforms(ac.Platforms...))
}
