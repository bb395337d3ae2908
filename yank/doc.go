// Package yank withdraws a bad release without breaking anyone pinned to it,
// and restores it.
//
// A yank never deletes or moves the version's exact tag. It adds a marker
// tag next to the image (tagging.YankMarker: yanked.vX.Y.Z, pointing at a
// small OCI artifact manifest whose annotations record the reason, the
// date, the digest and the replacement), and moves every floating tag that
// points at the version (vX.Y, vX, latest) back to the highest remaining
// version of its line; a line with nothing left keeps it. Every release
// lists the repository's tags anyway, so every later plan sees the marker
// with no extra request and never moves a floating tag back onto the
// version (tagging.Release, tagging.LiveVersions). An unyank adds the
// matching unyanked.vX.Y.Z marker and lets the contract move the floating
// tags back.
//
// Decide is pure: repository states in, a Plan out. Run reads the states
// through release.Registry, checks that every digest a floating tag would
// move to is signed (a Verifier, sign.Verify in the CLI), and only then
// writes: the markers first, so a release racing the yank already sees
// it, then the floating tags.
package yank
