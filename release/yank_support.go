package release

import (
	"bytes"
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// Registry reads and re-points the existing tags of some repositories,
// for commands that work on what a release already published (yank): the
// same clients, credentials, retries and concurrency (WithJobs) as
// BuildPlan and Apply, one authentication per registry for all calls.
type Registry struct {
	o *options
	c *clients
}

// NewRegistry prepares access to repos; write asks for push credentials
// (a token that may write) as well as pull ones. It sends nothing.
func NewRegistry(repos []name.Repository, write bool, opts ...Option) (*Registry, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	var push []name.Repository
	if write {
		push = repos
	}
	return &Registry{o: o, c: newClients(o, repos, push)}, nil
}

// Tags lists the tags of repo (paginated); a repository that does not
// exist has none.
func (r *Registry) Tags(ctx context.Context, repo name.Repository) ([]string, error) {
	return listTags(ctx, r.c, repo)
}

// Digests reads the digest each of tags points at in repo, concurrently;
// a missing tag maps to "".
func (r *Registry) Digests(ctx context.Context, repo name.Repository, tags []string) (map[string]string, error) {
	out := make([]string, len(tags))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.jobs)
	for i, t := range tags {
		g.Go(func() (err error) {
			out[i], err = headDigest(gctx, r.c, repo.Tag(t))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(tags))
	for i, t := range tags {
		m[t] = out[i]
	}
	return m, nil
}

// Retag points tag of repo at digest, a manifest repo already holds (a
// GET of the manifest, a PUT by tag; no blob moves).
func (r *Registry) Retag(ctx context.Context, repo name.Repository, tag, digest string) error {
	d, err := name.NewDigest(repo.Name()+"@"+digest, name.StrictValidation)
	if err != nil {
		return badInputf("digest %q: %v", digest, err)
	}
	desc, err := r.c.Get(ctx, d)
	if err != nil {
		return fmt.Errorf("reading %q: %w", d.String(), err)
	}
	if err := r.c.Put(ctx, repo.Tag(tag), desc); err != nil {
		return fmt.Errorf("pointing %q at %s: %w", repo.Name()+":"+tag, digest, err)
	}
	r.o.Log.Info("tag moved", "repo", repo.Name(), "tag", tag, "to", digest)
	return nil
}

// EmptyJSON is the OCI empty descriptor's content, "{}": the config (and
// only layer) of an artifact manifest that carries nothing but
// annotations.
var EmptyJSON = []byte("{}")

// EmptyDigest is the digest of EmptyJSON.
const EmptyDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

// PutArtifact uploads EmptyJSON as a blob of repo (a no-op when there)
// and puts manifest, an OCI image manifest referring only to it, under
// tag. It returns the manifest's digest.
func (r *Registry) PutArtifact(ctx context.Context, repo name.Repository, tag string, manifest []byte) (string, error) {
	if err := r.c.Upload(ctx, repo, static.NewLayer(EmptyJSON, types.OCIEmptyJSON)); err != nil {
		return "", fmt.Errorf("uploading the empty blob to %q: %w", repo.Name(), err)
	}
	m := rawManifest(manifest)
	if err := r.c.Put(ctx, repo.Tag(tag), m); err != nil {
		return "", fmt.Errorf("writing %q: %w", repo.Name()+":"+tag, err)
	}
	d, _, err := v1.SHA256(bytes.NewReader(manifest))
	if err != nil {
		return "", err
	}
	r.o.Log.Info("tag written", "repo", repo.Name(), "tag", tag, "digest", d.String())
	return d.String(), nil
}

// rawManifest is an OCI image manifest given as bytes.
type rawManifest []byte

func (m rawManifest) RawManifest() ([]byte, error)        { return m, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
