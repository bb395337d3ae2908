package release_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

// TestReleaseSequence publishes a series of releases into one repository
// and checks, after each, where every tag points.
func TestReleaseSequence(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.NewMemory(t)
	target := repo(t, reg.Repo("acme/app"))
	digests := map[string]string{} // version -> digest
	steps := []struct {
		name, version string
		ops           string
		want          map[string]string // tag -> version
	}{
		{"first release", "v1.0.0", "v1.0.0=create v1.0=create v1=create latest=create",
			map[string]string{"v1.0.0": "v1.0.0", "v1.0": "v1.0.0", "v1": "v1.0.0", "latest": "v1.0.0"}},
		{"patch", "v1.0.1", "v1.0.1=create v1.0=move v1=move latest=move",
			map[string]string{"v1.0.0": "v1.0.0", "v1.0.1": "v1.0.1", "v1.0": "v1.0.1", "v1": "v1.0.1", "latest": "v1.0.1"}},
		{"minor", "v1.1.0", "v1.1.0=create v1.1=create v1=move latest=move",
			map[string]string{"v1.0.0": "v1.0.0", "v1.0.1": "v1.0.1", "v1.0": "v1.0.1", "v1.1.0": "v1.1.0", "v1.1": "v1.1.0", "v1": "v1.1.0", "latest": "v1.1.0"}},
		{"major", "v2.0.0", "v2.0.0=create v2.0=create v2=create latest=move",
			map[string]string{"v1.0.0": "v1.0.0", "v1.0.1": "v1.0.1", "v1.0": "v1.0.1", "v1.1.0": "v1.1.0", "v1.1": "v1.1.0", "v1": "v1.1.0",
				"v2.0.0": "v2.0.0", "v2.0": "v2.0.0", "v2": "v2.0.0", "latest": "v2.0.0"}},
		{"backport", "v1.0.2", "v1.0.2=create v1.0=move v1=skip latest=skip",
			map[string]string{"v1.0.0": "v1.0.0", "v1.0.1": "v1.0.1", "v1.0.2": "v1.0.2", "v1.0": "v1.0.2", "v1.1.0": "v1.1.0", "v1.1": "v1.1.0", "v1": "v1.1.0",
				"v2.0.0": "v2.0.0", "v2.0": "v2.0.0", "v2": "v2.0.0", "latest": "v2.0.0"}},
		{"pre-release", "v2.1.0-rc.1", "v2.1.0-rc.1=create",
			map[string]string{"v1.0.0": "v1.0.0", "v1.0.1": "v1.0.1", "v1.0.2": "v1.0.2", "v1.0": "v1.0.2", "v1.1.0": "v1.1.0", "v1.1": "v1.1.0", "v1": "v1.1.0",
				"v2.0.0": "v2.0.0", "v2.0": "v2.0.0", "v2": "v2.0.0", "latest": "v2.0.0", "v2.1.0-rc.1": "v2.1.0-rc.1"}},
	}
	for _, st := range steps {
		src := push(t, reg.Repo("acme/build:"+st.version), image(t, sha))
		digests[st.version] = src.DigestStr()
		plan, _ := doRelease(t, ctx, release.RegistrySource(src), []name.Repository{target}, "refs/tags/"+st.version)
		if got := ops(plan, 0); got != st.ops {
			t.Errorf("%s: plan ops = %q, want %q", st.name, got, st.ops)
		}
		want := map[string]string{}
		for tag, v := range st.want {
			want[tag] = digests[v]
		}
		if diff := cmp.Diff(want, tagsOf(t, target)); diff != "" {
			t.Fatalf("%s: tags (-want +got):\n%s", st.name, diff)
		}
	}
}

// TestRerunWritesNothing releases, then re-runs the same release (and a
// dry-run plan): the re-run sends no write request at all.
func TestRerunWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.NewMemory(t)
	src := push(t, reg.Repo("acme/build:ci"), image(t, sha))
	targets := []name.Repository{repo(t, reg.Repo("acme/app"))}
	_, res := doRelease(t, ctx, release.RegistrySource(src), targets, "refs/tags/v1.2.3")
	if len(res.Written) != 4 {
		t.Fatalf("first run wrote %v, want 4 tags", res.Written)
	}

	reg.Counter.Reset()
	plan, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v1.2.3"), tagging.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("planning (dry-run) sent writes: %v", w)
	}
	if got := ops(plan, 0); got != "v1.2.3=unchanged v1.2=unchanged v1=unchanged latest=unchanged" {
		t.Errorf("re-run plan = %s", got)
	}
	res, err = release.Apply(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	if w := reg.Counter.Writes(); len(w) != 0 || len(res.Written) != 0 {
		t.Errorf("re-run sent writes %v, result %v", w, res.Written)
	}
	t.Logf("re-run: %s", reg.Counter.Summary())
}

