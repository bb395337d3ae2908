package pipeline_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/sign"
)

// pullsListed closes listed once a listing of pull requests was answered.
type pullsListed struct {
	base   http.RoundTripper
	once   sync.Once
	listed chan struct{}
}

func (p *pullsListed) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := p.base.RoundTrip(r)
	if err == nil && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/pulls") {
		p.once.Do(func() { close(p.listed) })
	}
	return resp, err
}

// signerAfterListing fails the signature, but only once the notes' pull
// requests were listed: it holds the tag step until then.
type signerAfterListing struct{ listed <-chan struct{} }

func (s signerAfterListing) Sign(ctx context.Context, _ name.Digest) error {
	select {
	case <-s.listed:
		return errors.New("the signing service is down")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestNotesReadWhileTagging: the notes' pull requests are listed from
// GitHub while the tags are written and signed, not after: the signer
// here cannot finish before the listing is answered (a job that listed
// them after signing would wait for ever; the context ends it, failing
// the test). The signature then fails, and nothing is published: the
// draft made before the first tag stays a draft without notes, and the
// floating tags do not move.
func TestNotesReadWhileTagging(t *testing.T) {
	t.Parallel()
	f := setup(t)
	gh := fakegithub.New(t)
	gh.AddRelease("acme/app", fakegithub.Release{TagName: "v1.1.0"})
	for n, title := range map[int]string{2: "feat(tickets): customer notes", 3: "fix(api): trim ticket titles",
		4: "feat!: replace customer status with lifecycle stage", 5: "docs: upgrade notes for 1.2"} {
		gh.AddPull("acme/app", fakegithub.PullRequest{Number: n, Title: title, Base: "master", MergedAt: time.Unix(0, 0)})
	}
	cfg, progress := f.draftConfig(t, gh, "v1.2.0")
	tr := &pullsListed{base: gh.Client().Transport, listed: make(chan struct{})}
	cfg.Notes.Options = []notes.Option{notes.WithHTTPClient(&http.Client{Transport: tr}), notes.WithAPIURL(gh.URL)}
	cfg.Signer = signerAfterListing{tr.listed}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	res, err := pipeline.Run(ctx, cfg)
	res.Plan.Close()
	if err == nil || !strings.Contains(err.Error(), "the signing service is down") {
		t.Fatalf("err = %v, want the signing failure (after the pull requests were listed)", err)
	}
	calls := gh.Calls()
	if calls["pulls/list"] != 1 {
		t.Errorf("calls %v: want the pull requests listed once", calls)
	}
	if calls["repos/update-release"] != 0 {
		t.Errorf("calls %v: a release whose signing failed was updated", calls)
	}
	rel, ok := gh.Release("acme/app", "v1.2.0")
	if !ok || !rel.Draft || strings.Contains(rel.Body, notes.BeginMarker) {
		t.Errorf("release %+v: want the draft, without notes", rel)
	}
	if res.Notes != nil || res.Published != nil {
		t.Errorf("notes %v, published %+v for a failed release", res.Notes != nil, res.Published)
	}
	for _, s := range *progress {
		if s == "notes" || s == "publish" || s == "floating tags" {
			t.Errorf("step %q ran although signing failed (steps %q)", s, *progress)
		}
	}
	if tags := f.tags(t); tags["v1.2"] != "" || tags["latest"] != "" {
		t.Errorf("floating tags written although signing failed: %v", tags)
	}
}

// countingSigner counts the image signatures written.
type countingSigner struct {
	s *sign.Signer
	n *atomic.Int32
}

func (c countingSigner) Sign(ctx context.Context, d name.Digest) error {
	err := c.s.Sign(ctx, d)
	if err == nil {
		c.n.Add(1)
	}
	return err
}

// provenanceGate signs the provenance and says so, noting how many image
// signatures were written by then.
type provenanceGate struct {
	s      *sign.Signer
	sigs   *atomic.Int32
	at     atomic.Int32
	once   sync.Once
	signed chan struct{}
}

func (g *provenanceGate) SignDSSE(ctx context.Context, payloadType string, payload []byte) (*sign.Envelope, error) {
	g.once.Do(func() {
		g.at.Store(g.sigs.Load())
		close(g.signed)
	})
	return g.s.SignDSSE(ctx, payloadType, payload)
}

// floatingGate holds the PUT of a floating tag until the provenance is
// signed.
type floatingGate struct {
	base   http.RoundTripper
	tag    string
	signed <-chan struct{}
}

func (f floatingGate) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/manifests/"+f.tag) {
		select {
		case <-f.signed:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return f.base.RoundTrip(r)
}

// TestProvenanceWhileFloatingTags: the provenance is attested once every
// image signature is written, while the floating tags go up: the PUT of
// v1.2 here waits until the provenance is signed (a job that attested
// after the floating tags would wait for ever; the context ends it,
// failing the test).
func TestProvenanceWhileFloatingTags(t *testing.T) {
	t.Parallel()
	f := setup(t)
	src, commit, s, app, mirror, build := f.provenanceRelease(t)
	sigs := &atomic.Int32{}
	gate := &provenanceGate{s: s, sigs: sigs, signed: make(chan struct{})}
	var steps []string
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res, err := pipeline.Run(ctx, pipeline.Config{
		Source: src, Targets: []name.Repository{app, mirror}, Event: event("v1.2.0", commit),
		Release:    []release.Option{release.WithTransport(floatingGate{base: http.DefaultTransport, tag: "v1.2", signed: gate.signed})},
		Signer:     countingSigner{s, sigs},
		Provenance: &pipeline.ProvenanceConfig{Build: build, Signer: gate},
		Progress:   func(step string) { steps = append(steps, step) },
	})
	res.Plan.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Provenance == nil || len(res.Provenance.Attached) != 2 {
		t.Fatalf("provenance = %+v", res.Provenance)
	}
	if n := gate.at.Load(); n != 2 {
		t.Errorf("the provenance was signed after %d of 2 image signatures", n)
	}
	if i, j := index(steps, "floating tags"), index(steps, "provenance"); i < 0 || j != i+1 {
		t.Errorf("steps %q: want provenance right after the floating tags step starts", steps)
	}
	if tags := f.tags(t); tags["v1.2"] != res.Plan.Digest || tags["latest"] != res.Plan.Digest {
		t.Errorf("floating tags %v, want them on %s", tags, res.Plan.Digest)
	}
}
