package notes

import (
	"fmt"
	"strings"
)

// AirGap is the air-gapped bundle attached to the release (package
// airgap): a `docker load` archive per image and platform, SHA256SUMS and
// its signature. The notes' "Air-gapped install" section gives the
// commands to download, verify and load it.
type AirGap struct {
	// DownloadURL is where the release's assets are downloaded from:
	// https://github.com/OWNER/REPO/releases/download/TAG.
	DownloadURL string `json:"download_url"`
	// Archives are the archives, the released image's first.
	Archives []AirGapArchive `json:"archives"`
	// Sums is the checksum file's name (SHA256SUMS); Signature its
	// Sigstore bundle's (SHA256SUMS.sigstore.json), empty when the
	// release is not signed.
	Sums      string `json:"sums"`
	Signature string `json:"signature,omitempty"`
}

// AirGapArchive is one archive of the bundle.
type AirGapArchive struct {
	Name     string `json:"name"`
	Platform string `json:"platform,omitempty"`
	// Image is what the loaded image is called: its first tag, such as
	// ghcr.io/sonicsaas/sonicsaas-app:v1.2.3 or postgres:16.4.
	Image string `json:"image"`
}

// writeAirGap writes the "Air-gapped install" section: the archives and
// the commands, for the first archive (the released image, on the first
// platform), to download, verify, carry, load and pin it.
func writeAirGap(b *strings.Builder, img *Image) {
	if img == nil || img.AirGap == nil || len(img.AirGap.Archives) == 0 {
		return
	}
	ag := img.AirGap
	base := strings.TrimSuffix(ag.DownloadURL, "/")
	b.WriteString("\n### Air-gapped install\n\n")
	b.WriteString("The release carries the image as `docker load` archives, one per platform, byte for byte the registry's")
	if ag.Signature != "" {
		b.WriteString(", with their checksums signed like the image")
	}
	b.WriteString(":\n\n| archive | image | platform |\n|---|---|---|\n")
	for _, a := range ag.Archives {
		fmt.Fprintf(b, "| [`%s`](%s/%s) | `%s` | `%s` |\n", oneLine(a.Name), base, a.Name, oneLine(a.Image), dash(a.Platform))
	}
	first := ag.Archives[0]
	b.WriteString("\nOn a host with internet access, download the archive of your platform, the checksums")
	if ag.Signature != "" {
		b.WriteString(" and their signature, and verify them")
	}
	b.WriteString(":\n\n```sh\n")
	for _, n := range []string{first.Name, ag.Sums, ag.Signature} {
		if n != "" {
			fmt.Fprintf(b, "curl -fLO %s\n", shellQuote(base+"/"+n))
		}
	}
	if v := verifyBlob(img.Signing, ag); v != "" {
		b.WriteString(v + "\n")
	}
	fmt.Fprintf(b, "sha256sum --ignore-missing -c %s\n```\n", shellQuote(ag.Sums))
	b.WriteString("\nCarry the files to the air-gapped host, check them again, load the image and pin the release:\n\n```sh\n")
	fmt.Fprintf(b, "sha256sum --ignore-missing -c %s\n", shellQuote(ag.Sums))
	fmt.Fprintf(b, "docker load -i %s\n", shellQuote(first.Name))
	if img.Pin != "" {
		b.WriteString(img.Pin + "\n")
	}
	b.WriteString("```\n")
}

// verifyBlob is the cosign command that checks the signature of the
// checksums, with the identity (or key) the image is verified with.
func verifyBlob(s Signing, ag *AirGap) string {
	if ag.Signature == "" {
		return ""
	}
	switch {
	case s.Identity != "":
		issuer := s.Issuer
		if issuer == "" {
			issuer = GitHubActionsIssuer
		}
		return fmt.Sprintf("cosign verify-blob --bundle %s --certificate-identity %s --certificate-oidc-issuer %s %s",
			shellQuote(ag.Signature), shellQuote(s.Identity), shellQuote(issuer), shellQuote(ag.Sums))
	case s.Key != "":
		return fmt.Sprintf("cosign verify-blob --bundle %s --key %s %s", shellQuote(ag.Signature), shellQuote(s.Key), shellQuote(ag.Sums))
	}
	return ""
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
