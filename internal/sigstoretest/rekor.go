package sigstoretest

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/sonicsaas/sonic-release/internal/testtool"
)

// Rekor is a running Rekor v1 transparency log (rekor-server on Trillian
// on a private MariaDB).
type Rekor struct {
	URL       string
	PublicKey []byte // PEM
	Log       *root.TransparencyLog
}

// StartRekor starts MariaDB, the Trillian log server and signer, creates
// a tree and starts rekor-server with an in-memory signer. rekor-server's
// metrics listener is hard-coded to :2112 like the TSA's (it ignores the
// bind error, the TSA does not): call StartTSA first, which holds the port
// and the lock until the test ends.
func StartRekor(t testing.TB) *Rekor {
	t.Helper()
	schema := filepath.Join(os.Getenv("SONIC_TOOLS"), "share", "trillian-storage.sql")
	if _, err := os.Stat(schema); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Trillian schema is missing (%v): run scripts/tools.sh", err)
		}
		t.Skipf("the Trillian schema is missing (%v): run scripts/tools.sh", err)
	}
	dir := t.TempDir()
	data, sock := filepath.Join(dir, "data"), filepath.Join(dir, "mysql.sock")
	run := func(stdin string, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(testtool.Path(t, name), args...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run("", "mariadb-install-db", "--no-defaults", "--datadir="+data, "--user=root",
		"--auth-root-authentication-method=normal", "--skip-test-db")
	dbPort := FreePort(t)
	sql := func(stdin string, args ...string) error {
		cmd := exec.Command(testtool.Path(t, "mariadb"), append([]string{"--no-defaults", "-uroot", "-S", sock}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}
	start(t, "mariadbd", func() error { return sql("SELECT 1;") },
		"--no-defaults", "--datadir="+data, "--user=root", "--bind-address=127.0.0.1",
		fmt.Sprintf("--port=%d", dbPort), "--socket="+sock, "--skip-name-resolve",
		"--innodb-buffer-pool-size=64M", "--skip-log-bin")
	if err := sql("CREATE DATABASE trillian; CREATE USER 'trillian'@'127.0.0.1' IDENTIFIED BY 'trillian'; GRANT ALL ON trillian.* TO 'trillian'@'127.0.0.1';"); err != nil {
		t.Fatal(err)
	}
	schemaSQL, err := os.ReadFile(schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := sql(string(schemaSQL), "trillian"); err != nil {
		t.Fatalf("loading the Trillian schema: %v", err)
	}
	dsn := fmt.Sprintf("trillian:trillian@tcp(127.0.0.1:%d)/trillian", dbPort)

	logRPC, logHTTP := FreePort(t), FreePort(t)
	start(t, "trillian_log_server", func() error {
		_, err := get(fmt.Sprintf("http://127.0.0.1:%d/healthz", logHTTP))
		return err
	}, "--storage_system=mysql", "--quota_system=noop", "--mysql_uri="+dsn,
		fmt.Sprintf("--rpc_endpoint=127.0.0.1:%d", logRPC), fmt.Sprintf("--http_endpoint=127.0.0.1:%d", logHTTP))
	sigHTTP := FreePort(t)
	start(t, "trillian_log_signer", func() error {
		_, err := get(fmt.Sprintf("http://127.0.0.1:%d/healthz", sigHTTP))
		return err
	}, "--storage_system=mysql", "--quota_system=noop", "--mysql_uri="+dsn,
		fmt.Sprintf("--rpc_endpoint=127.0.0.1:%d", FreePort(t)), fmt.Sprintf("--http_endpoint=127.0.0.1:%d", sigHTTP),
		"--election_system=noop", "--force_master", "--sequencer_interval=100ms")

	var treeID string
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := exec.Command(testtool.Path(t, "createtree"), fmt.Sprintf("--admin_server=127.0.0.1:%d", logRPC)).Output()
		if err == nil {
			treeID = strings.TrimSpace(string(out))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("createtree: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	port := FreePort(t)
	r := &Rekor{URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	start(t, "rekor-server", func() error {
		b, err := get(r.URL + "/api/v1/log/publicKey")
		r.PublicKey = b
		return err
	}, "serve", "--rekor_server.address=127.0.0.1", fmt.Sprintf("--port=%d", port),
		"--rekor_server.hostname=127.0.0.1", "--rekor_server.signer=memory",
		"--trillian_log_server.address=127.0.0.1", fmt.Sprintf("--trillian_log_server.port=%d", logRPC),
		"--trillian_log_server.tlog_id="+treeID,
		"--search_index.storage_provider=mysql", "--search_index.mysql.dsn="+dsn,
		"--enable_retrieve_api=false")
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(r.PublicKey)
	if err != nil {
		t.Fatalf("Rekor public key: %v", err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	id := sha256.Sum256(der)
	r.Log = &root.TransparencyLog{
		BaseURL: r.URL, ID: id[:], ValidityPeriodStart: time.Now().Add(-time.Hour),
		HashFunc: crypto.SHA256, PublicKey: pub, SignatureHashFunc: crypto.SHA256,
	}
	return r
}

// logID is the hex key of a log in a trusted root.
func (r *Rekor) logID() string { return hex.EncodeToString(r.Log.ID) }
