// Package airgap writes the air-gapped bundle of a release: for each
// platform of each image, a gzip-compressed archive that `docker load`
// accepts, read from the registry by digest and written as a stream (a
// layer passes through a fixed-size buffer, never whole through memory),
// and a SHA256SUMS over the archives.
//
// An archive is what `docker save` of Docker 25 and later writes: an OCI
// image layout (oci-layout, index.json, blobs/sha256/…) holding the
// registry's platform manifest, config and layers byte for byte, and the
// manifest.json that older `docker load` reads, naming the same blobs and
// the tags the loaded image carries. The loaded image therefore has the
// registry's manifest digest, config digest (image ID) and layer digests.
//
// Plan reads the images' manifests and names the archives; Write writes
// them and SHA256SUMS into a directory. Uploading and signing are the
// caller's (notes.UploadAssets, sign.Signer.SignBlob).
package airgap
