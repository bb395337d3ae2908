// Package scripts_test tests the shell scripts of scripts/ that the Action
// runs.
package scripts_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// archiveOf is a release archive holding a sonic-release that prints msg.
func archiveOf(t *testing.T, msg string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	body := []byte("#!/bin/sh\necho " + msg + "\n")
	if err := tw.WriteHeader(&tar.Header{Name: "sonic-release", Mode: 0o755, Size: int64(len(body))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(body)
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// actionDir is a checkout of the action at a commit: the install script,
// and a minimal Go source of cmd/sonic-release that prints "built from
// source" (what the fallback builds), and dist/checksums.txt when
// manifest is not empty.
func actionDir(t *testing.T, manifest string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                    "module example.com/action\n\ngo 1.22\n",
		"cmd/sonic-release/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"built from source\") }\n",
	}
	if manifest != "" {
		files["dist/checksums.txt"] = manifest
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// platform is the os_arch of archive names, as the script computes it.
func platform() string { return runtime.GOOS + "_" + runtime.GOARCH }

// releases serves archives by path (/v1.2.3/NAME) on loopback and counts
// requests.
type releases struct {
	mu    sync.Mutex
	files map[string][]byte
	hits  int
}

func (r *releases) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hits++
	b, ok := r.files[req.URL.Path]
	if !ok {
		http.NotFound(w, req)
		return
	}
	w.Write(b)
}

type result struct {
	err    error
	output string
	ran    string // what the installed binary prints, "" when none
}

func install(t *testing.T, dir, base string, env ...string) result {
	t.Helper()
	dest := t.TempDir()
	cmd := exec.Command("bash", "action-install.sh", "install", dest)
	cmd.Env = append(os.Environ(), append([]string{"ACTION_PATH=" + dir, "SONIC_RELEASE_BASE_URL=" + base}, env...)...)
	out, err := cmd.CombinedOutput()
	res := result{err: err, output: string(out)}
	if b, err := exec.Command(filepath.Join(dest, "sonic-release")).Output(); err == nil {
		res.ran = strings.TrimSpace(string(b))
	}
	return res
}

func TestActionInstall(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	good := archiveOf(t, "released v1.2.3")
	name := fmt.Sprintf("sonic-release_1.2.3_%s.tar.gz", platform())
	manifest := fmt.Sprintf("%s  sonic-release_1.2.3_other_cpu.tar.gz\n%s  %s\n", strings.Repeat("0", 64), sum(good), name)
	rel := &releases{files: map[string][]byte{"/v1.2.3/" + name: good}}
	srv := httptest.NewServer(rel)
	defer srv.Close()

	t.Run("the committed checksum matches: installed", func(t *testing.T) {
		r := install(t, actionDir(t, manifest), srv.URL)
		if r.err != nil || r.ran != "released v1.2.3" {
			t.Fatalf("%v, ran %q\n%s", r.err, r.ran, r.output)
		}
	})
	t.Run("the version input must be the sealed release", func(t *testing.T) {
		if r := install(t, actionDir(t, manifest), srv.URL, "VERSION=1.2.3"); r.err != nil || r.ran != "released v1.2.3" {
			t.Fatalf("VERSION=1.2.3: %v\n%s", r.err, r.output)
		}
		r := install(t, actionDir(t, manifest), srv.URL, "VERSION=v1.3.0")
		if r.err == nil || r.ran != "" || !strings.Contains(r.output, "seals sonic-release v1.2.3, not v1.3.0") {
			t.Fatalf("VERSION=v1.3.0: %v, ran %q\n%s", r.err, r.ran, r.output)
		}
	})
	t.Run("a tampered archive is refused, with no fallback", func(t *testing.T) {
		tampered := archiveOf(t, "evil")
		rel.mu.Lock()
		rel.files["/v1.2.3/"+name] = tampered
		rel.mu.Unlock()
		defer func() { rel.mu.Lock(); rel.files["/v1.2.3/"+name] = good; rel.mu.Unlock() }()
		r := install(t, actionDir(t, manifest), srv.URL)
		if r.err == nil || r.ran != "" || !strings.Contains(r.output, "refusing to install") || strings.Contains(r.output, "building") {
			t.Fatalf("tampered: %v, ran %q\n%s", r.err, r.ran, r.output)
		}
		if !strings.Contains(r.output, sum(tampered)) {
			t.Errorf("the refusal does not name the archive's checksum:\n%s", r.output)
		}
	})
	t.Run("a malformed manifest is refused", func(t *testing.T) {
		r := install(t, actionDir(t, "nothex  "+name+"\n"), srv.URL)
		if r.err == nil || r.ran != "" || !strings.Contains(r.output, "malformed checksum") {
			t.Fatalf("%v, ran %q\n%s", r.err, r.ran, r.output)
		}
	})

	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH: the source fallback cannot be tested")
	}
	t.Run("no release for the sealed version: built from source", func(t *testing.T) {
		gone := fmt.Sprintf("%s  sonic-release_9.9.9_%s.tar.gz\n", sum(good), platform())
		r := install(t, actionDir(t, gone), srv.URL)
		if r.err != nil || r.ran != "built from source" || !strings.Contains(r.output, "downloading sonic-release_9.9.9") {
			t.Fatalf("%v, ran %q\n%s", r.err, r.ran, r.output)
		}
	})
	t.Run("a commit that seals no release: built from source, nothing downloaded", func(t *testing.T) {
		rel.mu.Lock()
		before := rel.hits
		rel.mu.Unlock()
		r := install(t, actionDir(t, ""), srv.URL)
		if r.err != nil || r.ran != "built from source" {
			t.Fatalf("%v, ran %q\n%s", r.err, r.ran, r.output)
		}
		rel.mu.Lock()
		defer rel.mu.Unlock()
		if rel.hits != before {
			t.Errorf("%d downloads without a manifest", rel.hits-before)
		}
	})
	t.Run("no archive for this platform: built from source", func(t *testing.T) {
		r := install(t, actionDir(t, strings.Repeat("0", 64)+"  sonic-release_1.2.3_other_cpu.tar.gz\n"), srv.URL)
		if r.err != nil || r.ran != "built from source" || !strings.Contains(r.output, "no archive for") {
			t.Fatalf("%v, ran %q\n%s", r.err, r.ran, r.output)
		}
	})
}

func TestActionInstallPlan(t *testing.T) {
	for _, tt := range []struct{ manifest, want string }{
		{strings.Repeat("a", 64) + "  sonic-release_1.2.3_" + platform() + ".tar.gz\n", "release"},
		{"", "source"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		cmd := exec.Command("bash", "action-install.sh", "plan")
		cmd.Env = append(os.Environ(), "ACTION_PATH="+actionDir(t, tt.manifest), "GITHUB_OUTPUT="+out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		if b, _ := os.ReadFile(out); string(b) != "method="+tt.want+"\n" {
			t.Errorf("manifest %q: GITHUB_OUTPUT = %q, want method=%s", tt.manifest, b, tt.want)
		}
	}
}
