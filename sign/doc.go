// Package sign signs container images with cosign and verifies their
// signatures, by digest, in cosign's legacy signature layout (the
// "sha256-<hex>.sig" tag next to the image) and as a Sigstore bundle
// stored as an OCI 1.1 referrer of the image (format.go, bundle.go,
// referrers.go), so that `cosign verify` v2.x and v3.x find and accept
// them.
//
// A Signer signs either with a cosign key (the encrypted private key file
// of `cosign generate-key-pair`) or keyless: an OIDC token (on GitHub
// Actions, the runner's ID token with audience "sigstore") is exchanged at
// Fulcio for a 10-minute certificate, and an RFC 3161 timestamp from a
// timestamp authority proves the signature was made while the certificate
// was valid. Every client gets explicit trust material; nothing here
// fetches the public Sigstore TUF root.
//
// For a multi-platform index, Sign signs the index and each platform
// manifest (attestation manifests, platform unknown/unknown, are skipped),
// and Verify checks all of them. Signing twice adds nothing: a signature
// with the same payload from the same signer is left as it is.
//
// The package uses cosign's pkg/... packages only, never its cmd/...
// packages, which link Kubernetes and cloud SDKs.
package sign
