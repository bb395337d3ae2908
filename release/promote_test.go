package release_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

// countingTransport records "METHOD path?query" of every request.
type countingTransport struct {
	mu   sync.Mutex
	reqs []string
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r.Method+" "+r.URL.RequestURI())
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// blobWrites are the requests that start, send or finish a blob upload,
// and the mounts among them.
func (c *countingTransport) blobWrites() (uploads, mounts []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.reqs {
		if strings.HasPrefix(r, "GET ") || strings.HasPrefix(r, "HEAD ") || !strings.Contains(r, "/blobs/") {
			continue
		}
		if strings.Contains(r, "mount=") {
			mounts = append(mounts, r)
		} else {
			uploads = append(uploads, r)
		}
	}
	return uploads, mounts
}

// TestPromoteTestedImage, against the real distribution registry: the
// push to master released its build as master-<sha>; the tag's release
// promotes that very image (same digest) without uploading a blob: the
// manifest is written under the version's tags in its repository, and its
// blobs are mounted into a mirror of the same registry.
func TestPromoteTestedImage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.StartRegistry(t)
	auth, kc := remote.WithAuthFromKeychain(reg.Keychain()), release.WithKeychain(reg.Keychain())
	app, mirror := repo(t, reg.Repo("acme/app")), repo(t, reg.Repo("mirror/app"))
	build := push(t, reg.Repo("acme/build:ci"), index(t, sha), auth)
	doRelease(t, ctx, release.RegistrySource(build), []name.Repository{app}, "refs/heads/master", kc)

	ev := event(t, "refs/tags/v1.2.3")
	p, err := release.Promote(ctx, app, ev, tagging.Policy{}, kc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Tag != app.Tag("master-0123456").String() || p.Digest != build.DigestStr() || p.Revision != sha {
		t.Errorf("promotion %+v, want master-0123456 at %s", p, build.DigestStr())
	}
	ct := &countingTransport{}
	plan, err := release.BuildPlan(ctx, p.Source, []name.Repository{app, mirror}, ev, tagging.Policy{}, kc, release.WithTransport(ct))
	if err != nil {
		t.Fatal(err)
	}
	defer plan.Close()
	if _, err := release.Apply(ctx, plan, kc, release.WithTransport(ct)); err != nil {
		t.Fatal(err)
	}
	uploads, mounts := ct.blobWrites()
	if len(uploads) != 0 {
		t.Errorf("blob uploads %v, want none", uploads)
	}
	if len(mounts) == 0 {
		t.Error("no blob mounted into the mirror: the transport saw no blob request")
	}
	for _, m := range mounts {
		if !strings.Contains(m, "/mirror/app/") || !strings.Contains(m, "from=acme%2Fapp") {
			t.Errorf("mount %s, want mounts from acme/app into the mirror only", m)
		}
	}
	for _, r := range []name.Repository{app, mirror} {
		if got := tagsOf(t, r, auth)["v1.2.3"]; got != build.DigestStr() {
			t.Errorf("%s:v1.2.3 = %s, want the tested %s", r, got, build.DigestStr())
		}
	}
}

// TestPromoteBackportAndRefusals: a backport's image is found by its
// release branch's commit tag; a missing image, one without a revision
// label and one of another commit are refused, saying which run should
// have built it and how to release a build instead.
func TestPromoteBackportAndRefusals(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.NewMemory(t)
	app := repo(t, reg.Repo("acme/app"))
	d := push(t, reg.Repo("acme/app:release-1.1-0123456"), image(t, sha))
	p, err := release.Promote(ctx, app, event(t, "refs/tags/v1.1.4"), tagging.Policy{})
	if err != nil || p.Digest != d.DigestStr() || !strings.HasSuffix(p.Tag, ":release-1.1-0123456") {
		t.Fatalf("backport promotion %+v, %v; want release-1.1-0123456", p, err)
	}

	// Nothing built for the commit of v1.2.0.
	_, err = release.Promote(ctx, app, event(t, "refs/tags/v1.2.0"), tagging.Policy{})
	te, ok := errors.AsType[*release.TestedImageError](err)
	if !ok || !te.Refused() || te.Found != "" {
		t.Fatalf("err = %v, want a *TestedImageError for a missing image", err)
	}
	for _, s := range []string{"master-0123456 nor release-1.2-0123456", "push of commit 0123456789ab to master", "by digest", "acme/app@sha256:"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error lacks %q: %v", s, err)
		}
	}

	// An image without a revision label, and one of another commit.
	push(t, reg.Repo("acme/app:master-0123456"), image(t, ""))
	_, err = release.Promote(ctx, app, event(t, "refs/tags/v1.2.0"), tagging.Policy{})
	if te, ok := errors.AsType[*release.TestedImageError](err); !ok || te.Found != "master-0123456" || !strings.Contains(err.Error(), "has no "+release.RevisionLabel) {
		t.Errorf("unlabelled image: %v", err)
	}
	push(t, reg.Repo("acme/app:master-0123456"), image(t, strings.Repeat("f", 40)))
	_, err = release.Promote(ctx, app, event(t, "refs/tags/v1.2.0"), tagging.Policy{})
	if te, ok := errors.AsType[*release.TestedImageError](err); !ok || te.Revision != strings.Repeat("f", 40) || !strings.Contains(err.Error(), "was built from commit ffff") {
		t.Errorf("image of another commit: %v", err)
	}

	// A branch push has no tested image to promote.
	ev, _ := tagging.ParseEvent(tagging.EventInput{Ref: "refs/heads/master", SHA: sha})
	if _, err := release.Promote(ctx, app, ev, tagging.Policy{}); err == nil {
		t.Error("promoted for a branch push")
	}
}