// TestConflictWritesNothingAnywhere: v1.2.3 already exists on another
// digest in the second of two targets: nothing is written in either.
func TestConflictWritesNothingAnywhere(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b := registrytest.NewMemory(t), registrytest.NewMemory(t)
	old := push(t, b.Repo("acme/app:v1.2.3"), image(t, ""))
	src := push(t, a.Repo("acme/build:ci"), image(t, sha))
	targets := []name.Repository{repo(t, a.Repo("acme/app")), repo(t, b.Repo("acme/app"))}
	a.Counter.Reset()
	b.Counter.Reset()

	plan, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v1.2.3"), tagging.Policy{})
	var ce *release.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("BuildPlan error = %v, want a *ConflictError", err)
	}
	want := release.ConflictError{Repo: b.Repo("acme/app"), Tag: "v1.2.3", Have: old.DigestStr(), Want: src.DigestStr()}
	if *ce != want {
		t.Errorf("conflict = %+v, want %+v", *ce, want)
	}
	if !ce.Refused() || !strings.Contains(err.Error(), old.DigestStr()) {
		t.Errorf("error %q should be a refusal naming both digests", err)
	}
	if _, err := release.Apply(ctx, plan); !errors.As(err, &ce) {
		t.Errorf("Apply of a conflicting plan: %v, want a *ConflictError", err)
	}
	for i, r := range []*registrytest.Server{a, b} {
		if w := r.Counter.Writes(); len(w) != 0 {
			t.Errorf("registry %d got writes: %v", i, w)
		}
	}
	if got := tagsOf(t, targets[1]); !maps.Equal(got, map[string]string{"v1.2.3": old.DigestStr()}) {
		t.Errorf("target tags changed: %v", got)
	}
}

// TestIndexAcrossRegistries releases a multi-platform index with
// attestation manifests into two repositories in two registries: both
// serve the source's exact bytes.
func TestIndexAcrossRegistries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b := registrytest.NewMemory(t), registrytest.NewMemory(t)
	idx := index(t, sha)
	src := push(t, a.Repo("acme/build:ci"), idx)
	targets := []name.Repository{repo(t, a.Repo("acme/app")), repo(t, b.Repo("mirror/app"))}
	plan, res := doRelease(t, ctx, release.RegistrySource(src), targets, "refs/tags/v3.0.0")
	if plan.Digest != src.DigestStr() || res.Digest != src.DigestStr() {
		t.Fatalf("plan digest %s, result %s, want %s", plan.Digest, res.Digest, src.DigestStr())
	}
	if plan.Revision != sha {
		t.Errorf("revision = %q, want %q", plan.Revision, sha)
	}
	wantRaw, _ := idx.RawManifest()
	for _, r := range targets {
		d, err := remote.Get(r.Tag("latest"))
		if err != nil {
			t.Fatal(err)
		}
		if string(d.Manifest) != string(wantRaw) {
			t.Errorf("%s:latest is not the source's bytes", r)
		}
		got, err := d.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		im, _ := got.IndexManifest()
		for _, m := range im.Manifests {
			if _, err := remote.Head(r.Digest(m.Digest.String())); err != nil {
				t.Errorf("%s lacks child %s: %v", r, m.Digest, err)
			}
		}
	}
	if !slices.Contains(res.Copied, b.Repo("mirror/app")) {
		t.Errorf("copied = %v", res.Copied)
	}
}

