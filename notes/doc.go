// Package notes writes the release notes of a container image release: what
// an operator reads before upgrading.
//
// Build collects the data: the commit range from the previous release (by
// semantic version) to this one, read from a local git clone with the git
// binary, or from GitHub's compare API when the clone is shallow or lacks a
// tag; the pull requests behind the merge and squash commits, fetched in
// pages of 100; breaking changes (conventional commits with "!" or a
// BREAKING CHANGE footer, pull requests labelled breaking); categories by
// GitHub's .github/release.yml format or by conventional-commit type; the
// migration report (see package migrations); and the image with its digest
// and the exact cosign verify command.
//
// The result, a Notes value, is plain JSON-serializable data. Markdown
// renders it in the built-in layout and Template with a text/template.
// Publish writes the Markdown into the GitHub release of the tag between the
// markers BeginMarker and EndMarker, keeping whatever else the release body
// holds.
//
// The package never reads the environment: the GitHub API is reached through
// the http.Client and API URL passed in WithHTTPClient and WithAPIURL.
package notes
