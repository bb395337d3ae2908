// Package release makes container registries match the tag contract of a
// release: BuildPlan reads every target repository's state and classifies
// each tag (create, move, unchanged, conflict, skip) without writing
// anything; Apply executes a plan in a safe order (manifest and blobs, exact
// and commit tags, the signing hook, floating tags, read-back, convergence
// with racing releases).
//
// All registry traffic goes through go-containerregistry's remote.Puller and
// remote.Pusher, built from the options given (transport, keychain, retries,
// jobs). The package never reads the environment nor prints; see README.md.
package release
