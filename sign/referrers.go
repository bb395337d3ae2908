package sign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"golang.org/x/sync/errgroup"
)

const (
	emptyMediaType = "application/vnd.oci.empty.v1+json"
	// bundlePredicateAnnotation names the signed statement's predicate type
	// on the referrer manifest, as cosign v3 does.
	bundlePredicateAnnotation = "dev.sigstore.bundle.predicateType"
	maxBundleSize             = 4 << 20
	// BundleAnnotation carries a copy of the referrer's bundle (its JSON)
	// on the referrer manifest, so that a re-run decides "already signed
	// by this signer" from the manifest it reads anyway, without
	// downloading the bundle blob. It is our own key: cosign ignores it.
	// The copy is used only when it hashes to the bundle layer's digest
	// (byte for byte what cosign downloads), and it is verified as the
	// blob is (signature, certificate identity, log entry) before it
	// counts.
	BundleAnnotation = "dev.sonicsaas.bundle"
)

// referrerManifest is an OCI 1.1 image manifest with artifactType, which
// v1.Manifest lacks: the shape cosign v3 writes (its WriteReferrer).
type referrerManifest struct {
	v1.Manifest
	ArtifactType string `json:"artifactType,omitempty"`
}

type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

// PushBundle stores a Sigstore bundle (bundleJSON, of a DSSE envelope
// whose statement has predicateType) as a referrer of d, exactly as
// cosign v3 does for `cosign sign` and `cosign attest`
// (WriteAttestationNewBundleFormat): an OCI manifest with artifactType
// BundleMediaType, the empty config, the bundle as its one layer and
// subject d. go-containerregistry pushes it by digest and, on a registry
// without the referrers API, adds it to the sha256-<hex> fallback tag
// index; PushBundle then checks that no concurrent writer dropped it from
// that index (logging to log). It returns the referrer manifest.
func PushBundle(ctx context.Context, d name.Digest, bundleJSON []byte, predicateType string, log *slog.Logger, ropts ...remote.Option) (name.Digest, error) {
	return pushBundle(ctx, d, bundleJSON, predicateType, log, ropts, bundlePush{})
}

// bundlePush is what a caller of pushBundle already knows or holds.
type bundlePush struct {
	// subject is d's descriptor; nil: read with a HEAD.
	subject *v1.Descriptor
	// tr is an authenticated transport to d's registry: the two blobs go
	// up in one or two requests each (postBlob) and the manifest in one
	// PUT whose answer says whether the registry lists it as a referrer
	// itself. nil: go-containerregistry's uploads and Put.
	tr http.RoundTripper
	// api remembers whether the registry has the referrers API.
	api *referrersAPI
	// later, when set, takes the check that the referrer stays listed in
	// the fallback tag (ensureListed) to run it in the background
	// (Signer.Settle waits for it); nil runs it before pushBundle returns.
	later func(check func(context.Context) error)
	// blobs, when set, uploads each blob once per repository for all the
	// bundles a Signer pushes at once: they share the empty config blob,
	// and a registry may fail a manifest whose blob another upload of the
	// same digest is committing at that moment (distribution v3 does).
	blobs *blobUploads
}

// blobUploads runs one upload per repository and digest at a time and
// remembers those that succeeded.
type blobUploads struct {
	mu   sync.Mutex
	keys map[string]*blobUpload
}

type blobUpload struct {
	mu   sync.Mutex
	done bool
}

// once runs upload for the blob key unless it succeeded before; callers
// for the same key wait for each other.
func (b *blobUploads) once(key string, upload func() error) error {
	if b == nil {
		return upload()
	}
	b.mu.Lock()
	if b.keys == nil {
		b.keys = map[string]*blobUpload{}
	}
	u, ok := b.keys[key]
	if !ok {
		u = &blobUpload{}
		b.keys[key] = u
	}
	b.mu.Unlock()
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return nil
	}
	if err := upload(); err != nil {
		return err
	}
	u.done = true
	return nil
}

