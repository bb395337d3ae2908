package prune_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/ghcrtest"
	"github.com/sonicsaas/sonic-release/prune"
)

// world is a GHCR package with a release and a row of master builds:
//
//	build 1..6   master-<sha> indexes, each signed (index and platforms);
//	             master follows the newest
//	v1.2.3       build 2 promoted (v1.2.3, v1.2, v1, latest), with an OCI
//	             referrer (the sha256-<hex> fallback index)
type world struct {
	f      *ghcrtest.Fixture
	builds []ghcrtest.Image
	shas   []string
	ref    string // the referrer artifact of v1.2.3
}

func newWorld(t *testing.T, org bool) *world {
	w := &world{f: ghcrtest.New(t, org)}
	for i := 1; i <= 6; i++ {
		sha := fmt.Sprintf("%07x", 0xabc0000+i)
		w.shas = append(w.shas, sha)
		w.builds = append(w.builds, w.f.PushIndex(t, "master-"+sha, "master"))
		if i == 2 {
			for _, tag := range []string{"v1.2.3", "v1.2", "v1", "latest"} {
				w.f.Tag(t, tag, w.builds[1].Digest)
			}
			w.ref = w.f.AddReferrer(t, w.builds[1].Digest)
		}
	}
	return w
}

// closure is every version digest a pushed build brought: the index, its
// three children, and the signatures of the index and the two platforms.
func (w *world) closure(t *testing.T, b ghcrtest.Image) []string {
	t.Helper()
	out := []string{b.Digest, b.Att}
	out = append(out, b.Platforms...)
	for _, d := range append([]string{b.Digest}, b.Platforms...) {
		sig := w.tagDigest(t, strings.Replace(d, ":", "-", 1)+".sig")
		out = append(out, sig)
	}
	return out
}

func (w *world) tagDigest(t *testing.T, tag string) string {
	t.Helper()
	for _, v := range w.f.Versions() {
		if slices.Contains(v.Tags, tag) {
			return v.Name
		}
	}
	t.Fatalf("no version is tagged %s", tag)
	return ""
}

