package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the binary small: cosign's cmd/... packages link
// Kubernetes and the cloud SDKs (74 MB instead of about 30); only its
// pkg/... packages may be used.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	banned := []string{
		"k8s.io/",
		"github.com/sigstore/cosign/v2/cmd/",
		"github.com/aws/",
		"github.com/Azure/azure-sdk-for-go",
		"cloud.google.com/go",
		"google.golang.org/api/",
		"github.com/sigstore/sigstore/pkg/signature/kms/",
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list -deps gave %d packages; expected the full graph:\n%s", len(deps), out)
	}
	for _, p := range deps {
		for _, b := range banned {
			if strings.HasPrefix(p, b) {
				t.Errorf("cmd/sonic-release depends on %s", p)
			}
		}
	}
}
