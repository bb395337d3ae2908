package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencies keeps the binary small and free of test code: cosign's
// cmd/... packages link Kubernetes and the cloud SDKs (74 MB instead of
// about 30), so only its pkg/... packages may be used; and no test helper
// of this project may be linked.
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
		// The project's own test helpers: fakes, test servers and tool
		// finders belong in tests, never in the binary.
		"github.com/sonicsaas/sonic-release/internal/fakegithub",
		"github.com/sonicsaas/sonic-release/internal/sigstoretest",
		"github.com/sonicsaas/sonic-release/internal/registrytest",
		"github.com/sonicsaas/sonic-release/internal/gittest",
		"github.com/sonicsaas/sonic-release/internal/golden",
		"github.com/sonicsaas/sonic-release/internal/testtool",
		"github.com/sonicsaas/sonic-release/internal/ghcrtest",
		"github.com/getkin/", // the fake GitHub's OpenAPI validator
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list -deps gave %d packages; expected the full graph:\n%s", len(deps), out)
	}
	// klog is a small logging package, not Kubernetes: sigstore-go >= v1.2
	// reaches it through certificate-transparency-go's loglist3.
	allowed := []string{"k8s.io/klog/v2"}
	for _, p := range deps {
		if slices.ContainsFunc(allowed, func(a string) bool { return p == a || strings.HasPrefix(p, a+"/") }) {
			continue
		}
		for _, b := range banned {
			if strings.HasPrefix(p, b) {
				t.Errorf("cmd/sonic-release depends on %s", p)
			}
		}
	}
}