func (w *world) source(t *testing.T, opts ...prune.Option) *prune.GitHub {
	t.Helper()
	gh, err := prune.NewGitHub("acme", "app", append([]prune.Option{prune.WithHTTPClient(w.f.GH.Client()), prune.WithAPIURL(w.f.GH.URL), prune.WithAuthToken("ghp_test"), prune.WithRetryBackoff(time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return gh
}

func (w *world) plan(t *testing.T, src prune.Source, pol prune.Policy) *prune.Plan {
	t.Helper()
	plan, err := prune.BuildPlan(t.Context(), src, w.f.Repo, pol, prune.WithRemoteOptions(w.f.Remote()...), prune.WithClock(w.f.Now))
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

var kept = []string{"v1.2.3", "v1.2", "v1", "latest", "master", "master-abc0005", "master-abc0006"}

func TestPrune(t *testing.T) {
	for _, org := range []bool{true, false} {
		t.Run(map[bool]string{true: "org", false: "user"}[org], func(t *testing.T) {
			w := newWorld(t, org)
			pol := prune.Policy{Keep: 2, Branch: "master"}
			src := w.source(t)
			before := w.f.Versions()
			// 6 builds of 7 versions, and the referrer's index and artifact.
			if len(before) != 6*7+2 {
				t.Fatalf("the package has %d versions, want 44", len(before))
			}
			w.f.GH.RateLimit("", 1, 0) // the first call is rate-limited and retried

			plan := w.plan(t, src, pol)
			var want []string
			for _, i := range []int{0, 2, 3} {
				want = append(want, w.closure(t, w.builds[i])...)
			}
			var got []string
			for _, it := range plan.Deletions() {
				got = append(got, it.Digest)
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("deletions:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), table(plan))
			}
			if plan.Bytes <= 0 {
				t.Errorf("the plan frees %d bytes", plan.Bytes)
			}
			// The trap: the untagged children of kept images are kept.
			items := map[string]prune.Item{}
			for _, it := range plan.Items {
				items[it.Digest] = it
			}
			for _, d := range append(w.closure(t, w.builds[1]), w.ref) {
				if it := items[d]; it.Action != prune.Keep || !strings.Contains(it.Reason, "v1.2.3") {
					t.Errorf("%s: %s (%s), want kept for v1.2.3", d, it.Action, it.Reason)
				}
			}
			checkOrder(t, plan, w)
			for op, n := range w.f.GH.Calls() {
				if strings.HasPrefix(op, "packages/delete") {
					t.Errorf("the plan called %s %d times", op, n)
				}
			}

			// A failure half-way (after 8 deletes), then a re-run.
			w.f.FailDeletesAfter(8)
			res, err := prune.Apply(t.Context(), plan, src)
			if err == nil || !strings.Contains(err.Error(), "502") {
				t.Fatalf("apply with a failure: %v", err)
			}
			if len(res.Deleted) != 8 {
				t.Errorf("deleted %d before the failure, want 8", len(res.Deleted))
			}
			w.f.CheckEveryTag(t)
			for _, tag := range kept {
				w.f.CheckIntact(t, tag)
			}

			w.f.FailDeletesAfter(-1)
			again := w.plan(t, src, pol)
			if again.DeleteCount != len(want)-8 {
				t.Errorf("the re-run plans %d deletions, want %d:\n%s", again.DeleteCount, len(want)-8, table(again))
			}
			res, err = prune.Apply(t.Context(), again, src)
			if err != nil {
				t.Fatal(err)
			}
			after := w.f.Versions()
			if len(after) != len(before)-len(want) {
				t.Errorf("%d versions left, want %d", len(after), len(before)-len(want))
			}
			for _, d := range want {
				if _, ok := after[d]; ok {
					t.Errorf("%s is still in the package", d)
				}
			}
			w.f.CheckEveryTag(t)
			for _, tag := range kept {
				w.f.CheckIntact(t, tag)
			}
			w.f.CosignVerify(t, "v1.2.3")
			w.f.CosignVerify(t, "master-abc0005")
			if _, err := remote.Get(w.f.Repo.Digest(w.ref), w.f.Remote()...); err != nil {
				t.Errorf("the referrer of v1.2.3 is gone: %v", err)
			}

			// Done: a third run deletes nothing.
			if p := w.plan(t, src, pol); p.DeleteCount != 0 {
				t.Errorf("a run after the prune plans deletions:\n%s", table(p))
			}
		})
	}
}

// checkOrder: every deletion comes after the index that lists it and after
// the image it signs.
func checkOrder(t *testing.T, plan *prune.Plan, w *world) {
	t.Helper()
	pos := map[string]int{}
	for i, it := range plan.Deletions() {
		pos[it.Digest] = i
	}
	for _, i := range []int{0, 2, 3} {
		b := w.builds[i]
		for _, c := range append([]string{b.Att}, b.Platforms...) {
			if pos[c] < pos[b.Digest] {
				t.Errorf("child %s is deleted before its index", c)
			}
		}
		for _, d := range append([]string{b.Digest}, b.Platforms...) {
			sig := w.tagDigest(t, strings.Replace(d, ":", "-", 1)+".sig")
			if pos[sig] < pos[d] {
				t.Errorf("the signature of %s is deleted before it", d)
			}
		}
	}
}

func table(p *prune.Plan) string {
	var b strings.Builder
	for _, it := range p.Items {
		fmt.Fprintf(&b, "%s %d %s %v %s\n", it.Action, it.Level, it.Digest, it.Tags, it.Reason)
	}
	return b.String()
}

// TestPruneAge keeps what is younger than a duration, and the untagged
// versions that are younger than every kept build (a build in progress).
func TestPruneAge(t *testing.T) {
	w := newWorld(t, true)
	// A build pushed by digest, not tagged yet: untagged, reached by no tag.
	inflight := w.f.GH.AddPackageVersion("acme", true, "container", "app", fakegithub.PackageVersion{Name: "sha256:" + strings.Repeat("f", 64), CreatedAt: w.f.Now()})
	// Builds are an hour apart; the clock is an hour past the last one.
	plan := w.plan(t, w.source(t), prune.Policy{KeepYoungerThan: 150 * time.Minute, Branch: "master"})
	byTag := map[string]prune.Item{}
	for _, it := range plan.Items {
		for _, tag := range it.Tags {
			byTag[tag] = it
		}
		if it.ID == inflight && (it.Action != prune.Keep || !strings.Contains(it.Reason, "build in progress")) {
			t.Errorf("the build in progress: %s (%s)", it.Action, it.Reason)
		}
	}
	for sha, want := range map[string]prune.Action{"abc0006": prune.Keep, "abc0005": prune.Keep, "abc0004": prune.Delete, "abc0002": prune.Keep, "abc0001": prune.Delete} {
		if it := byTag["master-"+sha]; it.Action != want {
			t.Errorf("master-%s: %s (%s), want %s", sha, it.Action, it.Reason, want)
		}
	}
}

// TestPrunePermission: a 403 says which token the Packages API needs.
func TestPrunePermission(t *testing.T) {
	w := newWorld(t, true)
	src := w.source(t)
	plan := w.plan(t, src, prune.Policy{Keep: 1, Branch: "master"})
	w.f.GH.OnDeletePackageVersion(func(fakegithub.PackageVersion) error {
		return &fakegithub.Status{Code: http.StatusForbidden, Message: "Must have admin rights to Repository."}
	})
	_, err := prune.Apply(t.Context(), plan, src)
	for _, s := range []string{"403", "classic personal access token", "delete:packages", "GITHUB_TOKEN", "Admin role", "Must have admin rights"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v does not say %q", err, s)
		}
	}
}

// TestPruneChanged: a build tagged (promoted) between the plan and the
// delete is not deleted.
func TestPruneChanged(t *testing.T) {
	w := newWorld(t, true)
	src := w.source(t)
	plan := w.plan(t, src, prune.Policy{Keep: 2, Branch: "master"})
	w.f.Tag(t, "v1.3.0", w.builds[0].Digest)
	_, err := prune.Apply(context.Background(), plan, src)
	var ce *prune.ChangedError
	if !errorsAs(err, &ce) {
		t.Fatalf("apply after a promotion: %v", err)
	}
	if _, ok := w.f.Versions()[w.builds[0].Digest]; !ok {
		t.Errorf("the promoted build was deleted")
	}
	w.f.CheckIntact(t, "v1.3.0")
}

func errorsAs[T any](err error, target *T) bool { return errors.As(err, target) }

// TestPruneTransient: a 502 on a delete is retried; the run completes.
func TestPruneTransient(t *testing.T) {
	w := newWorld(t, false)
	src := w.source(t)
	plan := w.plan(t, src, prune.Policy{Keep: 4, Branch: "master"})
	w.f.FailNextDeletes(2)
	res, err := prune.Apply(t.Context(), plan, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Deleted) != 7 || plan.DeleteCount != 7 {
		t.Errorf("deleted %d of %d, want 7", len(res.Deleted), plan.DeleteCount)
	}
	var statuses []int
	for _, c := range w.f.GH.Log() {
		if c.Method == http.MethodDelete {
			statuses = append(statuses, c.Status)
		}
	}
	if len(statuses) != 9 || statuses[0] != 502 || statuses[1] != 502 || statuses[2] != 204 {
		t.Errorf("delete statuses %v, want 502 502 then 7 × 204", statuses)
	}
	w.f.CheckEveryTag(t)
}
