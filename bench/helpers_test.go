package bench

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// sonicReleaseBin is $SONIC_RELEASE_BIN, or sonic-release built into a
// temporary directory.
func sonicReleaseBin(b *testing.B) string {
	b.Helper()
	if bin := os.Getenv("SONIC_RELEASE_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(b.TempDir(), "sonic-release")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/sonicsaas/sonic-release/cmd/sonic-release").CombinedOutput(); err != nil {
		b.Fatalf("building sonic-release: %v\n%s", err, out)
	}
	return bin
}

// dockerConfig writes a DOCKER_CONFIG directory holding the credentials
// of host and returns it.
func dockerConfig(b *testing.B, host, user, password string) string {
	b.Helper()
	cfg := b.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{"`+host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		b.Fatal(err)
	}
	return cfg
}
