package pipeline_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/notes"
	"github.com/sonicsaas/sonic-release/pipeline"
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
