package main

import (
	"cmp"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/pflag"

	"github.com/sonicsaas/sonic-release/airgap"
	"github.com/sonicsaas/sonic-release/internal/actions"
	"github.com/sonicsaas/sonic-release/pipeline"
)

// airGapFlags are the air-gapped bundle's flags of `release`.
type airGapFlags struct {
	enabled   bool
	images    []string
	platforms []string
}

func (f *airGapFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.enabled, "airgap", false, "attach the air-gapped bundle to the GitHub release: a docker load archive per platform, SHA256SUMS and its signature (docs/airgap.md)")
	fs.StringArrayVar(&f.images, "airgap-image", nil, "with --airgap: another image for the bundle, REPO:TAG@sha256:… such as docker.io/library/postgres:16.4@sha256:… (repeatable, or one per line)")
	fs.StringArrayVar(&f.platforms, "airgap-platform", nil, "with --airgap: bundle only these platforms, such as linux/amd64 (repeatable; default every platform)")
}

// config turns the flags into the pipeline's bundle settings, with the
// registry keychain and the blob signer (nil: unsigned); noNotes says
// that a version is released without its notes (no GitHub release).
func (f *airGapFlags) config(env actions.Env, kc authn.Keychain, signer pipeline.BlobSigner, noNotes bool) (*pipeline.AirGapConfig, error) {
	if f.enabled && noNotes {
		return nil, flagErrorf("--airgap attaches the bundle to the GitHub release of the version: it needs --notes")
	}
	if !f.enabled {
		if len(splitList(f.images)) > 0 || len(splitList(f.platforms)) > 0 {
			return nil, flagErrorf("--airgap-image and --airgap-platform need --airgap")
		}
		return nil, nil
	}
	for _, p := range splitList(f.platforms) {
		if _, err := v1.ParsePlatform(p); err != nil || strings.Count(p, "/") < 1 {
			return nil, flagErrorf("--airgap-platform %q: expected OS/ARCH[/VARIANT], such as linux/amd64", p)
		}
	}
	c := &pipeline.AirGapConfig{
		TempDir: cmp.Or(env.RunnerTemp, os.TempDir()), ServerURL: env.ServerURL, Platforms: splitList(f.platforms),
		Options: []airgap.Option{airgap.WithRemoteOptions(remote.WithAuthFromKeychain(kc))},
	}
	if signer != nil {
		c.Signer = signer
	}
	for _, s := range splitList(f.images) {
		im, err := extraImage(s)
		if err != nil {
			return nil, err
		}
		c.Extra = append(c.Extra, im)
	}
	return c, nil
}

// extraImage reads REPO:TAG@sha256:…: the image by digest, loaded as
// REPO:TAG, in archives named after the repository's last part and the
// tag (postgres_16.4_linux-amd64.tar.gz).
func extraImage(s string) (airgap.Image, error) {
	ref, digest, ok := strings.Cut(s, "@")
	tag, err := name.NewTag(ref, name.StrictValidation)
	if !ok || err != nil {
		return airgap.Image{}, flagErrorf("--airgap-image %q: expected REPO:TAG@sha256:…, such as docker.io/library/postgres:16.4@sha256:… (the tag names the loaded image)", s)
	}
	d, err := name.NewDigest(tag.Context().String() + "@" + digest)
	if err != nil {
		return airgap.Image{}, flagErrorf("--airgap-image %q: %v", s, err)
	}
	repo := tag.RepositoryStr()
	return airgap.Image{Ref: d, Tags: []name.Tag{tag}, Base: repo[strings.LastIndex(repo, "/")+1:] + "_" + tag.TagStr()}, nil
}

// splitList splits values given one per flag, one per line or
// comma-separated (the Action's multi-line inputs), empty ones left out.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
