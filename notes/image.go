package notes

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultTagVariable is the environment variable the application's
// operators set to pin the image tag.
const DefaultTagVariable = "SONICSAAS_IMAGE_TAG"

// GitHubActionsIssuer is the OIDC issuer of GitHub Actions' keyless signing.
const GitHubActionsIssuer = "https://token.actions.githubusercontent.com"

// Image is the released image: what the image section of the notes shows.
type Image struct {
	// Repository is the image repository, such as "ghcr.io/sonicsaas/app".
	Repository string `json:"repository"`
	// Digest is the digest of the manifest (or index) released, "sha256:…".
	Digest string `json:"digest"`
	// Tags are the tags put on the digest ("v1.2.3", "v1.2", "latest", …).
	Tags []string `json:"tags"`
	// Platforms are the per-platform manifests of an index.
	Platforms []Platform `json:"platforms,omitempty"`
	// TagVariable is the variable an operator sets to pin the tag. The
	// default is DefaultTagVariable.
	TagVariable string `json:"tag_variable"`
	// Signing is how the digest is signed.
	Signing Signing `json:"signing"`
	// Provenance, when set, is the build provenance attached (provenance.go).
	Provenance *Provenance `json:"provenance,omitempty"`
	// AirGap, when set, is the air-gapped bundle attached to the release.
	AirGap *AirGap `json:"airgap,omitempty"`

	// Reference, Pin, Pull and Verify are filled in by Build: the pinned
	// reference (REPOSITORY@DIGEST), the variable line, the docker pull
	// command and the cosign verify command.
	Reference string `json:"reference"`
	Pin       string `json:"pin"`
	Pull      string `json:"pull"`
	Verify    string `json:"verify,omitempty"`
}

// Platform is one manifest of an image index.
type Platform struct {
	Platform string `json:"platform"` // "linux/amd64"
	Digest   string `json:"digest"`
}

// Signing is the identity a release is signed with: keyless (a certificate
// identity and issuer) or a public key.
type Signing struct {
	// Identity is the keyless certificate identity: for GitHub Actions the
	// workflow reference, such as
	// "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.2.3".
	Identity string `json:"identity,omitempty"`
	// Issuer is the OIDC issuer. The default, with an Identity, is
	// GitHubActionsIssuer.
	Issuer string `json:"issuer,omitempty"`
	// Key is the public key reference (a file, a KMS URI, k8s://…).
	Key string `json:"key,omitempty"`
}

var digestRe = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

// complete validates the image and fills in its commands.
func (img Image) complete() (Image, error) {
	bad := func(what, expect string) (Image, error) {
		return Image{}, &InputError{What: what, Expect: expect}
	}
	if img.Repository == "" || strings.ContainsAny(img.Repository, " @\t") {
		return bad(fmt.Sprintf("image repository %q", img.Repository), "expected a repository without tag or digest, such as ghcr.io/sonicsaas/app")
	}
	if !digestRe.MatchString(img.Digest) {
		return bad(fmt.Sprintf("image digest %q", img.Digest), "expected sha256: and 64 lowercase hex digits")
	}
	for _, p := range img.Platforms {
		if !digestRe.MatchString(p.Digest) || p.Platform == "" {
			return bad(fmt.Sprintf("platform digest %s=%s", p.Platform, p.Digest), "expected PLATFORM=sha256:… such as linux/amd64=sha256:…")
		}
	}
	if img.Signing.Identity != "" && img.Signing.Key != "" {
		return bad("both a signing identity and a key", "give either the keyless certificate identity or the public key")
	}
	if img.TagVariable == "" {
		img.TagVariable = DefaultTagVariable
	}
	if img.Signing.Identity != "" && img.Signing.Issuer == "" {
		img.Signing.Issuer = GitHubActionsIssuer
	}
	img.Reference = img.Repository + "@" + img.Digest
	if len(img.Tags) > 0 {
		img.Pin = img.TagVariable + "=" + img.Tags[0]
	}
	img.Pull = "docker pull " + img.Reference
	switch {
	case img.Signing.Identity != "":
		img.Verify = fmt.Sprintf("cosign verify --certificate-identity %s --certificate-oidc-issuer %s %s",
			shellQuote(img.Signing.Identity), shellQuote(img.Signing.Issuer), img.Reference)
	case img.Signing.Key != "":
		img.Verify = fmt.Sprintf("cosign verify --key %s %s", shellQuote(img.Signing.Key), img.Reference)
	}
	completeProvenance(&img)
	return img, nil
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
