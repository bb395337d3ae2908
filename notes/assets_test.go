package notes

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sonicsaas/sonic-release/internal/fakegithub"
)

// uploadTransport records the upload URLs and fails the first `fail`
// uploads with a 502, as GitHub's upload host does when its upstream
// fails (after reading the body).
type uploadTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	fail int
	urls []string
}

func (u *uploadTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/assets") {
		u.mu.Lock()
		u.urls = append(u.urls, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
		fail := u.fail > 0
		u.fail--
		u.mu.Unlock()
		if fail {
			_, _ = io.Copy(io.Discard, r.Body)
			r.Body.Close()
			return &http.Response{StatusCode: 502, Status: "502 Bad Gateway", Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		}
	}
	return u.base.RoundTrip(r)
}

func writeAssets(t *testing.T, files map[string]string) []AssetFile {
	t.Helper()
	dir := t.TempDir()
	var out []AssetFile
	for _, n := range []string{"app_v1.2.3_linux-amd64.tar.gz", "SHA256SUMS", "SHA256SUMS.sigstore.json"} {
		c, ok := files[n]
		if !ok {
			continue
		}
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, AssetFile{Name: n, Path: p, KeepExisting: strings.HasSuffix(n, ".sigstore.json")})
	}
	return out
}

func TestUploadAssets(t *testing.T) {
	ctx := context.Background()
	s := fakegithub.New(t)
	s.AddRepo("acme/app")
	s.AddRelease("acme/app", fakegithub.Release{TagName: "v1.2.3", Draft: true})
	tr := &uploadTransport{base: s.Client().Transport, fail: 1}
	opts := []Option{WithHTTPClient(&http.Client{Transport: tr}), WithAPIURL(s.URL), withSleep(func(context.Context, time.Duration) error { return nil })}
	files := map[string]string{
		"app_v1.2.3_linux-amd64.tar.gz": strings.Repeat("layer bytes ", 5000),
		"SHA256SUMS":                    "abc  app_v1.2.3_linux-amd64.tar.gz\n",
		"SHA256SUMS.sigstore.json":      `{"signature":1}`,
	}
	in := AssetsInput{Repository: "acme/app", Tag: "v1.2.3", Assets: writeAssets(t, files)}

	// The first upload fails with a 502 and is sent again; a rate-limited
	// one is sent again from the start of the file.
	s.RateLimit("repos/upload-release-asset", 1, 0)
	res, err := UploadAssets(ctx, in, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Action != "uploaded" || r.Size != int64(len(files[r.Name])) {
			t.Errorf("%s: %+v, want uploaded with %d bytes", r.Name, r, len(files[r.Name]))
		}
	}
	got := s.Assets("acme/app", "v1.2.3")
	if len(got) != 3 {
		t.Fatalf("the release holds %d assets, want 3", len(got))
	}
	for _, a := range got {
		if !bytes.Equal(a.Content, []byte(files[a.Name])) {
			t.Errorf("asset %s holds %d bytes, want the file's %d", a.Name, len(a.Content), len(files[a.Name]))
		}
	}
	if ct := got[0].ContentType; ct != "application/gzip" {
		t.Errorf("content type %q", ct)
	}
	// Three uploads, the one after the 502 and the rate-limited one,
	// every one to the upload host (GHES: /api/uploads/).
	if len(tr.urls) != 5 {
		t.Errorf("%d upload requests, want 5 (3 assets, a 502, a rate limit): %v", len(tr.urls), tr.urls)
	}
	for _, u := range tr.urls {
		if !strings.HasPrefix(u, s.URL+"/api/uploads/repos/acme/app/releases/") {
			t.Errorf("upload sent to %s, not the upload host", u)
		}
	}

	// A re-run uploads nothing; the signature, made anew, is kept too.
	s.ResetCalls()
	files["SHA256SUMS.sigstore.json"] = `{"signature":2, "another": true}`
	in.Assets = writeAssets(t, files)
	res, err = UploadAssets(ctx, in, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Calls()["repos/upload-release-asset"]; n != 0 {
		t.Errorf("a re-run uploaded %d assets", n)
	}
	for _, r := range res {
		if r.Action != "kept" {
			t.Errorf("re-run: %+v, want kept", r)
		}
	}

	// Other content under a name the release holds is refused, and
	// nothing else is uploaded either.
	files["SHA256SUMS"] = "def  app_v1.2.3_linux-amd64.tar.gz\n"
	files["app_v1.2.3_linux-amd64.tar.gz"] = strings.Repeat("other bytes", 5000)
	in.Assets = writeAssets(t, files)
	in.Assets = append(in.Assets, AssetFile{Name: "new.txt", Path: in.Assets[1].Path})
	_, err = UploadAssets(ctx, in, opts...)
	var conflict *AssetConflictError
	if !errors.As(err, &conflict) || !conflict.Refused() || conflict.Name != "app_v1.2.3_linux-amd64.tar.gz" {
		t.Fatalf("err = %v, want a refused conflict on the archive", err)
	}
	if n := s.Calls()["repos/upload-release-asset"]; n != 0 {
		t.Errorf("a refused run uploaded %d assets", n)
	}

	// No release: say so.
	var nr *NoReleaseError
	if _, err := UploadAssets(ctx, AssetsInput{Repository: "acme/app", Tag: "v9.9.9", Assets: in.Assets}, opts...); !errors.As(err, &nr) {
		t.Errorf("no release: %v", err)
	}
}

// TestCheckAssetsBySize: without a digest from GitHub, the same size
// keeps an asset, another size refuses.
func TestCheckAssetsBySize(t *testing.T) {
	as := writeAssets(t, map[string]string{"SHA256SUMS": "0123456789"})
	up, kept, err := CheckAssets("v1", as, []AssetState{{Name: "SHA256SUMS", Size: 10, State: "uploaded"}})
	if err != nil || len(up) != 0 || len(kept) != 1 {
		t.Errorf("same size: upload %v kept %v err %v", up, kept, err)
	}
	if _, _, err := CheckAssets("v1", as, []AssetState{{Name: "SHA256SUMS", Size: 11, State: "uploaded"}}); err == nil {
		t.Error("another size was kept")
	}
	// An incomplete asset (an upload that failed upstream) is uploaded again.
	up, _, err = CheckAssets("v1", as, []AssetState{{Name: "SHA256SUMS", Size: 3, State: "starter"}})
	if err != nil || len(up) != 1 {
		t.Errorf("incomplete asset: upload %v err %v", up, err)
	}
}
