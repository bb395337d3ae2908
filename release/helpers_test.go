package release_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

// fastRetry keeps retry tests quick.
var fastRetry = release.WithRetry(release.Retry{Attempts: 6, Base: time.Millisecond, Max: 20 * time.Millisecond})

// image returns a random image labelled with revision rev ("" for none).
func image(t testing.TB, rev string) v1.Image {
	return platformImage(t, rev, "linux", "amd64")
}

// platformImage returns a random image for os/arch labelled with revision
// rev ("" for none).
func platformImage(t testing.TB, rev, os, arch string) v1.Image {
	t.Helper()
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = os, arch
	if rev != "" {
		cf.Config.Labels = map[string]string{release.RevisionLabel: rev}
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

// index returns a two-platform index with a buildx-style attestation
// manifest (platform unknown/unknown), annotated with revision rev.
func index(t testing.TB, rev string) v1.ImageIndex {
	t.Helper()
	att := platformImage(t, "", "unknown", "unknown")
	amd, arm := platformImage(t, rev, "linux", "amd64"), platformImage(t, rev, "linux", "arm64")
	ad, _ := amd.Digest()
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": ad.String()},
		}},
	)
	return mutate.Annotations(idx, map[string]string{"org.opencontainers.image.created": "2026-11-26T00:00:00Z"}).(v1.ImageIndex)
}

// push writes t to ref and returns ref by digest.
func push(t testing.TB, ref string, tg remote.Taggable, opts ...remote.Option) name.Digest {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	var d v1.Hash
	switch x := tg.(type) {
	case v1.Image:
		err = remote.Write(r, x, opts...)
		d, _ = x.Digest()
	case v1.ImageIndex:
		err = remote.WriteIndex(r, x, opts...)
		d, _ = x.Digest()
	}
	if err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return r.Context().Digest(d.String())
}

func repo(t testing.TB, s string) name.Repository {
	t.Helper()
	r, err := name.NewRepository(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func event(t testing.TB, ref string) tagging.Event {
	t.Helper()
	ev, err := tagging.ParseEvent(tagging.EventInput{Ref: ref, SHA: sha})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// releaseWithReruns plans and applies like a workflow that is re-run when
// it fails: under injected faults a run may end with an error (the
// contract allows it: the error is clear and a re-run completes the
// release); the release must be complete after at most 5 runs.
func releaseWithReruns(t testing.TB, ctx context.Context, src release.Source, targets []name.Repository, ref string, opts ...release.Option) {
	t.Helper()
	var last error
	for run := 1; run <= 5; run++ {
		plan, err := release.BuildPlan(ctx, src, targets, event(t, ref), tagging.Policy{}, opts...)
		if err == nil {
			_, err = release.Apply(ctx, plan, opts...)
		}
		plan.Close()
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "http://127.0.0.1:") {
			t.Errorf("run %d of %s failed without naming the request: %v", run, ref, err)
		}
		t.Logf("run %d of %s failed, re-running: %v", run, ref, err)
		last = err
	}
	t.Fatalf("%s did not complete in 5 runs: %v", ref, last)
}

// release plans and applies, failing the test on any error.
func doRelease(t testing.TB, ctx context.Context, src release.Source, targets []name.Repository, ref string, opts ...release.Option) (release.Plan, release.Result) {
	t.Helper()
	plan, err := release.BuildPlan(ctx, src, targets, event(t, ref), tagging.Policy{}, opts...)
	if err != nil {
		t.Fatalf("planning %s: %v", ref, err)
	}
	defer plan.Close()
	res, err := release.Apply(ctx, plan, opts...)
	if err != nil {
		t.Fatalf("applying %s: %v", ref, err)
	}
	return plan, res
}

// tagsOf reads every tag of repo and its digest, with remote options opts.
func tagsOf(t testing.TB, r name.Repository, opts ...remote.Option) map[string]string {
	t.Helper()
	return registrytest.Tags(t, r, opts...)
}

func ops(p release.Plan, target int) string {
	var b []string
	for _, tp := range p.Targets[target].Tags {
		b = append(b, tp.Tag+"="+string(tp.Op))
	}
	return strings.Join(b, " ")
}

var _ = registrytest.NewMemory
