package registrytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sonicsaas/sonic-release/internal/testtool"
)

// StartRegistry runs the real distribution registry (the pinned
// `registry` tool) with htpasswd authentication and filesystem storage in
// a temporary directory, on 127.0.0.1 at a free port, behind the counting
// and fault-injecting proxy. Server.Host is the proxy's address. The
// registry stops when the test ends.
func StartRegistry(t testing.TB) *Server {
	t.Helper()
	bin := testtool.Path(t, "registry")
	dir := t.TempDir()
	pw := make([]byte, 12)
	_, _ = rand.Read(pw)
	s := &Server{User: "sonic", Password: hex.EncodeToString(pw), Counter: &Counter{}, Faults: &Faults{}}
	hash, err := bcrypt.GenerateFromPassword([]byte(s.Password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(s.User+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	var addr string
	var cmd *exec.Cmd
	var exited chan struct{}
	var out bytes.Buffer
	for attempt := 0; ; attempt++ {
		addr = freeAddr(t)
		config := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: %s
auth:
  htpasswd:
    realm: sonic-test
    path: %s
`, filepath.Join(dir, "data"), addr, s.Password, htpasswd)
		cfgPath := filepath.Join(dir, "config.yml")
		if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		cmd = exec.Command(bin, "serve", cfgPath)
		cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true")
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting the registry: %v", err)
		}
		exited = make(chan struct{})
		go func(cmd *exec.Cmd, exited chan struct{}) {
			_ = cmd.Wait()
			close(exited)
		}(cmd, exited)
		if waitUp(addr, exited, 20*time.Second) {
			break
		}
		_ = cmd.Process.Kill()
		<-exited
		if attempt == 2 {
			t.Fatalf("the registry did not come up on %s:\n%s", addr, out.String())
		}
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	u := &url.URL{Scheme: "http", Host: addr}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = discardLogger()
	srv := httptest.NewServer(s.Counter.Wrap(s.Faults.Wrap(proxy)))
	t.Cleanup(srv.Close)
	pu, _ := url.Parse(srv.URL)
	s.Host = pu.Host
	return s
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitUp polls /v2/ until the registry answers (401 without credentials).
func waitUp(addr string, exited <-chan struct{}, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v2/", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return resp.StatusCode == http.StatusUnauthorized
		}
		select {
		case <-ctx.Done():
			return false
		case <-exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}