func pushBundle(ctx context.Context, d name.Digest, bundleJSON []byte, predicateType string, log *slog.Logger, ropts []remote.Option, bp bundlePush) (name.Digest, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ropts = append(append([]remote.Option{}, ropts...), remote.WithContext(ctx))
	subj := bp.subject
	if subj == nil {
		var err error
		if subj, err = remote.Head(d, ropts...); err != nil {
			return name.Digest{}, fmt.Errorf("reading %s: %w", d, err)
		}
	}
	config := static.NewLayer([]byte("{}"), emptyMediaType)
	layer := static.NewLayer(bundleJSON, BundleMediaType)
	layers := []v1.Layer{config, layer}
	descs := make([]v1.Descriptor, len(layers))
	g, gctx := errgroup.WithContext(ctx)
	for i, l := range layers {
		h, _ := l.Digest()
		n, _ := l.Size()
		mt, _ := l.MediaType()
		descs[i] = v1.Descriptor{MediaType: mt, Digest: h, Size: n}
		g.Go(func() error {
			return bp.blobs.once(d.Repository.Name()+"@"+h.String(), func() error {
				if bp.tr != nil {
					if done, err := postBlob(gctx, bp.tr, d.Repository, l); done || err != nil {
						return err
					}
				}
				if err := remote.WriteLayer(d.Repository, l, append(slices.Clip(ropts), remote.WithContext(gctx))...); err != nil {
					return fmt.Errorf("uploading a blob: %w", err)
				}
				return nil
			})
		})
	}
	if err := g.Wait(); err != nil {
		return name.Digest{}, err
	}
	descs[0].ArtifactType = BundleMediaType // as cosign v3 writes it
	m := referrerManifest{Manifest: v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        descs[0],
		Layers:        descs[1:],
		Subject:       &v1.Descriptor{MediaType: subj.MediaType, Digest: subj.Digest, Size: subj.Size},
		Annotations: map[string]string{
			"org.opencontainers.image.created": time.Now().UTC().Format(time.RFC3339),
			"dev.sigstore.bundle.content":      "dsse-envelope",
			bundlePredicateAnnotation:          predicateType,
			BundleAnnotation:                   string(bundleJSON),
		},
	}, ArtifactType: BundleMediaType}
	raw, err := json.Marshal(m)
	if err != nil {
		return name.Digest{}, err
	}
	h, n, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return name.Digest{}, err
	}
	ref := d.Context().Digest(h.String())
	desc := v1.Descriptor{MediaType: types.OCIManifestSchema1, Digest: h, Size: n, ArtifactType: BundleMediaType, Annotations: m.Annotations}
	start := time.Now()
	if bp.tr == nil {
		// go-containerregistry adds it to the fallback tag itself.
		if err := remote.Put(ref, rawManifest{raw, types.OCIManifestSchema1}, ropts...); err != nil {
			return name.Digest{}, err
		}
	} else {
		listed, err := putReferrer(ctx, bp.tr, ref, raw)
		if err != nil {
			return name.Digest{}, err
		}
		if listed {
			bp.api.set(d.RegistryStr(), true)
			return ref, nil
		}
		api, err := bp.api.hasAPI(ctx, d, ropts, bp.tr)
		if err != nil {
			return name.Digest{}, err
		}
		if api {
			return ref, nil
		}
		if err := addToFallback(d, desc, ropts); err != nil {
			return name.Digest{}, err
		}
	}
	took := time.Since(start)
	check := func(ctx context.Context) error {
		// ropts carry pushBundle's context; the check may run after it ended.
		return ensureListed(ctx, d, desc, took, log, append(slices.Clip(ropts), remote.WithContext(ctx)), bp.api, bp.tr)
	}
	if bp.later != nil {
		bp.later(check)
		return ref, nil
	}
	if err := check(ctx); err != nil {
		return name.Digest{}, err
	}
	return ref, nil
}

// putReferrer PUTs the referrer manifest raw as ref through tr; listed
// says that the registry answered with OCI-Subject: it lists the
// referrer by the referrers API itself.
func putReferrer(ctx context.Context, tr http.RoundTripper, ref name.Digest, raw []byte) (listed bool, err error) {
	repo := ref.Context()
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/manifests/" + ref.DigestStr()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), bytes.NewReader(raw))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", string(types.OCIManifestSchema1))
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK, http.StatusCreated, http.StatusAccepted); err != nil {
		return false, err
	}
	return resp.Header.Get("OCI-Subject") != "", nil
}

