// Package provenance makes the SLSA v1 build provenance of a release: an
// in-toto statement (https://in-toto.io/Statement/v1) with predicate type
// https://slsa.dev/provenance/v1 for the image digest, in the shape
// actions/attest-build-provenance writes (build type
// https://actions.github.io/buildtypes/workflow/v1), signed like the image
// (sign.Signer, keyless or key) as a DSSE envelope, attached to the image
// in cosign's attestation layout (the sha256-<digest>.att tag, what `cosign
// verify-attestation --type slsaprovenance1` reads) and, when asked,
// stored as a sigstore bundle through GitHub's repository attestations API
// (what `gh attestation verify oci://IMAGE --repo OWNER/REPO` reads).
//
// The build is described by a Build the caller fills in (the CLI reads the
// GitHub Actions environment); the package reads no environment.
package provenance