// TestRevisionMismatch refuses an image built from another commit unless
// allowed.
func TestRevisionMismatch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.NewMemory(t)
	src := push(t, reg.Repo("acme/build:ci"), image(t, "fedcba9876543210fedcba9876543210fedcba98"))
	targets := []name.Repository{repo(t, reg.Repo("acme/app"))}
	reg.Counter.Reset()
	_, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v1.0.0"), tagging.Policy{})
	var re *release.RevisionError
	if !errors.As(err, &re) || !re.Refused() {
		t.Fatalf("error = %v, want a *RevisionError", err)
	}
	if w := reg.Counter.Writes(); len(w) != 0 {
		t.Errorf("writes: %v", w)
	}
	plan, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v1.0.0"), tagging.Policy{}, release.WithAllowRevisionMismatch(true))
	if err != nil {
		t.Fatalf("allowed mismatch: %v", err)
	}
	if plan.Changes() != 4 {
		t.Errorf("changes = %d, want 4", plan.Changes())
	}
}

// TestBranchPush tags master and master-<sha>; the commit tag is immutable.
func TestBranchPush(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.NewMemory(t)
	src := push(t, reg.Repo("acme/build:ci"), image(t, sha))
	targets := []name.Repository{repo(t, reg.Repo("acme/app"))}
	plan, _ := doRelease(t, ctx, release.RegistrySource(src), targets, "refs/heads/master")
	if got := ops(plan, 0); got != "master=create master-0123456=create" {
		t.Errorf("ops = %s", got)
	}
	other := push(t, reg.Repo("acme/build:ci2"), image(t, sha))
	_, err := release.BuildPlan(ctx, release.RegistrySource(other), targets, event(t, "refs/heads/master"), tagging.Policy{})
	var ce *release.ConflictError
	if !errors.As(err, &ce) || ce.Tag != "master-0123456" {
		t.Errorf("rebuilt commit: %v, want a conflict on master-0123456", err)
	}
}

// recordingSigner checks the order of a release when it is called.
type recordingSigner struct {
	t      *testing.T
	mu     sync.Mutex
	calls  []string
	fail   error
	exact  string
	floats []string
}

func (s *recordingSigner) Sign(ctx context.Context, d name.Digest) error {
	s.mu.Lock()
	s.calls = append(s.calls, d.String())
	s.mu.Unlock()
	r := d.Context()
	got, err := remote.Head(r.Tag(s.exact))
	var terr *transport.Error
	switch {
	case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
		s.t.Errorf("signing %s before %s exists", d, s.exact)
	case err != nil:
		// The registry failed (a test cut it while another target was
		// written): the signature fails as a real one would.
		return err
	case got.Digest.String() != d.DigestStr():
		s.t.Errorf("signing %s before %s points at it", d, s.exact)
	}
	for _, f := range s.floats {
		if got, err := remote.Head(r.Tag(f)); err == nil && got.Digest.String() == d.DigestStr() {
			s.t.Errorf("signing %s after floating %s moved", d, f)
		}
	}
	return s.fail
}

// TestSigningHook: the signer runs once per repository, after the exact
// tag and before the floating tags; a signing error leaves the floating
// tags alone, and a re-run completes the release.
func TestSigningHook(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.NewMemory(t)
	src := push(t, reg.Repo("acme/build:ci"), image(t, sha))
	targets := []name.Repository{repo(t, reg.Repo("acme/app")), repo(t, reg.Repo("acme/mirror"))}
	s := &recordingSigner{t: t, exact: "v1.0.0", floats: []string{"v1.0", "v1", "latest"}, fail: errors.New("no OIDC token")}
	plan, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v1.0.0"), tagging.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = release.Apply(ctx, plan, release.WithSigner(s))
	if err == nil || !strings.Contains(err.Error(), "no OIDC token") {
		t.Fatalf("Apply with a failing signer: %v", err)
	}
	for _, r := range targets {
		if got := tagsOf(t, r); len(got) > 1 {
			t.Errorf("%s has floating tags after a signing failure: %v", r, got)
		}
	}
	s.fail = nil
	s.calls = nil
	_, res := doRelease(t, ctx, release.RegistrySource(src), targets, "refs/tags/v1.0.0", release.WithSigner(s))
	want := []string{targets[0].Digest(src.DigestStr()).String(), targets[1].Digest(src.DigestStr()).String()}
	slices.Sort(s.calls) // the targets are signed concurrently
	if !slices.Equal(s.calls, want) || !slices.Equal(res.Signed, want) {
		t.Errorf("signed %v (result %v), want %v", s.calls, res.Signed, want)
	}
	if got := tagsOf(t, targets[1]); len(got) != 4 {
		t.Errorf("re-run left %v", got)
	}
}

