package notes

import (
	"strings"
	"testing"
)

func TestProvenanceVerifyCommands(t *testing.T) {
	const d = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	keyless := Signing{Identity: "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3"}
	for _, tt := range []struct {
		name    string
		signing Signing
		prov    *Provenance
		want    []string
	}{
		{"keyless", keyless, &Provenance{Repository: "acme/app"}, []string{
			"cosign verify-attestation --type slsaprovenance1 --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3 --certificate-oidc-issuer https://token.actions.githubusercontent.com ghcr.io/acme/app@" + d,
			"gh attestation verify oci://ghcr.io/acme/app@" + d + " --repo acme/app",
		}},
		{"key", Signing{Key: "cosign.pub"}, &Provenance{Repository: "acme/app"}, []string{
			"cosign verify-attestation --type slsaprovenance1 --key cosign.pub ghcr.io/acme/app@" + d,
		}},
		{"keyless without a repository", keyless, &Provenance{}, []string{"cosign verify-attestation --type slsaprovenance1 --certificate-identity"}},
		{"unsigned", Signing{}, &Provenance{Repository: "acme/app"}, nil},
		{"no provenance", keyless, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Image{Repository: "ghcr.io/acme/app", Digest: d, Tags: []string{"v1.2.3"}, Signing: tt.signing, Provenance: tt.prov}.complete()
			if err != nil {
				t.Fatal(err)
			}
			got := provenanceLines(&img)
			if len(got) != len(tt.want) {
				t.Fatalf("lines = %q, want %q", got, tt.want)
			}
			var b strings.Builder
			writeImage(&b, &img)
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("line %d = %q, want %q", i, got[i], w)
				}
				if !strings.Contains(b.String(), got[i]+"\n") {
					t.Errorf("the image section lacks %q:\n%s", got[i], b.String())
				}
			}
			if tt.prov != nil && tt.prov.CosignVerify != "" {
				t.Error("complete changed the caller's Provenance")
			}
		})
	}
}
