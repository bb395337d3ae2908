package release_test

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sonicsaas/sonic-release/internal/registrytest"
	"github.com/sonicsaas/sonic-release/internal/testtool"
	"github.com/sonicsaas/sonic-release/release"
	"github.com/sonicsaas/sonic-release/tagging"
)

// crane runs the pinned crane CLI logged in to the registries, and returns
// its trimmed stdout.
type craneCLI struct {
	bin    string
	config string
}

func newCrane(t *testing.T, regs ...*registrytest.Server) *craneCLI {
	c := &craneCLI{bin: testtool.Path(t, "crane"), config: t.TempDir()}
	for _, r := range regs {
		c.run(t, "auth", "login", r.Host, "-u", r.User, "-p", r.Password)
	}
	return c
}

func (c *craneCLI) run(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+c.config)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("crane %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("crane %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// TestDistribution runs the release scenarios against the real
// distribution registry with htpasswd authentication, and checks the
// results with crane.
func TestDistribution(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := registrytest.StartRegistry(t)
	mirror := registrytest.StartRegistry(t)
	auth := remote.WithAuthFromKeychain(multi(reg.Keychain(), mirror.Keychain()))
	kc := release.WithKeychain(multi(reg.Keychain(), mirror.Keychain()))
	crane := newCrane(t, reg, mirror)

	t.Run("credentials are required", func(t *testing.T) {
		src := push(t, reg.Repo("acme/build:anon"), image(t, sha), auth)
		_, err := release.BuildPlan(ctx, release.RegistrySource(src), []name.Repository{repo(t, reg.Repo("acme/app"))}, event(t, "refs/tags/v1.0.0"), tagging.Policy{})
		var terr *transport.Error
		if !errors.As(err, &terr) || terr.StatusCode != 401 {
			t.Fatalf("without credentials: %v, want a 401", err)
		}
		if strings.Contains(err.Error(), reg.Password) {
			t.Errorf("error shows the password: %v", err)
		}
	})

	t.Run("first release mounts blobs, re-run and dry-run write nothing", func(t *testing.T) {
		src := push(t, reg.Repo("acme/build:ci-1"), image(t, sha), auth)
		targets := []name.Repository{repo(t, reg.Repo("acme/app"))}
		reg.Counter.Reset()
		_, res := doRelease(t, ctx, release.RegistrySource(src), targets, "refs/tags/v1.0.0", kc)
		t.Logf("first release: %s\n%s", reg.Counter.Summary(), strings.Join(reg.Counter.Requests(), "\n"))
		if n := reg.Counter.Count("PATCH"); n != 0 {
			t.Errorf("%d blob uploads (PATCH) within one registry: blobs must be mounted", n)
		}
		mounts := 0
		for _, r := range reg.Counter.Writes() {
			if strings.HasPrefix(r, "POST ") && strings.Contains(r, "mount=") {
				mounts++
			}
		}
		if mounts == 0 {
			t.Errorf("no cross-repository mount in %v", reg.Counter.Writes())
		}
		if len(res.Written) != 4 {
			t.Errorf("written = %v", res.Written)
		}
		for _, tag := range []string{"v1.0.0", "v1.0", "v1", "latest"} {
			if got := crane.run(t, "digest", targets[0].Tag(tag).String()); got != src.DigestStr() {
				t.Errorf("crane digest %s = %s, want %s", tag, got, src.DigestStr())
			}
		}

		for _, dry := range []bool{true, false} {
			reg.Counter.Reset()
			plan, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v1.0.0"), tagging.Policy{}, kc)
			if err != nil {
				t.Fatal(err)
			}
			if !dry {
				if _, err := release.Apply(ctx, plan, kc); err != nil {
					t.Fatal(err)
				}
			}
			if w := reg.Counter.Writes(); len(w) != 0 {
				t.Errorf("dry-run %v: writes %v", dry, w)
			}
			t.Logf("re-run (dry-run %v): %s", dry, reg.Counter.Summary())
		}
	})

	t.Run("pagination", func(t *testing.T) {
		target := repo(t, reg.Repo("acme/paged"))
		img := image(t, "")
		for i := range 7 {
			push(t, target.Tag(fmt.Sprintf("v1.%d.0", i)).String(), img, auth)
		}
		push(t, target.Tag("v1.9.0").String(), img, auth)
		src := push(t, reg.Repo("acme/build:ci-2"), image(t, sha), auth)
		plan, err := release.BuildPlan(ctx, release.RegistrySource(src), []name.Repository{target}, event(t, "refs/tags/v1.8.0"), tagging.Policy{}, kc, release.WithPageSize(3))
		if err != nil {
			t.Fatal(err)
		}
		if got := ops(plan, 0); got != "v1.8.0=create v1.8=create v1=skip latest=skip" {
			t.Errorf("ops = %s (v1.9.0 on the last page must hold v1 and latest)", got)
		}
	})

	t.Run("conflict in a second registry writes nothing anywhere", func(t *testing.T) {
		old := push(t, mirror.Repo("acme/conflict:v2.0.0"), image(t, ""), auth)
		src := push(t, reg.Repo("acme/build:ci-3"), image(t, sha), auth)
		targets := []name.Repository{repo(t, reg.Repo("acme/conflict")), repo(t, mirror.Repo("acme/conflict"))}
		reg.Counter.Reset()
		mirror.Counter.Reset()
		plan, err := release.BuildPlan(ctx, release.RegistrySource(src), targets, event(t, "refs/tags/v2.0.0"), tagging.Policy{}, kc)
		var ce *release.ConflictError
		if !errors.As(err, &ce) || ce.Have != old.DigestStr() || ce.Want != src.DigestStr() {
			t.Fatalf("error = %v, want a conflict from %s to %s", err, old.DigestStr(), src.DigestStr())
		}
		if _, err := release.Apply(ctx, plan, kc); !errors.As(err, &ce) {
			t.Errorf("Apply: %v", err)
		}
		if w := append(reg.Counter.Writes(), mirror.Counter.Writes()...); len(w) != 0 {
			t.Errorf("writes: %v", w)
		}
		if tags, err := remote.List(targets[0], auth); err == nil || len(tags) > 0 {
			t.Errorf("tags written before the refusal: %v", tags)
		}
	})

	t.Run("index with attestations into two registries", func(t *testing.T) {
		idx := index(t, sha)
		src := push(t, reg.Repo("acme/build:ci-idx"), idx, auth)
		targets := []name.Repository{repo(t, reg.Repo("acme/multi")), repo(t, mirror.Repo("mirror/multi"))}
		mirror.Counter.Reset()
		plan, _ := doRelease(t, ctx, release.RegistrySource(src), targets, "refs/tags/v4.1.0", kc)
		if plan.Digest != src.DigestStr() {
			t.Errorf("plan digest %s, want %s", plan.Digest, src.DigestStr())
		}
		raw, _ := idx.RawManifest()
		for _, r := range targets {
			if got := crane.run(t, "manifest", r.Tag("v4.1.0").String()); got != strings.TrimSpace(string(raw)) {
				t.Errorf("%s:v4.1.0 is not the source's manifest bytes", r)
			}
			if got := crane.run(t, "digest", r.Tag("latest").String()); got != src.DigestStr() {
				t.Errorf("crane digest %s:latest = %s", r, got)
			}
			if got := crane.run(t, "ls", r.String()); got != "latest\nv4\nv4.1\nv4.1.0" {
				t.Errorf("crane ls %s = %q", r, got)
			}
			// Every platform image and the attestation resolve.
			crane.run(t, "validate", "--remote", r.Tag("v4.1.0").String())
		}
		if n := mirror.Counter.Count("PATCH") + mirror.Counter.Count("PUT"); n == 0 {
			t.Errorf("no upload into the other registry")
		}
	})

	t.Run("sources: oci layout, oci archive, docker archive", func(t *testing.T) {
		dir := t.TempDir()
		idx := index(t, sha)
		lp, err := layout.Write(filepath.Join(dir, "layout"), empty.Index)
		if err != nil {
			t.Fatal(err)
		}
		if err := lp.AppendIndex(idx); err != nil {
			t.Fatal(err)
		}
		tarDir(t, filepath.Join(dir, "layout"), filepath.Join(dir, "oci.tar"))
		img := image(t, sha)
		if err := tarball.WriteToFile(filepath.Join(dir, "docker.tar"), name.MustParseReference("acme/app:build"), img); err != nil {
			t.Fatal(err)
		}
		idxDigest, _ := idx.Digest()
		imgDigest, _ := img.Digest()
		for _, tc := range []struct {
			source, version, digest string
		}{
			{"oci:" + filepath.Join(dir, "layout"), "v5.0.0", idxDigest.String()},
			{"oci-archive:" + filepath.Join(dir, "oci.tar"), "v5.0.1", idxDigest.String()},
			{"docker-archive:" + filepath.Join(dir, "docker.tar"), "v5.1.0", imgDigest.String()},
		} {
			src, err := release.ParseSource(tc.source)
			if err != nil {
				t.Fatal(err)
			}
			target := repo(t, mirror.Repo("src/"+strings.ReplaceAll(tc.version, ".", "-")))
			plan, _ := doRelease(t, ctx, src, []name.Repository{target}, "refs/tags/"+tc.version, kc)
			if plan.Digest != tc.digest {
				t.Errorf("%s: digest %s, want %s", tc.source, plan.Digest, tc.digest)
			}
			if got := crane.run(t, "digest", target.Tag(tc.version).String()); got != tc.digest {
				t.Errorf("%s: crane digest = %s, want %s", tc.source, got, tc.digest)
			}
			crane.run(t, "validate", "--remote", target.Tag("latest").String())
		}
		if _, err := os.Stat(filepath.Join(dir, "oci.tar")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("faults: 429, 500 and resets on a fifth of the requests", func(t *testing.T) {
		targets := []name.Repository{repo(t, reg.Repo("acme/faulty")), repo(t, mirror.Repo("mirror/faulty"))}
		digests := map[string]string{}
		for i, v := range []string{"v1.0.0", "v1.1.0", "v1.0.1"} {
			src := push(t, reg.Repo("acme/build:f-"+v), index(t, sha), auth)
			digests[v] = src.DigestStr()
			reg.Faults.Set(0.2, "0", uint64(10+i))
			mirror.Faults.Set(0.2, "0", uint64(20+i))
			releaseWithReruns(t, ctx, release.RegistrySource(src), targets, "refs/tags/"+v, kc, fastRetry)
			fa, sa := reg.Faults.Injected()
			fb, sb := mirror.Faults.Injected()
			reg.Faults.Set(0, "", 0)
			mirror.Faults.Set(0, "", 0)
			t.Logf("%s: injected %d/%d and %d/%d", v, fa, sa, fb, sb)
		}
		want := map[string]string{
			"v1.0.0": digests["v1.0.0"], "v1.1.0": digests["v1.1.0"], "v1.0.1": digests["v1.0.1"],
			"v1.0": digests["v1.0.1"], "v1.1": digests["v1.1.0"], "v1": digests["v1.1.0"], "latest": digests["v1.1.0"],
		}
		for _, r := range targets {
			if diff := cmp.Diff(want, tagsOf(t, r, auth)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", r, diff)
			}
			crane.run(t, "validate", "--remote", r.Tag("latest").String())
		}
	})

	t.Run("racing releases", func(t *testing.T) {
		base := push(t, reg.Repo("acme/build:r-base"), image(t, sha), auth)
		hi := push(t, reg.Repo("acme/build:r-hi"), image(t, sha), auth)
		lo := push(t, reg.Repo("acme/build:r-lo"), image(t, sha), auth)
		var repointed atomic.Int32
		defer func() { t.Logf("floating tags re-pointed after a race: %d", repointed.Load()) }()
		for round := range 20 {
			target := repo(t, reg.Repo(fmt.Sprintf("race/app%d", round)))
			doRelease(t, ctx, release.RegistrySource(base), []name.Repository{target}, "refs/tags/v1.2.0", kc)
			var wg sync.WaitGroup
			for _, r := range []struct {
				src name.Digest
				v   string
			}{{hi, "v1.3.0"}, {lo, "v1.2.9"}} {
				wg.Go(func() {
					_, res := doRelease(t, ctx, release.RegistrySource(r.src), []name.Repository{target}, "refs/tags/"+r.v, kc)
					repointed.Add(int32(len(res.Repointed)))
				})
			}
			wg.Wait()
			want := map[string]string{
				"v1.2.0": base.DigestStr(), "v1.2.9": lo.DigestStr(), "v1.3.0": hi.DigestStr(),
				"v1.2": lo.DigestStr(), "v1.3": hi.DigestStr(), "v1": hi.DigestStr(), "latest": hi.DigestStr(),
			}
			if diff := cmp.Diff(want, tagsOf(t, target, auth)); diff != "" {
				t.Fatalf("round %d (-want +got):\n%s", round, diff)
			}
		}
	})
}

// multi tries keychains in order.
func multi(ks ...authn.Keychain) authn.Keychain { return authn.NewMultiKeychain(ks...) }

// tarDir writes the directory src as a tar file dst (an oci-archive).
func tarDir(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o644, Size: fi.Size(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		_, err = io.Copy(tw, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}