// addToFallback adds desc to d's fallback tag index, read just before:
// what go-containerregistry's Put does on a registry without the
// referrers API, without asking the registry again whether it has it.
func addToFallback(d name.Digest, desc v1.Descriptor, ropts []remote.Option) error {
	tag := fallbackTag(d)
	idx, err := readFallback(tag, ropts)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(idx.Manifests, func(m v1.Descriptor) bool { return m.Digest == desc.Digest }) {
		return nil
	}
	idx.Manifests = append(idx.Manifests, desc)
	slices.SortFunc(idx.Manifests, func(a, b v1.Descriptor) int { return strings.Compare(a.Digest.String(), b.Digest.String()) })
	if err := remote.Put(tag, fallbackIndex{idx}, ropts...); err != nil {
		return fmt.Errorf("updating the referrers fallback tag %s: %w", tag, err)
	}
	return nil
}

// Settling of the fallback tag index (see ensureListed).
var (
	fallbackMinSettle = 100 * time.Millisecond
	fallbackMaxSettle = 5 * time.Second
	fallbackRounds    = 8 // re-adds before giving up
)

// ensureListed makes sure the referrer desc of d stays listed; took is
// how long its push took. A registry with the referrers API lists it
// itself. Without it, the sha256-<hex> fallback tag holds an image index
// that every writer reads, extends and writes back, and a concurrent
// writer that read it before our write drops our entry when it writes.
// The OCI distribution spec defines no conditional manifest PUT
// (distribution v3.0.0 does not read If-Match, and go-containerregistry
// sends none), so we wait until any writer that read before our write has
// written, and read again: the wait is as long as our own push, which
// made three or four requests (the manifest, the referrers probe unless r
// knows the answer, the index read and write) where such a writer has
// only its write left; at least fallbackMinSettle. If our entry is gone
// we add it back to what is there now, wait twice that read-modify-write,
// and check again. Our writes only ever add to what we read, so no other
// writer's entry is lost by us either.
func ensureListed(ctx context.Context, d name.Digest, desc v1.Descriptor, took time.Duration, log *slog.Logger, ropts []remote.Option, r *referrersAPI, tr http.RoundTripper) error {
	api, err := r.hasAPI(ctx, d, ropts, tr)
	if err != nil {
		return err
	}
	if api {
		return nil
	}
	tag := fallbackTag(d)
	settle := min(max(took, fallbackMinSettle), fallbackMaxSettle)
	for round := 0; round < fallbackRounds; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(settle):
		}
		start := time.Now()
		idx, err := readFallback(tag, ropts)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(idx.Manifests, func(m v1.Descriptor) bool { return m.Digest == desc.Digest }) {
			return nil
		}
		// Dropped by a concurrent writer: add it back to what is there now.
		round++
		log.Warn("a concurrent writer dropped our referrer from the fallback tag index; adding it again", "tag", tag.String(), "referrer", desc.Digest.String())
		idx.Manifests = append(idx.Manifests, desc)
		slices.SortFunc(idx.Manifests, func(a, b v1.Descriptor) int { return strings.Compare(a.Digest.String(), b.Digest.String()) })
		if err := remote.Put(tag, fallbackIndex{idx}, ropts...); err != nil {
			return fmt.Errorf("updating the referrers fallback tag %s: %w", tag, err)
		}
		settle = min(max(2*time.Since(start), fallbackMinSettle), fallbackMaxSettle)
	}
	return fmt.Errorf("the referrers fallback tag %s kept losing our entry %s to concurrent writers after %d attempts; run again", tag, desc.Digest, fallbackRounds)
}

type fallbackIndex struct{ im *v1.IndexManifest }

func (f fallbackIndex) RawManifest() ([]byte, error)        { return json.Marshal(f.im) }
func (f fallbackIndex) MediaType() (types.MediaType, error) { return types.OCIImageIndex, nil }

