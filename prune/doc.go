// Package prune applies a retention policy to a container package on GitHub
// Container Registry (GHCR) without breaking an image that is kept.
//
// GHCR's registry API refuses DELETE; versions are deleted through GitHub's
// Packages API, which lists one version per manifest digest: the index of a
// multi-platform image, each of its platform manifests, and each cosign
// signature (`sha256-<hex>.sig`), attestation (`.att`) and OCI referrers
// fallback index (`sha256-<hex>`), with nothing linking them. A child of a
// tagged index looks untagged and orphaned; deleting it breaks the image.
//
// Plan therefore resolves every kept tag in the registry to its closure
// (index → platform manifests, and the signatures, attestations and
// referrers of every digest in it, recursively) and never deletes a version
// in it. A pruned image takes its own closure with it, minus anything a
// kept image shares. The policy (Policy) keeps the newest N branch builds
// (`master-<sha>`) and those younger than a duration; every other tag
// (versions, floating tags, `master`) is always kept.
//
// Apply deletes in closure order, an index before its children and an image
// before its signatures, one version at a time: if it stops half-way, no
// kept or remaining image misses a part, and the next Plan finds what was
// left (signatures whose image is gone, children of a deleted index) and
// completes the job.
//
// The planning itself (Decide) is pure: versions, tags and manifests in, a
// Plan out. Plan adds the I/O: the Packages API (GitHub, a Source) and the
// registry (go-containerregistry).
package prune
