package release_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
)

// TestPublishedTags lists two repositories of a loopback registry and a
// missing one, and checks the union. (The in-memory registry does not
// paginate: TestPublishedTagsAuth does, against distribution.)
func TestPublishedTags(t *testing.T) {
	t.Parallel()
	reg := registrytest.NewMemory(t)
	img := image(t, sha)
	for _, ref := range []string{"acme/app:v1.2.0", "acme/app:v1.1.4", "acme/app:latest", "mirror/app:v1.1.4", "mirror/app:v1.3.0-rc.1"} {
		push(t, reg.Repo(ref), img)
	}
	repos := []name.Repository{repo(t, reg.Repo("acme/app")), repo(t, reg.Repo("mirror/app")), repo(t, reg.Repo("acme/new")), repo(t, reg.Repo("acme/app"))}
	reg.Counter.Reset()
	got, err := release.PublishedTags(t.Context(), repos)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"latest", "v1.1.4", "v1.2.0", "v1.3.0-rc.1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	// One listing per repository (acme/new: a 404), the repository given
	// twice listed once.
	var lists []string
	for _, r := range reg.Counter.Requests() {
		if strings.Contains(r, "/tags/list") {
			lists = append(lists, r)
		}
	}
	if n := len(lists); n != 3 {
		t.Errorf("%d tag listings, want 3:\n%s", n, strings.Join(lists, "\n"))
	}
	if n := reg.Counter.Count("GET") + reg.Counter.Count("HEAD"); n-len(lists) > 1 {
		t.Errorf("%s: only the /v2/ ping and tag listings expected", reg.Counter.Summary())
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("listing wrote: %q", w)
	}

	none, err := release.PublishedTags(t.Context(), []name.Repository{repo(t, reg.Repo("acme/none"))})
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("missing repository: %q, %v; want no tags and no error", none, err)
	}
}

// TestPublishedTagsAuth lists from the real distribution registry with
// htpasswd authentication, page by page: with the credentials, and
// without (a 401).
func TestPublishedTagsAuth(t *testing.T) {
	t.Parallel()
	reg := registrytest.StartRegistry(t)
	auth := remote.WithAuthFromKeychain(reg.Keychain())
	img := image(t, sha)
	for _, tag := range []string{"v1.2.0", "v1.1.4", "latest"} {
		push(t, reg.Repo("acme/app:"+tag), img, auth)
	}
	repos := []name.Repository{repo(t, reg.Repo("acme/app")), repo(t, reg.Repo("acme/new"))}

	reg.Counter.Reset()
	got, err := release.PublishedTags(t.Context(), repos, release.WithKeychain(reg.Keychain()), release.WithPageSize(2))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"latest", "v1.1.4", "v1.2.0"}, got); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	lists := 0
	for _, r := range reg.Counter.Requests() {
		if strings.Contains(r, "/tags/list") {
			lists++
		}
	}
	if lists != 3 { // acme/app: two pages of 2; acme/new: one 404
		t.Errorf("%d tag listings, want 3:\n%s", lists, strings.Join(reg.Counter.Requests(), "\n"))
	}

	_, err = release.PublishedTags(t.Context(), repos[:1])
	var terr *transport.Error
	if !errors.As(err, &terr) || terr.StatusCode != 401 {
		t.Fatalf("without credentials: %v, want a 401", err)
	}
	if !strings.Contains(err.Error(), repos[0].Name()) {
		t.Errorf("the error does not name the repository: %v", err)
	}
}