// fallbackTag is the referrers tag schema's tag for d: sha256-<hex>.
func fallbackTag(d name.Digest) name.Tag {
	return d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1))
}

func readFallback(tag name.Tag, ropts []remote.Option) (*v1.IndexManifest, error) {
	desc, err := remote.Get(tag, ropts...)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return &v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the referrers fallback tag %s: %w", tag, err)
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(desc.Manifest))
	if err != nil {
		return nil, fmt.Errorf("reading the referrers fallback tag %s: %w", tag, err)
	}
	return im, nil
}

// foundBundle is a bundle stored as a referrer.
type foundBundle struct {
	manifest name.Digest
	bundle   *bundle.Bundle
}

// listBundles reads the Sigstore bundles that refer to d (by the
// referrers API or the fallback tag, r.list; tr as for apiReferrers),
// reading the referrer
// manifests at once. Referrers of other types, and manifests without a
// readable bundle, are skipped. With annotated, a referrer manifest that
// carries its bundle in BundleAnnotation (as PushBundle writes it) is
// read from there, without downloading its blob; one without it (written
// by cosign or an older sonic-release) is read from its blob. The caller
// verifies every bundle either way. Verification of what cosign sees
// passes annotated false: the blob is what cosign reads.
func listBundles(ctx context.Context, d name.Digest, ropts []remote.Option, annotated bool, r *referrersAPI, tr http.RoundTripper) ([]foundBundle, error) {
	im, err := r.list(ctx, d, ropts, tr)
	if err != nil {
		return nil, err
	}
	var refs []name.Digest
	for _, desc := range im.Manifests {
		// go-containerregistry before v0.21 (in cosign v2.6.5) lists a
		// referrer in the fallback index under its config media type, the
		// empty one, not its artifactType: look into those too.
		switch desc.ArtifactType {
		case BundleMediaType, emptyMediaType, "":
			refs = append(refs, d.Context().Digest(desc.Digest.String()))
		}
	}
	found := make([]*foundBundle, len(refs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, ref := range refs {
		g.Go(func() error {
			b, err := readBundle(ref, append(slices.Clip(ropts), remote.WithContext(gctx)), annotated)
			if b != nil {
				found[i] = &foundBundle{manifest: ref, bundle: b}
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []foundBundle
	for _, f := range found {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// readBundle reads the bundle of the referrer manifest ref (nil when it
// has none that can be read; see listBundles).
func readBundle(ref name.Digest, ropts []remote.Option, annotated bool) (*bundle.Bundle, error) {
	// A referrer that cannot be read (deleted, but still listed in a
	// fallback index; not an image manifest) verifies nothing: skip it.
	img, err := remote.Image(ref, ropts...)
	if err != nil {
		return nil, nil
	}
	if annotated {
		// The copy is taken when it is the bundle layer byte for byte
		// (its digest): then it is what cosign downloads.
		if m, err := img.Manifest(); err == nil && m.Annotations[BundleAnnotation] != "" {
			copied := []byte(m.Annotations[BundleAnnotation])
			h, _, _ := v1.SHA256(bytes.NewReader(copied))
			if slices.ContainsFunc(m.Layers, func(l v1.Descriptor) bool { return l.MediaType == BundleMediaType && l.Digest == h }) {
				b, err := parseBundle(copied)
				if err != nil {
					return nil, nil // a bundle we cannot read verifies nothing
				}
				return b, nil
			}
		}
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, nil
	}
	for _, l := range layers {
		if mt, _ := l.MediaType(); mt != BundleMediaType {
			continue
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, fmt.Errorf("reading the bundle of %s: %w", ref, err)
		}
		raw, err := io.ReadAll(io.LimitReader(rc, maxBundleSize))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the bundle of %s: %w", ref, err)
		}
		b, err := parseBundle(raw)
		if err != nil {
			return nil, nil // not a bundle we can read: verifies nothing
		}
		return b, nil
	}
	return nil, nil
}

func parseBundle(raw []byte) (*bundle.Bundle, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("reading a Sigstore bundle: %w", err)
	}
	return &b, nil
}
