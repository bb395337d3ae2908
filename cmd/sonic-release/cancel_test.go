package main

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sonicsaas/sonic-release/internal/demo"
	"github.com/sonicsaas/sonic-release/internal/sigstoretest"
	"github.com/sonicsaas/sonic-release/sign"
)

// TestCancelledReleaseCompletesOnReRun cancels a release (as SIGINT does:
// main turns it into a cancelled context) at its first tag write, then
// re-runs it: the re-run completes the release, signed, with every tag
// where the contract puts it.
func TestCancelledReleaseCompletesOnReRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var once sync.Once
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/acme/app/manifests/v") {
			once.Do(cancel) // the runner cancels the job as the first tag is written
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	repo, err := demo.NewRepo(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rel := repo.Releases[0]
	idx, err := demo.Image(rel.Version, rel.Commit, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	src, _ := name.NewDigest(host + "/acme/ci@" + d.String())
	if err := remote.WriteIndex(src, idx); err != nil {
		t.Fatal(err)
	}
	_, pub, privPath, _ := sigstoretest.KeyPair(t)
	env := map[string]string{"COSIGN_PASSWORD": sigstoretest.KeyPassword}
	args := []string{"release", "--source", src.String(), "--image", host + "/acme/app", "--ref", "refs/tags/" + rel.Version, "--sha", rel.Commit,
		"--key", privPath, "--tlog-upload=false", "--jobs", "1"}

	var out, errb strings.Builder
	start := time.Now()
	code := run(ctx, args, ioStreams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(k string) string { return env[k] })
	if code != exitFailure || !strings.Contains(errb.String(), "cancelled before the end") || out.String() != "" {
		t.Fatalf("cancelled run: exit %d, stdout %q, stderr %s", code, out.String(), errb.String())
	}
	t.Logf("the cancelled run returned %v after it started", time.Since(start))
	// No floating tag may point at the release yet: it is not signed.
	app, _ := name.NewRepository(host + "/acme/app")
	if tags, _ := remote.List(app); strings.Contains(strings.Join(tags, " "), "latest") {
		t.Errorf("after the cancellation the floating tags exist: %v", tags)
	}

	code, _, stderr := runCLI(t, env, args...)
	if code != 0 {
		t.Fatalf("re-run: exit %d: %s", code, stderr)
	}
	for _, tag := range []string{"v1.0.0", "v1.0", "v1", "latest"} {
		desc, err := remote.Head(app.Tag(tag))
		if err != nil || desc.Digest != d {
			t.Errorf("%s after the re-run: %v %v", tag, desc, err)
		}
	}
	if _, err := sign.Verify(t.Context(), host+"/acme/app:latest", sign.WithPublicKey(pub), sign.WithRequireTransparencyLog(false)); err != nil {
		t.Errorf("latest does not verify after the re-run: %v", err)
	}
}
