package notes

import (
	"strings"
	"testing"
)

func TestAirGapSection(t *testing.T) {
	ag := &AirGap{
		DownloadURL: "https://github.com/sonicsaas/sonicsaas-app/releases/download/v1.2.3",
		Archives: []AirGapArchive{
			{Name: "sonicsaas-app_v1.2.3_linux-amd64.tar.gz", Platform: "linux/amd64", Image: "ghcr.io/sonicsaas/sonicsaas-app:v1.2.3"},
			{Name: "sonicsaas-app_v1.2.3_linux-arm64.tar.gz", Platform: "linux/arm64", Image: "ghcr.io/sonicsaas/sonicsaas-app:v1.2.3"},
			{Name: "postgres_16.4_linux-amd64.tar.gz", Platform: "linux/amd64", Image: "postgres:16.4"},
		},
		Sums: "SHA256SUMS", Signature: "SHA256SUMS.sigstore.json",
	}
	img := Image{Repository: "ghcr.io/sonicsaas/sonicsaas-app", Digest: "sha256:" + strings.Repeat("a", 64), Tags: []string{"v1.2.3", "v1.2"},
		Signing: Signing{Identity: "https://github.com/sonicsaas/sonicsaas-app/.github/workflows/release.yml@refs/tags/v1.2.3"}, AirGap: ag}
	c, err := img.complete()
	if err != nil {
		t.Fatal(err)
	}
	md := Markdown(&Notes{Version: "v1.2.3", Image: &c})
	_, section, ok := strings.Cut(md, "\n### Air-gapped install\n")
	if !ok {
		t.Fatalf("no air-gapped section:\n%s", md)
	}
	for _, want := range []string{
		"| [`sonicsaas-app_v1.2.3_linux-arm64.tar.gz`](https://github.com/sonicsaas/sonicsaas-app/releases/download/v1.2.3/sonicsaas-app_v1.2.3_linux-arm64.tar.gz) | `ghcr.io/sonicsaas/sonicsaas-app:v1.2.3` | `linux/arm64` |",
		"| [`postgres_16.4_linux-amd64.tar.gz`](https://github.com/sonicsaas/sonicsaas-app/releases/download/v1.2.3/postgres_16.4_linux-amd64.tar.gz) | `postgres:16.4` | `linux/amd64` |",
		"curl -fLO https://github.com/sonicsaas/sonicsaas-app/releases/download/v1.2.3/sonicsaas-app_v1.2.3_linux-amd64.tar.gz\n" +
			"curl -fLO https://github.com/sonicsaas/sonicsaas-app/releases/download/v1.2.3/SHA256SUMS\n" +
			"curl -fLO https://github.com/sonicsaas/sonicsaas-app/releases/download/v1.2.3/SHA256SUMS.sigstore.json\n" +
			"cosign verify-blob --bundle SHA256SUMS.sigstore.json --certificate-identity https://github.com/sonicsaas/sonicsaas-app/.github/workflows/release.yml@refs/tags/v1.2.3 --certificate-oidc-issuer https://token.actions.githubusercontent.com SHA256SUMS\n" +
			"sha256sum --ignore-missing -c SHA256SUMS\n```",
		"sha256sum --ignore-missing -c SHA256SUMS\ndocker load -i sonicsaas-app_v1.2.3_linux-amd64.tar.gz\nSONICSAAS_IMAGE_TAG=v1.2.3\n```\n",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("the section lacks\n%s\n---\n%s", want, section)
		}
	}

	// With a key; unsigned: no verify-blob.
	c.Signing = Signing{Key: "cosign.pub"}
	if md := Markdown(&Notes{Version: "v1.2.3", Image: &c}); !strings.Contains(md, "cosign verify-blob --bundle SHA256SUMS.sigstore.json --key cosign.pub SHA256SUMS\n") {
		t.Errorf("key signing:\n%s", md)
	}
	ag.Signature = ""
	c.Signing = Signing{}
	if md := Markdown(&Notes{Version: "v1.2.3", Image: &c}); strings.Contains(md, "verify-blob") || strings.Contains(md, ".sigstore.json") {
		t.Errorf("unsigned release:\n%s", md)
	}
	// No bundle, no section.
	c.AirGap = nil
	if md := Markdown(&Notes{Version: "v1.2.3", Image: &c}); strings.Contains(md, "Air-gapped") {
		t.Errorf("section without a bundle:\n%s", md)
	}
}
