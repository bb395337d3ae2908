package sigstoretest

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/sonicsaas/sonic-release/internal/testtool"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects a server's output for failure reports.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs a server until the test ends, and waits until ready returns
// nil. Its output is logged when the test fails.
func start(t testing.TB, name string, ready func() error, args ...string) {
	t.Helper()
	bin := testtool.Path(t, name)
	out := &syncBuffer{}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+cmd.Dir, "TUF_ROOT="+filepath.Join(cmd.Dir, "tuf"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := ready()
		if err == nil {
			return
		}
		select {
		case <-exited:
			t.Fatalf("%s exited before it was ready (%v):\n%s", name, err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 60s: %v\n%s", name, err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	return b, nil
}

// Fulcio is a running Fulcio with an ephemeral CA and no CT log.
type Fulcio struct {
	URL   string
	Roots []*x509.Certificate // the CA chain, root last
}

// StartFulcio starts Fulcio trusting is as a GitHub Actions issuer.
func StartFulcio(t testing.TB, is *Issuer) *Fulcio {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`{"OIDCIssuers": {%q: {"IssuerURL": %q, "ClientID": "sigstore", "Type": "github-workflow"}}}`, is.URL, is.URL)
	cfgPath := filepath.Join(dir, "fulcio.json")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	f := &Fulcio{URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	start(t, "fulcio", func() error {
		b, err := get(f.URL + "/api/v2/configuration")
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), is.URL) {
			return fmt.Errorf("fulcio does not list issuer %s: %s", is.URL, b)
		}
		return nil
	}, "serve", "--ca", "ephemeralca", "--ct-log-url", "", "--config-path", cfgPath,
		"--host", "127.0.0.1", "--port", fmt.Sprint(port),
		"--grpc-host", "127.0.0.1", "--grpc-port", fmt.Sprint(FreePort(t)),
		"--metrics-port", fmt.Sprint(FreePort(t)),
		"--legacy-unix-domain-socket", fmt.Sprintf("@fulcio-legacy-%d-%d", os.Getpid(), port),
		"--log_type", "dev")
	b, err := get(f.URL + "/api/v2/trustBundle")
	if err != nil {
		t.Fatal(err)
	}
	var tb struct {
		Chains []struct {
			Certificates []string `json:"certificates"`
		} `json:"chains"`
	}
	if err := json.Unmarshal(b, &tb); err != nil || len(tb.Chains) == 0 {
		t.Fatalf("fulcio trust bundle %s: %v", b, err)
	}
	for _, c := range tb.Chains[0].Certificates {
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(c))
		if err != nil {
			t.Fatal(err)
		}
		f.Roots = append(f.Roots, certs...)
	}
	return f
}

// TSA is a running timestamp authority with an in-memory signer.
type TSA struct {
	URL      string // the timestamp endpoint (…/api/v1/timestamp)
	ChainPEM []byte // leaf, intermediate, root
	Chain    []*x509.Certificate
}

// StartTSA starts the timestamp authority. Its metrics listener is
// hard-coded to :2112, so only one runs at a time per network namespace:
// StartTSA holds a lock file until the test ends.
func StartTSA(t testing.TB) *TSA {
	t.Helper()
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "sonic-release-tsa.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
		lock.Close()
	})
	port := FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	start(t, "timestamp-server", func() error {
		_, err := get(base + "/ping")
		return err
	}, "serve", "--host", "127.0.0.1", "--port", fmt.Sprint(port),
		"--timestamp-signer", "memory", "--disable-ntp-monitoring")
	pem, err := get(base + "/api/v1/timestamp/certchain")
	if err != nil {
		t.Fatal(err)
	}
	chain, err := cryptoutils.UnmarshalCertificatesFromPEM(pem)
	if err != nil || len(chain) < 2 {
		t.Fatalf("TSA chain %s: %v", pem, err)
	}
	return &TSA{URL: base + "/api/v1/timestamp", ChainPEM: pem, Chain: chain}
}

// TrustedRoot builds the Sigstore trusted root of f, ts and the Rekor
// logs (f and ts may be nil) and writes it as JSON (for the cosign CLI's
// --trusted-root) into the test's temporary directory.
func TrustedRoot(t testing.TB, f *Fulcio, ts *TSA, rekors ...*Rekor) (*root.TrustedRoot, string) {
	t.Helper()
	var cas []root.CertificateAuthority
	var tsas []root.TimestampingAuthority
	start := time.Now().Add(-time.Hour)
	if f != nil {
		n := len(f.Roots)
		cas = append(cas, &root.FulcioCertificateAuthority{
			Root: f.Roots[n-1], Intermediates: f.Roots[:n-1], ValidityPeriodStart: start, URI: f.URL,
		})
	}
	if ts != nil {
		n := len(ts.Chain)
		tsas = append(tsas, &root.SigstoreTimestampingAuthority{
			Leaf: ts.Chain[0], Intermediates: ts.Chain[1 : n-1], Root: ts.Chain[n-1],
			ValidityPeriodStart: start, URI: ts.URL,
		})
	}
	var logs map[string]*root.TransparencyLog
	for _, r := range rekors {
		if logs == nil {
			logs = map[string]*root.TransparencyLog{}
		}
		logs[r.logID()] = r.Log
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, cas, nil, tsas, logs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return tr, p
}