// TestPlanJSONRoundTrip: a plan written as JSON and read back applies the
// same way (the source is reopened by its reference).
func TestPlanJSONRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.NewMemory(t)
	src := push(t, reg.Repo("acme/build:ci"), image(t, sha))
	targets := []name.Repository{repo(t, reg.Repo("other/app"))}
	plan, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v0.3.0"), tagging.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	var back release.Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if _, err := release.Apply(ctx, back); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"v0.3.0": src.DigestStr(), "v0.3": src.DigestStr(), "latest": src.DigestStr()}
	if diff := cmp.Diff(want, tagsOf(t, targets[0])); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
}

// TestFaults: with about a fifth of all requests failing (429, 500,
// resets, before or after the registry did the work), a release ends in
// the same state as without faults, or fails with a clear error and a
// re-run completes it.
func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b := registrytest.NewMemory(t), registrytest.NewMemory(t)
	targets := []name.Repository{repo(t, a.Repo("acme/app")), repo(t, b.Repo("mirror/app"))}
	digests := map[string]string{}
	for i, v := range []string{"v1.0.0", "v1.1.0", "v1.0.1", "v2.0.0"} {
		src := push(t, a.Repo("acme/build:"+v), image(t, sha))
		digests[v] = src.DigestStr()
		a.Faults.Set(0.2, "0", uint64(i+1))
		b.Faults.Set(0.2, "0", uint64(i+100))
		releaseWithReruns(t, ctx, release.RegistrySource(src), targets, "refs/tags/"+v, fastRetry)
		fa, sa := a.Faults.Injected()
		fb, sb := b.Faults.Injected()
		a.Faults.Set(0, "", 0)
		b.Faults.Set(0, "", 0)
		t.Logf("%s: injected %d/%d and %d/%d faults", v, fa, sa, fb, sb)
		if fa+fb == 0 {
			t.Fatalf("%s: no fault injected", v)
		}
	}
	want := map[string]string{
		"v1.0.0": digests["v1.0.0"], "v1.1.0": digests["v1.1.0"], "v1.0.1": digests["v1.0.1"], "v2.0.0": digests["v2.0.0"],
		"v1.0": digests["v1.0.1"], "v1.1": digests["v1.1.0"], "v1": digests["v1.1.0"],
		"v2.0": digests["v2.0.0"], "v2": digests["v2.0.0"], "latest": digests["v2.0.0"],
	}
	for _, r := range targets {
		if diff := cmp.Diff(want, tagsOf(t, r)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", r, diff)
		}
	}
}

// TestRacingReleases runs v1.3.0 and v1.2.9 at the same time, 20 times:
// the floating tags always end at the highest version.
func TestRacingReleases(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.NewMemory(t)
	base := push(t, reg.Repo("acme/build:base"), image(t, sha))
	hi := push(t, reg.Repo("acme/build:hi"), image(t, sha))
	lo := push(t, reg.Repo("acme/build:lo"), image(t, sha))
	var repointed atomic.Int32
	defer func() { t.Logf("floating tags re-pointed after a race: %d", repointed.Load()) }()
	for round := range 20 {
		target := repo(t, reg.Repo(fmt.Sprintf("race/app%d", round)))
		doRelease(t, ctx, release.RegistrySource(base), []name.Repository{target}, "refs/tags/v1.2.0")
		var wg sync.WaitGroup
		for _, r := range []struct {
			src name.Digest
			v   string
		}{{hi, "v1.3.0"}, {lo, "v1.2.9"}} {
			wg.Go(func() {
				_, res := doRelease(t, ctx, release.RegistrySource(r.src), []name.Repository{target}, "refs/tags/"+r.v, release.WithJobs(1+round%4))
				repointed.Add(int32(len(res.Repointed)))
			})
		}
		wg.Wait()
		want := map[string]string{
			"v1.2.0": base.DigestStr(), "v1.2.9": lo.DigestStr(), "v1.3.0": hi.DigestStr(),
			"v1.2": lo.DigestStr(), "v1.3": hi.DigestStr(), "v1": hi.DigestStr(), "latest": hi.DigestStr(),
		}
		if diff := cmp.Diff(want, tagsOf(t, target)); diff != "" {
			t.Fatalf("round %d (-want +got):\n%s", round, diff)
		}
	}
}
