package notes

import "fmt"

// Provenance is the SLSA build provenance attached to the released image
// (package provenance): what the notes tell operators to verify it with.
type Provenance struct {
	// Repository is the GitHub repository (owner/name) whose attestations
	// API holds the provenance: `gh attestation verify --repo`. Empty
	// leaves that command out.
	Repository string `json:"repository,omitempty"`

	// CosignVerify and GHVerify are filled in by Build: `cosign
	// verify-attestation --type slsaprovenance1` with the image's signing
	// identity or key, and, for a keyless release with a repository,
	// `gh attestation verify oci://IMAGE@DIGEST --repo OWNER/REPO`.
	CosignVerify string `json:"cosign_verify,omitempty"`
	GHVerify     string `json:"gh_verify,omitempty"`
}

// completeProvenance fills in the verify commands of img's provenance,
// once img's own are: nothing without a provenance or a signature.
func completeProvenance(img *Image) {
	if img.Provenance == nil {
		return
	}
	p := *img.Provenance // the caller's stays as it was
	img.Provenance = &p
	switch {
	case img.Signing.Identity != "":
		p.CosignVerify = fmt.Sprintf("cosign verify-attestation --type slsaprovenance1 --certificate-identity %s --certificate-oidc-issuer %s %s",
			shellQuote(img.Signing.Identity), shellQuote(img.Signing.Issuer), img.Reference)
		if p.Repository != "" {
			// gh checks GitHub's Sigstore trust roots: keyless only.
			p.GHVerify = fmt.Sprintf("gh attestation verify oci://%s --repo %s", img.Reference, shellQuote(p.Repository))
		}
	case img.Signing.Key != "":
		p.CosignVerify = fmt.Sprintf("cosign verify-attestation --type slsaprovenance1 --key %s %s", shellQuote(img.Signing.Key), img.Reference)
	default:
		img.Provenance = nil
	}
}

// provenanceLines are the verify commands of the provenance, for the
// image section's shell block.
func provenanceLines(img *Image) []string {
	if img.Provenance == nil {
		return nil
	}
	var out []string
	for _, c := range []string{img.Provenance.CosignVerify, img.Provenance.GHVerify} {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}
