package airgap

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/sonicsaas/sonic-release/internal/inputerr"
	"github.com/sonicsaas/sonic-release/internal/option"
)

// SumsName is the name of the checksum file of a bundle, in the format of
// `sha256sum` ("HEX  NAME" lines), which `sha256sum -c` checks.
const SumsName = "SHA256SUMS"

// Image is one image of a bundle.
type Image struct {
	// Ref is the image by digest: a platform manifest or an index, whose
	// platform images each get an archive.
	Ref name.Digest
	// Tags are the references the loaded image carries, such as
	// ghcr.io/sonicsaas/sonicsaas-app:v1.2.3. None loads it untagged.
	Tags []name.Tag
	// Base starts the names of its archives: Base_OS-ARCH.tar.gz. It must
	// be a plain file name (letters, digits, ".", "_", "-").
	Base string
}

// Archive is one archive of a bundle: one platform image of an Image.
type Archive struct {
	// Name is the file (and asset) name: sonicsaas-app_v1.2.3_linux-amd64.tar.gz.
	Name string `json:"name"`
	// Image is the platform manifest, REPOSITORY@sha256:….
	Image string `json:"image"`
	// Platform is os/arch[/variant]; empty for an image whose config
	// names none.
	Platform string `json:"platform,omitempty"`
	// Tags are the references the loaded image carries.
	Tags []string `json:"tags,omitempty"`
	// Size and SHA256 (hex) are known once written; Path is the file.
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Path   string `json:"-"`

	ref  name.Digest
	tags []name.Tag
}

// Plan is the archives of a bundle, in order: by image, then platform.
type Plan struct {
	Archives []Archive `json:"archives"`
}

// Names are the asset names of the plan: the archives, SumsName, and
// then extra (the signature's name, for example).
func (p Plan) Names(extra ...string) []string {
	var out []string
	for _, a := range p.Archives {
		out = append(out, a.Name)
	}
	return append(append(out, SumsName), extra...)
}

type options struct {
	option.Common
	remote    []remote.Option
	platforms []string
	level     int
}

// Option configures PlanBundle and Write.
type Option func(*options) error

// WithRemoteOptions sets the registry options (keychain, transport). The
// default is anonymous access with the default transport.
func WithRemoteOptions(opts ...remote.Option) Option {
	return func(o *options) error {
		o.remote = append(o.remote, opts...)
		return nil
	}
}

// WithPlatforms keeps only these platforms ("linux/amd64", "linux/arm64")
// of an index. The default is every platform image of the index.
func WithPlatforms(platforms ...string) Option {
	return func(o *options) error {
		for _, p := range platforms {
			if _, err := v1.ParsePlatform(p); err != nil || p == "" {
				return inputerr.Errorf("platform %q: expected OS/ARCH[/VARIANT], such as linux/amd64", p)
			}
		}
		o.platforms = append(o.platforms, platforms...)
		return nil
	}
}

// WithCompressionLevel sets the gzip level of the archives
// (gzip.HuffmanOnly, gzip.NoCompression to gzip.BestCompression). The
// layers in them are compressed already, so compressing again saves
// next to nothing and halves the speed (docs/airgap.md); the default is
// gzip.NoCompression: a .tar.gz of stored blocks, which gunzip, tar and
// docker load read like any other.
func WithCompressionLevel(level int) Option {
	return func(o *options) error {
		if level < gzip.HuffmanOnly || level > gzip.BestCompression {
			return fmt.Errorf("gzip level %d: expected %d to %d", level, gzip.HuffmanOnly, gzip.BestCompression)
		}
		o.level = level
		return nil
	}
}

// WithLogger sets the logger. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { return o.SetLogger(l) }
}

func makeOptions(opts []Option) (*options, error) {
	return option.Apply(&options{Common: option.Defaults(), level: gzip.NoCompression}, opts)
}

var baseRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// PlanBundle reads the manifests of images (not their layers) and names
// an archive for each platform image: an index gives one per platform
// (attestation manifests left out), an image one.
func PlanBundle(ctx context.Context, images []Image, opts ...Option) (Plan, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return Plan{}, err
	}
	ropts := append(slices.Clone(o.remote), remote.WithContext(ctx))
	var p Plan
	seen := map[string]bool{}
	for _, im := range images {
		if !baseRe.MatchString(im.Base) {
			return Plan{}, inputerr.Errorf("archive name %q: expected a plain file name (letters, digits, '.', '_', '-')", im.Base)
		}
		desc, err := remote.Get(im.Ref, ropts...)
		if err != nil {
			return Plan{}, fmt.Errorf("reading %s: %w", im.Ref, err)
		}
		var tags []string
		for _, t := range im.Tags {
			tags = append(tags, t.String())
		}
		add := func(ref name.Digest, platform string) error {
			a := Archive{Name: ArchiveName(im.Base, platform), Image: ref.String(), Platform: platform, Tags: tags, ref: ref, tags: im.Tags}
			if seen[a.Name] {
				return inputerr.Errorf("two archives would be named %s: give the images different names", a.Name)
			}
			seen[a.Name] = true
			p.Archives = append(p.Archives, a)
			return nil
		}
		if !desc.MediaType.IsIndex() {
			img, err := desc.Image()
			if err != nil {
				return Plan{}, fmt.Errorf("reading %s: %w", im.Ref, err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				return Plan{}, fmt.Errorf("reading the config of %s: %w", im.Ref, err)
			}
			platform := ""
			if p := cf.Platform(); p != nil {
				platform = p.String()
			}
			if err := add(im.Ref, platform); err != nil {
				return Plan{}, err
			}
			continue
		}
		idx, err := desc.ImageIndex()
		if err != nil {
			return Plan{}, fmt.Errorf("reading %s: %w", im.Ref, err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return Plan{}, fmt.Errorf("reading %s: %w", im.Ref, err)
		}
		n := 0
		for _, d := range m.Manifests {
			if d.Platform == nil || d.Platform.OS == "unknown" || d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" || d.MediaType.IsIndex() {
				continue
			}
			pl := d.Platform.String()
			if len(o.platforms) > 0 && !slices.Contains(o.platforms, pl) {
				continue
			}
			if err := add(im.Ref.Context().Digest(d.Digest.String()), pl); err != nil {
				return Plan{}, err
			}
			n++
		}
		if n == 0 {
			return Plan{}, inputerr.Errorf("%s has no platform image to bundle (platforms asked: %s)", im.Ref, strings.Join(o.platforms, ", "))
		}
	}
	return p, nil
}

// ArchiveName is the name of the archive of base's image for platform:
// base_linux-amd64.tar.gz for linux/amd64, base_linux-arm-v7.tar.gz for
// linux/arm/v7, base.tar.gz for no platform.
func ArchiveName(base, platform string) string {
	if platform == "" {
		return base + ".tar.gz"
	}
	return base + "_" + strings.NewReplacer("/", "-", ":", "-").Replace(platform) + ".tar.gz"
}

// Bundle is a written bundle.
type Bundle struct {
	// Archives are the plan's, with Path, Size and SHA256 filled in.
	Archives []Archive `json:"archives"`
	// Sums is the content of SHA256SUMS, written at SumsPath.
	Sums     []byte `json:"-"`
	SumsPath string `json:"-"`
}

// Write writes every archive of p, gzip-compressed, and SHA256SUMS into
// dir, which must exist: files of the same names are replaced. It holds
// a few buffers per archive in memory, whatever the size of the image.
func Write(ctx context.Context, p Plan, dir string, opts ...Option) (Bundle, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return Bundle{}, err
	}
	b := Bundle{Archives: slices.Clone(p.Archives)}
	g, gctx := errgroup.WithContext(ctx)
	// Two at a time: the CPU compresses one while the network feeds another.
	g.SetLimit(2)
	for i := range b.Archives {
		a := &b.Archives[i]
		g.Go(func() error { return o.writeOne(gctx, a, dir) })
	}
	if err := g.Wait(); err != nil {
		return Bundle{}, err
	}
	b.Sums = Sums(b.Archives)
	b.SumsPath = filepath.Join(dir, SumsName)
	if err := os.WriteFile(b.SumsPath, b.Sums, 0o644); err != nil {
		return Bundle{}, fmt.Errorf("writing %s: %w", SumsName, err)
	}
	return b, nil
}

func (o *options) writeOne(ctx context.Context, a *Archive, dir string) (err error) {
	if a.ref.DigestStr() == "" {
		if a.ref, err = name.NewDigest(a.Image); err != nil {
			return inputerr.Errorf("archive %s: image %q: %v", a.Name, a.Image, err)
		}
		for _, t := range a.Tags {
			tag, err := name.NewTag(t)
			if err != nil {
				return inputerr.Errorf("archive %s: tag %q: %v", a.Name, t, err)
			}
			a.tags = append(a.tags, tag)
		}
	}
	img, err := remote.Image(a.ref, append(slices.Clone(o.remote), remote.WithContext(ctx))...)
	if err != nil {
		return fmt.Errorf("reading %s: %w", a.Image, err)
	}
	a.Path = filepath.Join(dir, a.Name)
	f, err := os.Create(a.Path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	bw := bufio.NewWriterSize(cw, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, o.level)
	if err != nil {
		return err
	}
	if err := WriteArchive(ctx, zw, img, a.tags); err != nil {
		return fmt.Errorf("writing %s from %s: %w", a.Name, a.Image, err)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", a.Name, err)
	}
	a.Size, a.SHA256 = cw.n, hex.EncodeToString(h.Sum(nil))
	o.Log.Info("air-gapped archive written", "name", a.Name, "image", a.Image, "size", a.Size)
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Sums is the SHA256SUMS of the written archives, sorted by name, in the
// format `sha256sum -c` reads.
func Sums(archives []Archive) []byte {
	sorted := slices.Clone(archives)
	slices.SortFunc(sorted, func(x, y Archive) int { return strings.Compare(x.Name, y.Name) })
	var b strings.Builder
	for _, a := range sorted {
		b.WriteString(a.SHA256 + "  " + a.Name + "\n")
	}
	return []byte(b.String())
}
