package prune_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/prune"
)

// BenchmarkPlan10000 plans the prune of a package with 10,000 versions:
// 1,428 master builds (a two-platform index with a BuildKit attestation
// manifest, the cosign signatures of the index and of both platforms: 7
// versions each), the oldest promoted to v1.0.0 with an OCI referrer, and
// 2 untagged leftovers; keep the newest 20 builds. The registry is
// go-containerregistry's in-memory one, the Packages API the fake GitHub;
// both count requests.
func BenchmarkPlan10000(b *testing.B) {
	reg := registrytest.NewMemory(b)
	gh := fakegithub.New(b)
	repo, _ := name.NewRepository(reg.Repo("acme/app"))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(d string, at time.Time, tags ...string) {
		gh.AddPackageVersion("acme", true, "container", "app", fakegithub.PackageVersion{Name: d, Tags: tags, CreatedAt: at})
	}
	layer := static.NewLayer([]byte("the same layer for every image"), types.OCILayer)
	image := func(label string) v1.Image {
		img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
		if err != nil {
			b.Fatal(err)
		}
		cf, _ := img.ConfigFile()
		cf = cf.DeepCopy()
		cf.Config.Labels = map[string]string{"build": label}
		img, err = mutate.ConfigFile(img, cf)
		if err != nil {
			b.Fatal(err)
		}
		return img
	}
	sign := func(d string, at time.Time) {
		sig := image("signature of " + d)
		tag := strings.Replace(d, ":", "-", 1) + ".sig"
		if err := remote.Write(repo.Tag(tag), sig); err != nil {
			b.Fatal(err)
		}
		sd, _ := sig.Digest()
		add(sd.String(), at, tag)
	}
	const builds = 1428
	for i := range builds {
		at := start.Add(time.Duration(i) * time.Hour)
		var idx v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
		var children []string
		for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}, {OS: "unknown", Architecture: "unknown"}} {
			img := image(fmt.Sprintf("%d %s", i, p.String()))
			d, _ := img.Digest()
			children = append(children, d.String())
			idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
		}
		tags := []string{fmt.Sprintf("master-%07x", i)}
		if i == 0 {
			tags = append(tags, "v1.0.0", "v1.0", "v1", "latest")
		}
		if i == builds-1 {
			tags = append(tags, "master")
		}
		for _, t := range tags {
			if err := remote.WriteIndex(repo.Tag(t), idx); err != nil {
				b.Fatal(err)
			}
		}
		d, _ := idx.Digest()
		add(d.String(), at, tags...)
		for _, c := range children {
			add(c, at)
		}
		sign(d.String(), at)
		sign(children[0], at)
		sign(children[1], at)
		if i == 0 {
			art := image("referrer")
			ad, _ := art.Digest()
			if err := remote.Write(repo.Digest(ad.String()), art); err != nil {
				b.Fatal(err)
			}
			desc, _ := remote.Head(repo.Digest(ad.String()))
			ref := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{Add: art, Descriptor: *desc})
			tag := strings.Replace(d.String(), ":", "-", 1)
			if err := remote.WriteIndex(repo.Tag(tag), ref); err != nil {
				b.Fatal(err)
			}
			rd, _ := ref.Digest()
			add(ad.String(), at)
			add(rd.String(), at, tag)
		}
	}
	for i := range 2 {
		add(fmt.Sprintf("sha256:%064x", i+1), start)
	}
	if n := len(gh.PackageVersions("acme", true, "container", "app")); n != 10000 {
		b.Fatalf("%d versions, want 10000", n)
	}
	now := func() time.Time { return start.Add(builds * time.Hour) }
	pol := prune.Policy{Keep: 20, Branch: "master"}
	var plan *prune.Plan
	b.ResetTimer()
	for b.Loop() {
		gh.ResetCalls()
		reg.Counter.Reset()
		src, err := prune.NewGitHub("acme", "app", prune.WithHTTPClient(gh.Client()), prune.WithAPIURL(gh.URL))
		if err != nil {
			b.Fatal(err)
		}
		if plan, err = prune.BuildPlan(b.Context(), src, repo, pol, prune.WithClock(now)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// 1,408 pruned builds of 7 versions, and the 2 leftovers.
	if want := (builds-21)*7 + 2; plan.DeleteCount != want {
		b.Errorf("%d deletions planned, want %d", plan.DeleteCount, want)
	}
	b.ReportMetric(float64(gh.TotalCalls()), "api-calls/op")
	b.ReportMetric(float64(reg.Counter.Total()), "registry-requests/op")
	b.ReportMetric(float64(plan.DeleteCount), "deletions")
	b.Logf("GitHub API: %d calls %v; registry: %s", gh.TotalCalls(), gh.Calls(), reg.Counter.Summary())
}
